"""One database, one size: migrate, generate, then time the pages and API in process, beside their SQL floor.

Run by `python -m bench` in a subprocess (settings are read once per process, so each database gets its own):
    DATABASE_URL=... python -m bench.measure --size 10000 --out result.json [--iterations 30]
Server time is the Django test Client's wall time in this process, warm (after two untimed requests):
middleware, view, queries, templates and serialisation, but no HTTP parsing or network.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_USER = "bench-manager"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(work, iterations: int, warmup: int = 2, before=None) -> dict:
    """p50/p95 in milliseconds of `work()`; `before()` runs untimed ahead of every call (e.g. clear a cache)."""
    for _ in range(warmup):
        (before or (lambda: None))()
        work()
    samples = []
    for _ in range(iterations):
        (before or (lambda: None))()
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95), "n": iterations}


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauseten.settings")
    import django

    django.setup()


def prepare(size: int, seed: int) -> dict:
    """Migrate an empty database, generate `size` records, and give the bench a manager with a token."""
    from django.core.management import call_command

    from clauseten.accounts.roles import Role
    from clauseten.accounts.services import api_token_create, user_create
    from clauseten.nonconformities.generate import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    summary = generate(ncs=size, seed=seed)
    manager = user_create(username=BENCH_USER, roles=[Role.MANAGER])
    _, secret = api_token_create(user=manager, name="bench")
    return {"migrate_s": migrate_s, "generate_s": summary.seconds, "generated": str(summary), "token": secret}


def record_with_events(manager, wanted: int = 30) -> str:
    """A closed record whose timeline has `wanted` events, topped up with real comments through the service."""
    from clauseten.events.models import Event
    from clauseten.nonconformities import services
    from clauseten.nonconformities.models import Nonconformity

    nc = Nonconformity.objects.filter(state="closed").order_by("-id").first() or Nonconformity.objects.last()
    for number in range(max(0, wanted - Event.objects.filter(record=nc.reference).count())):
        services.comment_add(actor=manager, nc=nc, body=f"Bench note {number + 1}: checked again, still fine.")
    return nc.reference


def cases(manager, reference: str, size: int) -> list[tuple[str, str, str, dict]]:
    """(name, url, floor name, floor args): the pages and API calls people make all day."""
    from django.db.models import Count

    from clauseten.nonconformities.models import Nonconformity

    busiest = (Nonconformity.objects.exclude(owner=None).values("owner__username").annotate(n=Count("id"))
               .order_by("-n").first() or {"owner__username": BENCH_USER})["owner__username"]
    last_page = max(1, (size + 24) // 25)
    return [
        ("register page", "/ncs/", "register_page", {}),
        ("list API", "/api/v1/nonconformities", "register_page", {}),
        ("list API, state", "/api/v1/nonconformities?state=acting", "register_page", {"state": "acting"}),
        ("list API, owner", f"/api/v1/nonconformities?owner={busiest}", "register_page", {"owner": busiest}),
        ("list API, text", "/api/v1/nonconformities?q=backup", "register_page", {"q": "backup"}),
        ("list API, by due date", "/api/v1/nonconformities?sort=due", "register_page", {"sort": "due"}),
        ("list API, deep page", f"/api/v1/nonconformities?page={last_page}", "register_page", {"page": last_page}),
        ("record page (30 events)", f"/ncs/{reference}/", "record", {"reference": reference}),
        ("record API", f"/api/v1/nonconformities/{reference}", "record", {"reference": reference}),
    ]


def measure_requests(client, manager, reference: str, size: int, iterations: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import floor

    rows = []
    for name, url, floor_name, floor_args in cases(manager, reference, size):
        status = client.get(url).status_code
        if status != 200:
            rows.append({"name": name, "note": f"HTTP {status}: not measured"})
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries)  # now: later requests reset the connection's query log
        figures = timed(lambda url=url: client.get(url), iterations)
        shape = getattr(floor, floor_name)
        plain = timed(lambda shape=shape, args=floor_args: shape(**args), iterations)
        rows.append({"name": name, **figures, "floor_p50": plain["p50"], "floor_p95": plain["p95"],
                     "queries": query_count})
    return rows


def measure_keyset(manager, size: int, iterations: int) -> dict:
    """The last page by cursor (selectors.register_after), as the API would serve `?cursor=`."""
    from bench import floor
    from clauseten.nonconformities import selectors

    filters = selectors.RegisterFilter()
    before = selectors.register(manager, filters)[max(0, size - 26):max(1, size - 25)][0]
    cursor = selectors.register_cursor(before, "newest")
    figures = timed(lambda: selectors.register_after(manager, filters, cursor), iterations)
    plain = timed(lambda: floor.keyset_page(before.reported_at, before.id), iterations)
    return {"name": "deep page by cursor (selector)", **figures, "floor_p50": plain["p50"], "floor_p95": plain["p95"],
            "queries": 1}


def measure_dashboard(client, iterations: int) -> list[dict]:
    from django.core.cache import cache

    if client.get("/reports/dashboard/").status_code != 200:
        return [{"name": "dashboard", "note": "no /reports/dashboard/ yet"}]
    return [{"name": "dashboard, cold", **timed(lambda: client.get("/reports/dashboard/"), max(3, iterations // 3),
                                                before=cache.clear)},
            {"name": "dashboard, unchanged", **timed(lambda: client.get("/reports/dashboard/"), iterations)}]


def measure_export() -> dict:
    """The CSV export of every row, in a fresh process so its peak memory is its own."""
    done = subprocess.run([sys.executable, "-m", "bench.export_probe", BENCH_USER], capture_output=True,
                          text=True, timeout=600, check=False)
    if done.returncode != 0:
        return {"note": f"export failed: {done.stderr.strip().splitlines()[-1:]}"}
    return json.loads(done.stdout)


def measure_verify() -> dict:
    from bench import floor
    from clauseten.events.services import verify_chain

    started = time.perf_counter()
    report = verify_chain()
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    floor.all_events()
    return {"seconds": seconds, "floor_s": time.perf_counter() - started, "events": report.count,
            "intact": report.intact}


def measure_insight(label: str) -> list:
    try:
        from bench import bench_insight
    except ImportError:
        return []
    try:
        return [list(row) for row in bench_insight.run(label)]
    except Exception as exc:  # noqa: BLE001  (another engineer's module: report its failure, keep ours)
        return [[f"insight figures [{label}]", 0.0, f"failed: {exc.__class__.__name__}: {exc}"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-insight", action="store_true", help="skip bench_insight (review pack PDF is slow)")
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from clauseten.accounts.models import User

    result = {"size": args.size, **prepare(args.size, args.seed)}
    manager = User.objects.get(username=BENCH_USER)
    client = Client()
    client.force_login(manager)
    reference = record_with_events(manager)
    result["requests"] = measure_requests(client, manager, reference, args.size, args.iterations)
    result["requests"].append(measure_keyset(manager, args.size, args.iterations))
    result["requests"] += measure_dashboard(client, args.iterations)
    result["export"] = measure_export()
    result["verify"] = measure_verify()
    result["insight"] = [] if args.no_insight else measure_insight(args.label or str(args.size))
    result["record"] = reference
    args.out.write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
