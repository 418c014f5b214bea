"""Counting records per period (month, quarter) in SQL, by comparing a time with precomputed local midnights.

Used by the dashboard and the review pack (metrics.py). On SQLite, TruncMonth and TruncQuarter call back into
Python for every row; a CASE over ready bounds does not.
"""

import datetime as dt
from bisect import bisect_right
from itertools import pairwise

from django.db.models import Case, Count, QuerySet, Value, When
from django.utils import timezone


def midnights(days: list[dt.date]) -> list[dt.datetime]:
    return [timezone.make_aware(dt.datetime.combine(day, dt.time.min)) for day in days]


def counts_between(rows: QuerySet, dimension: str, bounds: list[dt.datetime],
                   at: str = "reported_at") -> dict[object, list[int]]:
    """Counts per value of `dimension` in each interval [bounds[i], bounds[i + 1]) of `at`, grouped in SQL.

    A row's interval is found by comparing `at` with the bounds (a CASE), not by truncating it to its month or
    quarter: on SQLite, TruncMonth and TruncQuarter call back into Python for every row. The bounds are local
    midnights, so months and quarters are those of the current time zone, as with Trunc.
    """
    interval = Case(*(When(**{f"{at}__lt": bound}, then=Value(i)) for i, bound in enumerate(bounds[1:-1])),
                    default=Value(len(bounds) - 2))
    grouped = (rows.filter(**{f"{at}__gte": bounds[0], f"{at}__lt": bounds[-1]}).annotate(interval=interval)
               .values_list("interval", dimension).annotate(n=Count("pk")).order_by())
    counts: dict[object, list[int]] = {}
    for index, value, n in grouped:
        counts.setdefault(value, [0] * (len(bounds) - 1))[index] += n
    return counts


def regroup(counts: dict[object, list[int]], bounds: list[dt.datetime], coarse: list[dt.datetime],
            start: dt.datetime | None = None, stop: dt.datetime | None = None) -> dict[object, list[int]]:
    """The counts of counts_between summed into the intervals of `coarse`, whose bounds are all among `bounds`;
    only intervals within [start, stop) (also among `bounds`) count. Values left with no count are dropped."""
    start, stop = start or coarse[0], stop or coarse[-1]
    into = [bisect_right(coarse, low) - 1 if start <= low and high <= stop else -1
            for low, high in pairwise(bounds)]
    summed = {}
    for value, series in counts.items():
        total = [0] * (len(coarse) - 1)
        for index, n in zip(into, series):
            if 0 <= index < len(total):
                total[index] += n
        if any(total):
            summed[value] = total
    return summed
