"""The management review pack (ISO/IEC 27001 9.3.2 inputs c, d, f): one HTML template, also printed to PDF.

The PDF is WeasyPrint drawing the page's own template under print media, so page and paper never differ.
"""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import QuerySet
from django.utils import timezone

from clauseten.improvements.models import Improvement, ManagementReview, ReviewDecision
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
        "by_catalogue": charts.stacked_columns("Reported per month, by catalogue requirement",
                                               figures.by_catalogue.months, figures.by_catalogue.series)
        if figures.by_catalogue.series else None,
    }


@dataclass
class DecisionStatus:
    reference: str
    text: str
    owner: object
    due_date: object
    status: str
    overdue: bool


def previous_review(filters: InsightFilter):
    """The latest management review held by the end of the period, and where each of its decisions stands."""
    reviews = ManagementReview.objects.filter(held_on__lte=filters.end)
    if filters.management_system:
        reviews = reviews.filter(management_system_id=filters.management_system)
    review = reviews.order_by("-held_on", "-id").first()
    if review is None:
        return None, []
    finished = {Improvement.State.IMPLEMENTED, Improvement.State.REVIEWED, Improvement.State.DECLINED,
                *metrics.FINAL_STATES}
    today = timezone.localdate()
    decisions = []
    for decision in (ReviewDecision.objects.filter(review=review)
                     .select_related("owner", "improvement", "nonconformity").order_by("created_at", "id")):
        record = decision.record
        decisions.append(DecisionStatus(
            reference=record.reference, text=decision.text, owner=decision.owner, due_date=decision.due_date,
            status=record.get_state_display(),
            overdue=decision.due_date < today and record.state not in finished))
    return review, decisions


def pack_context(filters: InsightFilter) -> dict:
    figures = metrics.figures(filters)
    review, decisions = previous_review(filters)
    system = metrics.in_system(filters)
    improvements = Improvement.objects.filter(
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
        "previous_review": review,
        "previous_review_actions": decisions,
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
                # The finders, then collected files, then the project's own static folder (not an app's).
                candidates = [finders.find(name), Path(settings.STATIC_ROOT) / name,
                              Path(settings.BASE_DIR) / "static" / name]
                found = next((c for c in candidates if c and Path(c).is_file()), None)
                if found:
                    kind = "text/css" if str(found).endswith(".css") else "application/octet-stream"
                    return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": kind})
            raise ValueError(f"Not fetched while printing: {url}")

    return StaticOnly()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="http://clauseten.invalid/", url_fetcher=_static_fetcher()).write_pdf()
