"""The dashboard counts by comparing dates with bounds and subtracts datetimes in SQL; these pin down that it still
counts what TruncMonth, TruncQuarter, trends.signals and Django's own subtraction did."""

import datetime as dt

import pytest
from django.utils import timezone

from clauseten.nonconformities.models import Nonconformity
from clauseten.nonconformities.scenarios import report
from clauseten.reports import metrics, trends
from clauseten.reports.metrics import InsightFilter

from .insight_fixtures import fresh_cache, set_fields  # noqa: F401

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_dashboard_signals_are_those_of_the_trend_rule(cast):
    end = timezone.localdate()
    for index, start in enumerate(trends.period_starts(end, "quarter", 4)):
        for _ in range(9 if index == 4 else 3):
            set_fields(report(cast, requirement="Access control", area="Reception"), reported_at=at(start, 0))
        set_fields(report(cast, requirement="Backups", source="internal_audit"), reported_at=at(start, 0), area="")
    found = metrics.compute(InsightFilter.from_query({})).signals
    assert found == trends.signals(Nonconformity.objects.all(), end=end)
    assert {(s.dimension, s.value) for s in found} == {
        ("Requirement", "Access control"), ("Area", "Reception"), ("Source", "Incident, near miss or weakness")}


def test_a_period_that_starts_and_ends_mid_month_counts_only_its_own_days(cast):
    first, last = metrics.months_back(timezone.localdate(), 2), metrics.months_back(timezone.localdate(), 1)
    for day, area in ((first.replace(day=10), "Before"), (first.replace(day=20), "Reception"),
                      (last.replace(day=5), "Reception"), (last.replace(day=20), "After")):
        set_fields(report(cast, area=area), reported_at=at(day))
    figures = metrics.compute(InsightFilter.from_query({"from": first.replace(day=15).isoformat(),
                                                        "to": last.replace(day=10).isoformat()}))
    assert figures.by_area.months == [first, last]
    assert figures.by_area.series == {"Reception": [1, 1]}
    assert figures.reported_in_period == 2


def test_elapsed_time_is_exact_to_the_microsecond(cast):
    # A whole second is stored without a fraction on SQLite; strftime would round a fraction, not cut it.
    start = timezone.make_aware(dt.datetime(2026, 3, 29, 0, 59, 59))
    spans = [dt.timedelta(days=3, microseconds=999_999), dt.timedelta(seconds=1, microseconds=1),
             dt.timedelta(0), -dt.timedelta(seconds=1, microseconds=500_000), dt.timedelta(days=400, hours=7)]
    expected = {}
    for offset, span in zip((dt.timedelta(0), dt.timedelta(microseconds=999_999), dt.timedelta(microseconds=1),
                             dt.timedelta(microseconds=250_000), dt.timedelta(0)), spans):
        nc = set_fields(report(cast), reported_at=start + offset, contained_at=start + offset + span)
        expected[nc.pk] = span
    found = dict(Nonconformity.objects.annotate(span=metrics.Elapsed("reported_at", "contained_at"))
                 .values_list("pk", "span"))
    assert found == expected
