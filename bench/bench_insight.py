"""Timings of the insight features against whatever database is configured (called by `make bench`).

run(label) -> [(what, seconds, note)]: the dashboard figures (uncached, then cached), the management review
pack as HTML and as PDF, the register as CSV and XLSX (every row, as a manager sees it) and the OSCAL POA&M.
"""

import time

from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory


def _timed(results: list, what: str, label: str, work) -> object:
    started = time.perf_counter()
    outcome = work()
    elapsed = time.perf_counter() - started
    note = outcome if isinstance(outcome, str) else ""
    results.append((f"{what} [{label}]", elapsed, note))
    return outcome


def _reader():
    """Someone who sees every record; unsaved, so the benchmark writes nothing."""
    from clauseten.accounts.models import User

    return User(username="bench", is_superuser=True, is_active=True)


def run(label: str) -> list[tuple[str, float, str]]:
    from clauseten.nonconformities import selectors
    from clauseten.nonconformities.models import Nonconformity
    from clauseten.reports import exports, metrics, oscal, review_pack
    from clauseten.reports.insight_views import PACK_TEMPLATE

    results: list[tuple[str, float, str]] = []
    total = Nonconformity.objects.count()
    filters = metrics.InsightFilter.from_query({})
    request = RequestFactory().get("/reports/review-pack/")
    request.user = _reader()
    cache.clear()
    _timed(results, "dashboard figures, uncached", label, lambda: metrics.figures(filters) and f"{total} NCs")
    _timed(results, "dashboard figures, cached", label, lambda: metrics.figures(filters) and "from the cache")

    def pack_html():
        context = {"filters": filters, "systems": [], "rule": "", "query": "", **review_pack.pack_context(filters)}
        return render_to_string(PACK_TEMPLATE, context, request=request)

    pages: list[str] = []
    _timed(results, "review pack HTML", label, lambda: pages.append(pack_html()) or f"{len(pages[0]) // 1024} KiB")
    _timed(results, "review pack PDF", label, lambda: f"{len(review_pack.render_pdf(pages[0])) // 1024} KiB")

    rows = selectors.register(request.user, selectors.RegisterFilter())

    def csv_export():
        size = sum(len(line) for line in exports.csv_lines(rows))
        return f"{total} rows, {size // 1024} KiB"

    def xlsx_export():
        with exports.xlsx_file(rows) as target:
            return f"{total} rows, {len(target.read()) // 1024} KiB"

    _timed(results, "register CSV", label, csv_export)
    _timed(results, "register XLSX", label, xlsx_export)
    _timed(results, "OSCAL POA&M", label,
           lambda: f"{len(oscal.build_poam()['plan-of-action-and-milestones'].get('risks', []))} open NCs")
    return results


if __name__ == "__main__":  # a quick look without `make bench`: python -m bench.bench_insight
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauseten.settings")
    django.setup()
    for what, seconds, note in run("local"):
        print(f"{what:55} {seconds:8.3f} s  {note}")
