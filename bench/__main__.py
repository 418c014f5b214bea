"""`make bench` / `python -m bench`: generate registers of 10 000 and 100 000 records on SQLite and PostgreSQL,
time the pages and API beside their SQL floor, load the app under gunicorn, and print the figures with the budgets.

    python -m bench [--quick] [--sizes 10000,100000] [--db sqlite,postgres] [--iterations 30] [--load-seconds 30]

Figures, not pass/fail: the exit status is 0 whenever the run completed. Results also go to bench/results/latest.md.
Only 127.0.0.1 is contacted; databases are throwaway (a temporary SQLite file, a PostgreSQL database dropped after).
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import databases, load, report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few iterations, short load, SQLite only")
    parser.add_argument("--sizes", help="comma-separated register sizes (default 10000,100000)")
    parser.add_argument("--db", help="sqlite,postgres (default both)")
    parser.add_argument("--iterations", type=int, help="timed requests per figure (default 30)")
    parser.add_argument("--load-seconds", type=float, help="length of the load run (default 30)")
    parser.add_argument("--out", type=Path, help="where to write the table (default bench/results/latest.md; "
                        "quick.md with --quick, so a quick run never replaces the real figures)")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in (args.sizes or ("200,500" if args.quick else "10000,100000")).split(",")]
    args.db = (args.db or ("sqlite" if args.quick else "sqlite,postgres")).split(",")
    args.iterations = args.iterations or (3 if args.quick else 30)
    args.load_seconds = args.load_seconds or (2.0 if args.quick else 30.0)
    args.out = args.out or HERE / "results" / ("quick.md" if args.quick else "latest.md")
    return args


def environment(database_url: str, data_dir: Path) -> dict:
    """Production-like settings (DEBUG off) with a throwaway key, for the measuring process and gunicorn."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CLAUSETEN_", "DJANGO_"))}
    env.update(DATABASE_URL=database_url, CLAUSETEN_DATA_DIR=str(data_dir), CLAUSETEN_INSECURE_DEV_KEY="true",
               CLAUSETEN_ALLOWED_HOSTS="127.0.0.1,localhost,testserver", CLAUSETEN_SECURE_COOKIES="false",
               DJANGO_SETTINGS_MODULE="clauseten.settings", PYTHONPATH=str(ROOT))
    return env


def machine() -> str:
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")), 0)
    return f"{os.cpu_count()} cores, {memory_kb / 1024 / 1024:.1f} GiB memory, {platform.platform()}"


def commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


def collect_static(env: dict) -> None:
    # DEBUG off serves hashed static names: templates need the manifest, once per run.
    subprocess.run([sys.executable, "-m", "clauseten.cli", "collectstatic", "--noinput", "-v0"], env=env,
                   check=True, timeout=300, cwd=ROOT)


def measure_one(db: str, size: int, args, work: Path, run_load: bool) -> dict:
    with databases.throwaway(db, work, str(size)) as url:
        env = environment(url, work / "var")
        out = work / f"{db}-{size}.json"
        print(f"… {db}, {size} nonconformities: generating and measuring", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "bench.measure", "--size", str(size), "--iterations",
                        str(args.iterations), "--label", f"{db} {size}", "--out", str(out),
                        *(["--no-insight"] if args.quick else [])],
                       env=env, check=True, timeout=7200, cwd=ROOT)
        result = {"db": db, **json.loads(out.read_text())}
        if run_load:
            print(f"… {db}, {size}: load run under gunicorn", file=sys.stderr, flush=True)
            try:
                result["load"] = load.run(env, result.pop("token"), result["record"], args.load_seconds)
            except RuntimeError as exc:
                result["load"] = {"note": str(exc)}
        result.pop("token", None)
        return result


def main(argv=None) -> None:
    args = options(argv)
    results, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="clauseten-bench-") as folder:
        work = Path(folder)
        collect_static(environment(f"sqlite:///{work / 'static.sqlite3'}", work / "var"))
        for db in args.db:
            if db == "postgres" and (why := databases.postgres_available()):
                skipped.append(f"PostgreSQL ({why})")
                continue
            for size in args.sizes:
                results.append(measure_one(db, size, args, work, run_load=size == max(args.sizes)))
    meta = {"date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(),
            "commit": commit(), "iterations": args.iterations, "skipped": skipped}
    text = report.render(results, meta)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"(written to {args.out})", file=sys.stderr)


if __name__ == "__main__":
    main()
