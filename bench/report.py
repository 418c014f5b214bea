"""The table `make bench` prints and writes to bench/results/latest.md, with the budgets beside the figures."""

from dataclasses import dataclass

# Budgets (issue "Scale and speed"), at 100 000 nonconformities on a 2-core machine; milliseconds unless named.
PAGE_P95_MS = 100
RECORD_P95_MS = 60
DASHBOARD_COLD_MS, DASHBOARD_UNCHANGED_MS = 500, 100
EXPORT_S, EXPORT_GROWTH_MB = 15, 150
VERIFY_S_PER_MILLION = 20
LOAD_RPS, WORKER_RSS_MB = 300, 150
FLOOR_RATIO, FLAT_RATIO = 4, 1.5
MIGRATE_S = 30


@dataclass
class Verdict:
    what: str
    figure: str
    budget: str
    met: bool | None  # None: not measured

    @property
    def word(self) -> str:
        return {True: "met", False: "MISSED", None: "n/a"}[self.met]


def _budget_of(name: str) -> float | None:
    if name.startswith("record page"):
        return RECORD_P95_MS
    if name.startswith(("register page", "list API", "deep page")):
        return PAGE_P95_MS
    if name == "dashboard, cold":
        return DASHBOARD_COLD_MS
    if name == "dashboard, unchanged":
        return DASHBOARD_UNCHANGED_MS
    return None


