"""The management review pack (ISO/IEC 27001 9.3.2 inputs c, d, f): one HTML template, also printed to PDF.

The PDF is WeasyPrint drawing the page's own template under print media, so page and paper never differ.
"""

from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.staticfiles import finders
from django.db.models import QuerySet
from django.utils import timezone

from clauseten.nonconformities.models import Action, Classification, EffectivenessReview

from . import charts, metrics
from .metrics import Figures, InsightFilter

LIST_LIMIT = 200  # rows per list in the pack; the rest is counted ("and 40 more"), the register has them all


@dataclass
class Listing:
    """The first LIST_LIMIT rows of a list and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


def listing(rows: QuerySet, limit: int = LIST_LIMIT) -> Listing:
    return Listing(rows=list(rows[:limit]), total=rows.count())


def figure_charts(figures: Figures) -> dict:
    return {
        "open_by_state": charts.bar_chart("Open records by state", figures.open_by_state),
        "open_by_classification": charts.bar_chart("Open records by classification",
                                                   figures.open_by_classification),
        "open_age": charts.bar_chart("Age of open records", figures.open_age),
        "by_source": charts.stacked_columns("Reported per month, by source", figures.by_source.months,
                                            figures.by_source.series),
        "by_requirement": charts.stacked_columns("Reported per month, by requirement",
                                                 figures.by_requirement.months, figures.by_requirement.series),
        "by_area": charts.stacked_columns("Reported per month, by area", figures.by_area.months,
                                          figures.by_area.series),
    }


def previous_review_actions(filters: InsightFilter) -> list:
    """Actions decided at the previous management review, with their status.

    The improvements app has no management review model yet; until it has, the pack says so in its section.
    """
    if not apps.is_installed("clauseten.improvements"):
        return []
    try:
        apps.get_model("improvements", "ManagementReview")
    except LookupError:
        return []
    return []


def pack_context(filters: InsightFilter) -> dict:
    figures = metrics.figures(filters)
    system = metrics.in_system(filters)
    improvements = apps.get_model("improvements", "Improvement").objects.filter(
        created_at__gte=filters.start_at, created_at__lt=filters.end_before)
    reviews = EffectivenessReview.objects.filter(
        reviewed_at__gte=filters.start_at, reviewed_at__lt=filters.end_before)
    if filters.management_system:
        improvements = improvements.filter(management_system_id=filters.management_system)
        reviews = reviews.filter(nonconformity__management_system_id=filters.management_system)
    return {
        "figures": figures,
        "charts": figure_charts(figures),
        "signals": figures.signals,
        "open_majors": listing(system.exclude(state__in=metrics.FINAL_STATES)
                               .filter(classification=Classification.MAJOR)
                               .select_related("owner").order_by("due_date", "reported_at", "id")),
        "overdue_actions": listing(metrics.overdue_actions(filters, timezone.localdate())
                                   .select_related("owner", "nonconformity").order_by("due_date", "id")),
        "effectiveness_reviews": listing(reviews.select_related("nonconformity", "reviewed_by")
                                         .order_by("reviewed_at", "id")),
        "improvements": listing(improvements.select_related("created_by").order_by("created_at", "id")),
        "previous_review_actions": previous_review_actions(filters),
        "Action": Action,
    }


def _static_fetcher():
    """A WeasyPrint fetcher that reads our own static files and nothing else: no network from a PDF build."""
    from django.conf import settings
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    prefix = "/" + settings.STATIC_URL.strip("/") + "/"

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
            if path.startswith(prefix):
                name = path[len(prefix):].split("?")[0]
                found = finders.find(name) or Path(settings.STATIC_ROOT) / name
                if found and Path(found).is_file():
                    kind = "text/css" if str(found).endswith(".css") else "application/octet-stream"
                    return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": kind})
            raise ValueError(f"Not fetched while printing: {url}")

    return StaticOnly()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="http://clauseten.invalid/", url_fetcher=_static_fetcher()).write_pdf()
