"""The figures of the dashboard and the management review pack (ISO/IEC 27001 9.1, 9.3, 10.2).

Every count is a GROUP BY in the database; percentiles read the two rows around each position of a column
ordered in SQL, so the cost does not grow in Python with the number of nonconformities. Computed cold, every
figure must stay fast at 100 000 records on SQLite too: nothing here makes SQLite call back into Python per row
(no Trunc, no Django datetime subtraction; see counts_between and Elapsed). Figures are cached under a key that
names the filters, the newest event and the day: any write anywhere appends an event and so changes the key,
which keeps the cache right across processes.
"""

import datetime as dt
import hashlib
import math
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    F,
    Func,
    Q,
    QuerySet,
    Window,
)
from django.db.models.expressions import TemporalSubtraction
from django.db.models.functions import RowNumber
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
from .periods import counts_between, midnights, regroup
from .trends import months_back

# Filter by `state__in=OPEN_STATES`, not by excluding FINAL_STATES: only the positive list can use an index.
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
    rows = Action.objects.filter(status=Action.Status.PLANNED, due_date__lt=today,
                                 nonconformity__state__in=OPEN_STATES)
    if filters.management_system:
        rows = rows.filter(nonconformity__management_system_id=filters.management_system)
    return rows


# --- figures ----------------------------------------------------------------------------------------------

class Elapsed(Func):
    """`end - start` of two datetime columns, as a duration.

    Django's own subtraction calls back into Python for every row on SQLite (`django_timestamp_diff`), which made
    ordering by it the slowest part of the percentiles. There SQLite counts the microseconds itself from the stored
    text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC): whole seconds by strftime on the first 19 characters (strftime
    would round a fraction), plus the difference of the fractions. Exact, like Django's; PostgreSQL subtracts.
    """

    arity = 2
    output_field = DurationField()

    def __init__(self, start: str, end: str):
        super().__init__(F(start), F(end))

    def as_sql(self, compiler, connection, **extra_context):
        start, end = self.get_source_expressions()
        return compiler.compile(TemporalSubtraction(end, start))

    def as_sqlite(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params) = (compiler.compile(e) for e in self.get_source_expressions())

        def microseconds(column: str) -> str:
            return (f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
                    f" + CAST(substr({column}, 21, 6) AS INTEGER))")

        return f"({microseconds(end)} - {microseconds(start)})", (*end_params, *end_params, *start_params, *start_params)


def percentiles(rows: QuerySet, column: str, count: int, fractions: list[float]) -> list:
    """Linear-interpolated percentiles (as NumPy's default) of `column` over `count` rows, in one query that reads
    only the two rows either side of each position of the column ordered in SQL."""
    if count == 0:
        return [None] * len(fractions)
    positions = [(count - 1) * fraction for fraction in fractions]
    wanted = {row for position in positions for row in (math.floor(position) + 1, math.floor(position) + 2)}
    ranked = rows.order_by().annotate(row=Window(RowNumber(), order_by=F(column).asc())).filter(row__in=wanted)
    at = dict(ranked.values_list("row", column))
    found = []
    for position in positions:
        low = math.floor(position)
        first = at[low + 1]
        second = at.get(low + 2, first)  # the last row: nothing after it to interpolate towards
        found.append(first + (second - first) * (position - low))
    return found


def durations(rows: QuerySet[Nonconformity], start: str, end: str, count: int) -> Durations:
    """Median and 90th percentile of `end - start`, in days, over the `count` rows where `end` is set."""
    rows = rows.filter(**{f"{end}__isnull": False}).annotate(span=Elapsed(start, end))
    as_days = lambda value: None if value is None else round(value.total_seconds() / 86400, 1)
    median, p90 = percentiles(rows, "span", count, [0.5, 0.9])
    return Durations(count=count, median_days=as_days(median), p90_days=as_days(p90))


def effectiveness_rate(rows: QuerySet[Nonconformity]) -> Rate:
    """Share of reviewed NCs whose FIRST effectiveness review found the actions effective (10.2 d)."""
    # One sort of the period's reviews, numbered per NC, rather than a sorted subquery for every NC of the period.
    first = (EffectivenessReview.objects.filter(nonconformity__in=rows).order_by()
             .annotate(nth=Window(RowNumber(), partition_by=F("nonconformity"),
                                  order_by=[F("reviewed_at").asc(), F("id").asc()]))
             .filter(nth=1))
    totals = first.aggregate(reviewed=Count("pk"),
                             effective=Count("pk", filter=Q(verdict=EffectivenessReview.Verdict.EFFECTIVE)))
    return Rate(totals["effective"], totals["reviewed"])


def recurrence_rate(closed: QuerySet[Nonconformity], count: int) -> Rate:
    """Share of the `count` closed NCs that a nonconformity reported after the closure links to (recurrence or
    similar)."""
    # From the links (few) to the NCs, not a subquery for every closed NC: that one looked costly enough to
    # PostgreSQL's planner to switch on JIT compilation, which alone took ~200 ms.
    recurred = (NonconformityLink.objects.filter(target__in=closed, source__reported_at__gt=F("target__closed_at"))
                .values("target").distinct().count())
    return Rate(recurred, count)


# --- counts over time -------------------------------------------------------------------------------------

def month_list(filters: InsightFilter) -> list[dt.date]:
    months, month = [], filters.start.replace(day=1)
    while month <= filters.end:
        months.append(month)
        month = months_back(month, -1)
    return months