def request_table(result: dict) -> list[str]:
    lines = ["| what | p50 ms | p95 ms | floor p50 ms | × floor | queries | budget p95 | |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in result["requests"]:
        if "p50" not in row:
            lines.append(f"| {row['name']} | | | | | | | {row.get('note', '')} |")
            continue
        budget = _budget_of(row["name"])
        floor = row.get("floor_p50")
        ratio = f"{row['p50'] / floor:.1f}" if floor else ""
        verdict = "" if budget is None else ("met" if row["p95"] < budget else "MISSED")
        lines.append(f"| {row['name']} | {row['p50']:.1f} | {row['p95']:.1f} | {floor or 0:.2f} | {ratio} | "
                     f"{row.get('queries', '')} | {budget or ''} | {verdict} |")
    return lines


def other_lines(result: dict) -> list[str]:
    lines = [f"- migrate on an empty database: {result['migrate_s']:.1f} s; generated {result['generated']}"]
    export = result.get("export", {})
    if "seconds" in export:
        lines.append(f"- CSV export of all {export['rows']} rows: {export['seconds']:.1f} s "
                     f"(floor {export['floor_s']:.1f} s, ×{export['seconds'] / max(export['floor_s'], 1e-9):.1f}), "
                     f"{export['bytes'] // 1024} KiB, peak memory growth {export['peak_growth_mb']:.0f} MB")
    else:
        lines.append(f"- CSV export: {export.get('note', 'not measured')}")
    verify = result["verify"]
    lines.append(f"- verify-events over {verify['events']} events: {verify['seconds']:.1f} s "
                 f"(reading them by plain SQL: {verify['floor_s']:.1f} s), chain "
                 f"{'intact' if verify['intact'] else 'BROKEN'}")
    for what, seconds, note in result.get("insight", []):
        lines.append(f"- {what}: {seconds:.2f} s {note}")
    load = result.get("load")
    if load and "list" in load:
        for name in ("list", "record"):
            figures = load[name]
            lines.append(f"- load, {name} API, concurrency {load['concurrency']}, {figures['seconds']:.0f} s: "
                         f"{figures['rps']:.0f} req/s, p50 {figures['p50']:.0f} ms, p99 {figures['p99']:.0f} ms, "
                         f"{figures['errors']} errors of {figures['requests']}")
        lines.append("- worker RSS after the load: " + ", ".join(f"{mb:.0f} MB" for mb in load["worker_rss_mb"]))
    elif load:
        lines.append(f"- load: {load.get('note')}")
    return lines


def _row(result: dict, name: str) -> dict:
    return next((row for row in result["requests"] if row["name"] == name and "p95" in row), {})


def verdicts(results: list[dict]) -> list[Verdict]:
    """Every budget against the largest size measured on each database."""
    out: list[Verdict] = []
    for db in dict.fromkeys(result["db"] for result in results):
        mine = sorted((r for r in results if r["db"] == db), key=lambda r: r["size"])
        top, small = mine[-1], mine[0]
        tag = f"{db} {top['size']}"

        def add(what, figure, budget, met, tag=tag):
            out.append(Verdict(f"{what} [{tag}]", figure, budget, met))

        for row in top["requests"]:
            budget = _budget_of(row["name"])
            if budget is not None:
                met = row["p95"] < budget if "p95" in row else None
                add(f"{row['name']} p95", f"{row['p95']:.1f} ms" if "p95" in row else "-", f"< {budget} ms", met)
        lists = [row for row in top["requests"] if row["name"].startswith("list API") and row.get("floor_p50")]
        if lists:
            worst = max(lists, key=lambda row: row["p50"] / row["floor_p50"])
            ratio = worst["p50"] / worst["floor_p50"]
            add("list API vs plain SQL (worst, p50)", f"{ratio:.1f}× ({worst['name']})", f"≤ {FLOOR_RATIO}×",
                ratio <= FLOOR_RATIO)
        big, little = _row(top, "list API"), _row(small, "list API")
        if big and little and top is not small:
            ratio = big["p95"] / little["p95"]
            add(f"flat: list API p95 at {top['size']} vs {small['size']}", f"{ratio:.2f}×", f"≤ {FLAT_RATIO}×",
                ratio <= FLAT_RATIO)
        export = top.get("export", {})
        add("CSV export time", f"{export['seconds']:.1f} s" if "seconds" in export else "-", f"< {EXPORT_S} s",
            export["seconds"] < EXPORT_S if "seconds" in export else None)
        add("CSV export peak memory growth", f"{export.get('peak_growth_mb', 0):.0f} MB",
            f"< {EXPORT_GROWTH_MB} MB", export["peak_growth_mb"] < EXPORT_GROWTH_MB if "seconds" in export else None)
        verify = top["verify"]
        per_million = verify["seconds"] * 1_000_000 / max(verify["events"], 1)
        add("verify-events per 1 000 000 events", f"{per_million:.1f} s ({verify['events']} events)",
            f"< {VERIFY_S_PER_MILLION} s", per_million < VERIFY_S_PER_MILLION and verify["intact"])
        add("migrate on an empty database", f"{top['migrate_s']:.1f} s", f"< {MIGRATE_S} s", top["migrate_s"] < MIGRATE_S)
        load = top.get("load") or {}
        if "list" in load:
            errors = load["list"]["errors"] + load["record"]["errors"]
            add("load errors", str(errors), "0", errors == 0)
            add("load: list API req/s at concurrency 16", f"{load['list']['rps']:.0f}", f"≥ {LOAD_RPS}",
                load["list"]["rps"] >= LOAD_RPS)
            biggest = max(load["worker_rss_mb"], default=0)
            add("worker RSS after the load (largest)", f"{biggest:.0f} MB", f"< {WORKER_RSS_MB} MB",
                bool(load["worker_rss_mb"]) and biggest < WORKER_RSS_MB)
    return out


def render(results: list[dict], meta: dict) -> str:
    lines = [f"# Clause Ten benchmark, {meta['date']}", "",
             f"Machine: {meta['machine']}. Commit: {meta['commit']}. Iterations per figure: {meta['iterations']}.",
             ("Server time = in-process Django test Client wall time, warm (no HTTP parsing, no network); "
              "floor = the same rows by plain SQL of the same shape; × floor = p50 / floor p50."), ""]
    for result in results:
        lines += [f"## {result['db']}, {result['size']} nonconformities", "", *request_table(result), "",
                  *other_lines(result), ""]
    for note in meta.get("skipped", []):
        lines.append(f"- skipped: {note}")
    checks = verdicts(results)
    lines += ["", "## Budgets", "", "| budget | figure | limit | |", "|---|---|---|---|"]
    lines += [f"| {v.what} | {v.figure} | {v.budget} | {v.word} |" for v in checks]
    met = sum(1 for v in checks if v.met)
    lines += ["", f"{met} of {len(checks)} budgets met."]
    return "\n".join(lines) + "\n"
