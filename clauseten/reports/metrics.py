"""The figures of the dashboard and the management review pack (ISO/IEC 27001 9.1, 9.3, 10.2).

Every count is a GROUP BY in the database; percentiles read at most two rows of an ordered column, so the
cost does not grow in Python with the number of nonconformities. Figures are cached under a key that names
the filters, the newest event and the day: any write anywhere appends an event and so changes the key, which
keeps the cache right across processes.
"""

import datetime as dt
import hashlib
import math
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from clauseten.catalog.models import NonconformityRequirement, Requirement
from clauseten.events.models import ChainHead
from clauseten.nonconformities.models import (
    FINAL_STATES,
    Action,
    Classification,
    EffectivenessReview,
    Nonconformity,
    NonconformityLink,
    Source,
    State,
)

from . import trends
from .trends import months_back

OPEN_STATES = [s for s in State if s not in FINAL_STATES]
AGE_BUCKETS = [(0, 30, "up to 30 days"), (31, 90, "31–90 days"), (91, 180, "91–180 days"), (181, None, "over 180 days")]
TOP_N = 6  # per breakdown; the rest are summed as "Other" so a chart stays readable
CACHE_SECONDS = 15 * 60


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class InsightFilter:
    """Management system and period (inclusive dates) of the dashboard, the pack and their exports."""

    start: dt.date
    end: dt.date
    management_system: int | None = None

    @classmethod
    def from_query(cls, query, today: dt.date | None = None) -> "InsightFilter":
        """`from`, `to` (ISO dates) and `management_system`; unreadable values fall back to the last 12 months."""
        today = today or timezone.localdate()
        end = _date(query.get("to")) or today
        start = _date(query.get("from")) or months_back(end, 11)
        if start > end:
            start, end = end, start
        system = query.get("management_system") or ""
        return cls(start=start, end=end, management_system=int(system) if system.isdigit() else None)

    def as_query(self) -> dict:
        query = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.management_system:
            query["management_system"] = str(self.management_system)
        return query

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))


@dataclass
class Durations:
    """Median and 90th percentile of a duration, in days, over `count` records."""

    count: int = 0
    median_days: float | None = None
    p90_days: float | None = None


@dataclass
class Rate:
    numerator: int = 0
    denominator: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


@dataclass
class Breakdown:
    """Counts per month for the largest categories of one dimension (source, requirement or area)."""

    months: list[dt.date]
    series: dict[str, list[int]]


@dataclass
class Figures:
    filters: InsightFilter
    computed_at: dt.datetime
    open_by_state: list[tuple[str, int]]
    open_by_classification: list[tuple[str, int]]
    open_total: int
    open_major: int
    overdue_ncs: int
    overdue_actions: int
    open_age: list[tuple[str, int]]
    reported_in_period: int
    closed_in_period: int
    time_to_contain: Durations
    time_to_close: Durations
    effectiveness: Rate
    recurrence: Rate
    by_source: Breakdown
    by_requirement: Breakdown
    by_area: Breakdown
    by_catalogue: Breakdown
    signals: list[trends.Signal] = field(default_factory=list)


# --- querysets --------------------------------------------------------------------------------------------

def in_system(filters: InsightFilter) -> QuerySet[Nonconformity]:
    rows = Nonconformity.objects.all()
    if filters.management_system:
        rows = rows.filter(management_system_id=filters.management_system)
    return rows


def reported_in(filters: InsightFilter) -> QuerySet[Nonconformity]:
    return in_system(filters).filter(reported_at__gte=filters.start_at, reported_at__lt=filters.end_before)


def overdue_actions(filters: InsightFilter, today: dt.date) -> QuerySet[Action]:
    rows = Action.objects.filter(status=Action.Status.PLANNED, due_date__lt=today).exclude(
        nonconformity__state__in=FINAL_STATES)
    if filters.management_system:
        rows = rows.filter(nonconformity__management_system_id=filters.management_system)
    return rows


# --- figures ----------------------------------------------------------------------------------------------

def percentile_of_ordered(rows: QuerySet, column: str, count: int, fraction: float) -> float | None:
    """Linear-interpolated percentile (as NumPy's default) read from two rows of the column ordered in SQL."""
    if count == 0:
        return None
    position = (count - 1) * fraction
    low = math.floor(position)
    values = list(rows.order_by(column).values_list(column, flat=True)[low:low + 2])
    first = values[0]
    second = values[1] if len(values) > 1 else first
    return first + (second - first) * (position - low)


def durations(rows: QuerySet[Nonconformity], start: str, end: str) -> Durations:
    """Median and 90th percentile of `end - start`, in days, over the rows where `end` is set."""
    # Subtracting two datetimes gives an interval on PostgreSQL and microseconds on SQLite; Django hides both.
    span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    rows = rows.filter(**{f"{end}__isnull": False}).annotate(span=span)
    count = rows.count()
    as_days = lambda value: None if value is None else round(value.total_seconds() / 86400, 1)
    return Durations(count=count, median_days=as_days(percentile_of_ordered(rows, "span", count, 0.5)),
                     p90_days=as_days(percentile_of_ordered(rows, "span", count, 0.9)))


def effectiveness_rate(rows: QuerySet[Nonconformity]) -> Rate:
    """Share of reviewed NCs whose FIRST effectiveness review found the actions effective (10.2 d)."""
    first = EffectivenessReview.objects.filter(nonconformity=OuterRef("pk")).order_by("reviewed_at", "id")
    totals = (rows.annotate(first_verdict=Subquery(first.values("verdict")[:1]))
              .aggregate(reviewed=Count("pk", filter=Q(first_verdict__isnull=False)),
                         effective=Count("pk", filter=Q(first_verdict=EffectivenessReview.Verdict.EFFECTIVE))))
    return Rate(totals["effective"], totals["reviewed"])