def months_and_quarters(system: QuerySet[Nonconformity], filters: InsightFilter, months: list[dt.date],
                        quarters: list[dt.date]) -> dict[str, tuple[dict, dict]]:
    """Per trend dimension (requirement, area, source): counts per month of the period and per quarter of the
    trend window, from one GROUP BY over both.

    Month and quarter starts and the period's ends (which may fall mid-month) cut time into intervals that each
    lie in one month, in one quarter, and wholly in or out of the period; their counts add up to either.
    """
    by_month = midnights([*months, months_back(months[-1], -1)])
    by_quarter = midnights([*quarters, months_back(quarters[-1], -3)])
    bounds = sorted({filters.start_at, filters.end_before, *by_month, *by_quarter})
    found = {}
    for dimension in trends.DIMENSIONS:
        counts = counts_between(system, dimension, bounds)
        found[dimension] = (regroup(counts, bounds, by_month, filters.start_at, filters.end_before),
                            regroup(counts, bounds, by_quarter))
    return found


def breakdown(counts: dict[object, list[int]], months: list[dt.date], labels: dict | None = None,
              top: int = TOP_N) -> Breakdown:
    """Monthly counts per value (a missing value as '(not given)'); the `top` largest kept, the rest as 'Other'."""
    per_value: dict[object, list[int]] = {}
    for value, series in counts.items():
        merged = per_value.setdefault(value or "(not given)", [0] * len(months))
        merged[:] = [a + b for a, b in zip(merged, series)]
    ranked = sorted(per_value.items(), key=lambda item: (-sum(item[1]), item[0]))
    series = {(labels or {}).get(key, key): counts for key, counts in ranked[:top]}
    if len(ranked) > top:
        series["Other"] = [sum(column) for column in zip(*(counts for _, counts in ranked[top:]))]
    return Breakdown(months=months, series=series)


def catalogue_breakdown(period: QuerySet[Nonconformity], months: list[dt.date]) -> Breakdown:
    """The same monthly counts by the catalogue requirements linked to the NCs (where the catalogue is used)."""
    links = NonconformityRequirement.objects.filter(removed_at__isnull=True, nonconformity__in=period)
    bounds = midnights([*months, months_back(months[-1], -1)])
    counts = breakdown(counts_between(links, "requirement_id", bounds, at="nonconformity__reported_at"), months)
    ids = [key for key in counts.series if isinstance(key, int)]
    names = {r.pk: f"{r.standard.name} {r.label}" for r in Requirement.objects.filter(pk__in=ids)
             .select_related("standard")}
    return Breakdown(months=months, series={names.get(key, key): value for key, value in counts.series.items()})


def trend_signals(quarterly: dict[str, dict[object, list[int]]]) -> list[trends.Signal]:
    """trends' rule over the quarters of months_and_quarters, without its TruncQuarter GROUP BYs (on SQLite, a
    Python call for each of the window's rows)."""
    return trends.signals_from_counts(quarterly, "quarter")


# --- all of them ------------------------------------------------------------------------------------------

def open_counts(system: QuerySet[Nonconformity], today: dt.date, now: dt.datetime) -> tuple[Counter, Counter, Counter]:
    """The open NCs by state, by classification, and by age bucket and "overdue", from one GROUP BY."""
    ages = {f"age{low}": Count("pk", filter=Q(reported_at__lte=now - dt.timedelta(days=low))
                               & (Q() if high is None else Q(reported_at__gt=now - dt.timedelta(days=high + 1))))
            for low, high, label in AGE_BUCKETS}
    grouped = (system.filter(state__in=OPEN_STATES).values("state", "classification")
               .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)), **ages).order_by())
    by_state, by_class, others = Counter(), Counter(), Counter()
    for row in grouped:
        by_state[row.pop("state")] += row["n"]
        by_class[row.pop("classification")] += row.pop("n")
        others.update(row)
    return by_state, by_class, others


def compute(filters: InsightFilter, today: dt.date | None = None) -> Figures:
    today = today or timezone.localdate()
    now = timezone.now()
    system = in_system(filters)
    state_counts, class_counts, open_others = open_counts(system, today, now)
    period = reported_in(filters)
    totals = period.aggregate(reported=Count("pk"), contained=Count("contained_at"), closed=Count("closed_at"),
                              closed_state=Count("pk", filter=Q(state=State.CLOSED)))
    months = month_list(filters)
    counts = months_and_quarters(system, filters, months,
                                 trends.period_starts(filters.end, "quarter", trends.HISTORY))
    return Figures(
        filters=filters, computed_at=now,
        open_by_state=[(s.label, state_counts[s.value]) for s in OPEN_STATES],
        open_by_classification=[(c.label, class_counts[c.value]) for c in Classification]
        + [("Not yet classified", class_counts[""])],
        open_total=sum(state_counts.values()),
        open_major=class_counts[Classification.MAJOR],
        overdue_ncs=open_others["overdue"],
        overdue_actions=overdue_actions(filters, today).count(),
        open_age=[(label, open_others[f"age{low}"]) for low, _, label in AGE_BUCKETS],
        reported_in_period=totals["reported"],
        closed_in_period=system.filter(closed_at__gte=filters.start_at, closed_at__lt=filters.end_before).count(),
        time_to_contain=durations(period, "reported_at", "contained_at", totals["contained"]),
        time_to_close=durations(period, "reported_at", "closed_at", totals["closed"]),
        effectiveness=effectiveness_rate(period),
        recurrence=recurrence_rate(period.filter(state=State.CLOSED), totals["closed_state"]),
        by_source=breakdown(counts["source"][0], months, labels=dict(Source.choices)),
        by_requirement=breakdown(counts["requirement"][0], months),
        by_area=breakdown(counts["area"][0], months),
        by_catalogue=catalogue_breakdown(period, months),
        signals=trend_signals({dimension: quarterly for dimension, (_, quarterly) in counts.items()}),
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
