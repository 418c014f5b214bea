"""The CSV export of every row, timed, with its peak memory growth (run in its own process by bench.measure).

    python -m bench.export_probe <username>   → {"seconds", "rows", "bytes", "peak_growth_mb", "floor_s"} on stdout
Growth = the process's peak resident memory (VmHWM) after the export minus its resident memory just before.
"""

import json
import sys
import time

from bench.measure import setup_django


def memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    setup_django()
    from django.test import Client

    from bench import floor
    from clauseten.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=sys.argv[1]))
    client.get("/reports/export/register.csv?q=warm-up-nothing-matches")
    before = memory_kb("VmRSS")
    started = time.perf_counter()
    response = client.get("/reports/export/register.csv")
    if response.status_code != 200:
        print(json.dumps({"note": f"HTTP {response.status_code}: not measured"}))
        return
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    growth_mb = (memory_kb("VmHWM") - before) / 1024
    started = time.perf_counter()
    floor.export_csv()
    print(json.dumps({"seconds": seconds, "rows": lines - 1, "bytes": size, "peak_growth_mb": growth_mb,
                      "floor_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