def recurrence_rate(rows: QuerySet[Nonconformity]) -> Rate:
    """Share of closed NCs that a nonconformity reported after the closure links to (recurrence or similar)."""
    later = NonconformityLink.objects.filter(target=OuterRef("pk"), source__reported_at__gt=OuterRef("closed_at"))
    totals = rows.filter(state=State.CLOSED).aggregate(
        closed=Count("pk"), recurred=Count("pk", filter=Q(Exists(later))))
    return Rate(totals["recurred"], totals["closed"])


def month_list(filters: InsightFilter) -> list[dt.date]:
    months, month = [], filters.start.replace(day=1)
    while month <= filters.end:
        months.append(month)
        month = months_back(month, -1)
    return months


def breakdown(rows: QuerySet, dimension: str, months: list[dt.date], labels: dict | None = None,
              top: int = TOP_N, reported_at: str = "reported_at") -> Breakdown:
    """Counts per (month, value of `dimension`), grouped in SQL; the `top` largest kept, the rest as 'Other'."""
    grouped = (rows.annotate(month=TruncMonth(reported_at))
               .values("month", dimension).annotate(n=Count("pk")).order_by())
    index = {month: i for i, month in enumerate(months)}
    per_value: dict[str, list[int]] = {}
    for row in grouped:
        month = timezone.localtime(row["month"]).date() if timezone.is_aware(row["month"]) else row["month"].date()
        if month not in index:
            continue
        key = row[dimension] or "(not given)"
        per_value.setdefault(key, [0] * len(months))[index[month]] += row["n"]
    ranked = sorted(per_value.items(), key=lambda item: (-sum(item[1]), item[0]))
    series = {(labels or {}).get(key, key): counts for key, counts in ranked[:top]}
    if len(ranked) > top:
        series["Other"] = [sum(column) for column in zip(*(counts for _, counts in ranked[top:]))]
    return Breakdown(months=months, series=series)


def catalogue_breakdown(period: QuerySet[Nonconformity], months: list[dt.date]) -> Breakdown:
    """The same monthly counts by the catalogue requirements linked to the NCs (where the catalogue is used)."""
    links = NonconformityRequirement.objects.filter(removed_at__isnull=True, nonconformity__in=period)
    counts = breakdown(links, "requirement_id", months, reported_at="nonconformity__reported_at")
    ids = [key for key in counts.series if isinstance(key, int)]
    names = {r.pk: f"{r.standard.name} {r.label}" for r in Requirement.objects.filter(pk__in=ids)
             .select_related("standard")}
    return Breakdown(months=months, series={names.get(key, key): value for key, value in counts.series.items()})


def compute(filters: InsightFilter, today: dt.date | None = None) -> Figures:
    today = today or timezone.localdate()
    now = timezone.now()
    system = in_system(filters)
    current = system.exclude(state__in=FINAL_STATES)
    state_counts = dict(current.values_list("state").annotate(n=Count("pk")).order_by())
    class_counts = dict(current.values_list("classification").annotate(n=Count("pk")).order_by())
    age_filters = {f"age{low}": Count("pk", filter=Q(reported_at__lte=now - dt.timedelta(days=low))
                                & (Q() if high is None else Q(reported_at__gt=now - dt.timedelta(days=high + 1))))
                   for low, high, label in AGE_BUCKETS}
    ages = current.aggregate(**age_filters)
    period = reported_in(filters)
    months = month_list(filters)
    return Figures(
        filters=filters, computed_at=now,
        open_by_state=[(s.label, state_counts.get(s.value, 0)) for s in OPEN_STATES],
        open_by_classification=[(c.label, class_counts.get(c.value, 0)) for c in Classification]
        + [("Not yet classified", class_counts.get("", 0))],
        open_total=sum(state_counts.values()),
        open_major=class_counts.get(Classification.MAJOR, 0),
        overdue_ncs=current.filter(due_date__lt=today).count(),
        overdue_actions=overdue_actions(filters, today).count(),
        open_age=[(label, ages[f"age{low}"]) for low, _, label in AGE_BUCKETS],
        reported_in_period=period.count(),
        closed_in_period=system.filter(closed_at__gte=filters.start_at, closed_at__lt=filters.end_before).count(),
        time_to_contain=durations(period, "reported_at", "contained_at"),
        time_to_close=durations(period, "reported_at", "closed_at"),
        effectiveness=effectiveness_rate(period),
        recurrence=recurrence_rate(period),
        by_source=breakdown(period, "source", months, labels=dict(Source.choices)),
        by_requirement=breakdown(period, "requirement", months),
        by_area=breakdown(period, "area", months),
        by_catalogue=catalogue_breakdown(period, months),
        signals=trends.signals(system, end=filters.end),
    )


def cache_key(filters: InsightFilter, today: dt.date) -> str:
    # The head's hash, not only its number: a restored or another database with as many events differs.
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, "")
    raw = f"{sorted(asdict(filters).items())}|{head}|{today.isoformat()}"
    return "insight:figures:" + hashlib.sha256(raw.encode()).hexdigest()


def figures(filters: InsightFilter, today: dt.date | None = None) -> Figures:
    """The dashboard's figures, from the cache while nothing has been written since they were computed."""
    today = today or timezone.localdate()
    key = cache_key(filters, today)
    found = cache.get(key)
    if found is None:
        found = compute(filters, today)
        cache.set(key, found, CACHE_SECONDS)
    return found
