"""Trend signals (ISO/IEC 27001 9.1, 10.2 b): where a requirement, area or source has clearly more
nonconformities in the latest period than in its own recent history.

The rule, stated on the page as RULE: with λ the mean count of the previous HISTORY periods, the latest count
k is a signal when k ≥ MIN_COUNT and P(X ≥ k | X ~ Poisson(λ)) < ALPHA. A one-sided test, because only a rise
calls for action; MIN_COUNT keeps one or two records from ever raising an alarm on their own.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from clauseten.nonconformities.models import Nonconformity, Source

ALPHA = 0.01
MIN_COUNT = 3
HISTORY = 4
DIMENSIONS = {"requirement": "Requirement", "area": "Area", "source": "Source"}
PERIODS = {"quarter": (3, TruncQuarter), "month": (1, TruncMonth)}

RULE = (f"A requirement, area or source is flagged when its count in the latest period is at least {MIN_COUNT} "
        f"and would happen by chance with probability below {ALPHA} if it kept its mean rate of the previous "
        f"{HISTORY} periods (one-sided Poisson upper-tail test: p = P(X ≥ observed | λ = mean before)).")


def months_back(day: dt.date, months: int) -> dt.date:
    """First day of the month `months` before `day`'s month (negative: after)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def poisson_upper_tail(observed: int, mean: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(mean), summed from the tail itself so tiny p-values stay exact."""
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if observed <= mean:
        # Here the tail is large; 1 - CDF loses nothing worth keeping.
        below = sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(observed))
        return max(0.0, 1.0 - below)
    term = math.exp(observed * math.log(mean) - mean - math.lgamma(observed + 1))
    total, i = 0.0, observed
    while term > 1e-18 * total or total == 0.0:
        total += term
        i += 1
        term *= mean / i
        if term == 0.0:
            break
    return min(1.0, total)


def rise_of(series: list[int], *, alpha: float = ALPHA, min_count: int = MIN_COUNT) -> tuple[float, float] | None:
    """(p, baseline) when the last count of `series` is a signal against the ones before it, else None."""
    *history, observed = series
    if not history or observed < min_count:
        return None
    baseline = sum(history) / len(history)
    if observed <= baseline:
        return None
    p = poisson_upper_tail(observed, baseline)
    return (p, baseline) if p < alpha else None


@dataclass(frozen=True)
class Signal:
    dimension: str
    value: str
    observed: int
    baseline: float
    p: float
    period: str

    @property
    def p_text(self) -> str:
        return "p < 0.001" if self.p < 0.001 else ("p < 0.01" if self.p < 0.01 else f"p = {self.p:.3f}")

    def __str__(self) -> str:
        return (f"{self.value} NCs: {self.observed} this {self.period} vs {self.baseline:.1f} per {self.period} "
                f"before ({self.p_text})")


def period_starts(end: dt.date, period: str, history: int) -> list[dt.date]:
    """First days of the `history` periods before the one holding `end`, then of that one, oldest first."""
    months, _ = PERIODS[period]
    latest = months_back(end, (end.month - 1) % months)
    return [months_back(latest, months * back) for back in range(history, -1, -1)]


def signals(rows: QuerySet[Nonconformity], *, end: dt.date | None = None, period: str = "quarter",
            history: int = HISTORY) -> list[Signal]:
    """Signals for every requirement, area and source, strongest first. Counts are GROUP BYs in SQL."""
    end = end or timezone.localdate()
    starts = period_starts(end, period, history)
    index = {start: i for i, start in enumerate(starts)}
    _, trunc = PERIODS[period]
    window = rows.filter(reported_at__gte=timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min)),
                         reported_at__lt=timezone.make_aware(
                             dt.datetime.combine(months_back(starts[-1], -PERIODS[period][0]), dt.time.min)))
    counts: dict[str, dict[str, list[int]]] = {}
    for dimension in DIMENSIONS:
        grouped = window.annotate(bucket=trunc("reported_at")).values("bucket", dimension).annotate(
            n=Count("pk")).order_by()
        for row in grouped:
            start = timezone.localtime(row["bucket"]).date()
            if start in index and row[dimension]:
                counts.setdefault(dimension, {}).setdefault(row[dimension], [0] * len(starts))[index[start]] += row["n"]
    return signals_from_counts(counts, period)


def signals_from_counts(counts: dict[str, dict[str, list[int]]], period: str = "quarter") -> list[Signal]:
    """The rule over ready-made series ({dimension: {value: [count per period, oldest first]}}), strongest first."""
    found = []
    for dimension, heading in DIMENSIONS.items():
        labels = dict(Source.choices) if dimension == "source" else {}
        for value, series in counts.get(dimension, {}).items():
            result = rise_of(series) if value else None
            if result:
                found.append(Signal(heading, labels.get(value, value), series[-1], result[1], result[0], period))
    return sorted(found, key=lambda s: (s.p, -s.observed, s.value))
