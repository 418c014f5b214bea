"""The trend-signal rule on constructed series, and on records in the database."""

import datetime as dt
import math

import pytest
from django.utils import timezone

from clauseten.nonconformities.models import Nonconformity
from clauseten.nonconformities.scenarios import report
from clauseten.reports import trends
from clauseten.reports.trends import Signal, poisson_upper_tail, rise_of

from .insight_fixtures import fresh_cache, set_fields  # noqa: F401


def direct_tail(k: int, lam: float) -> float:
    return 1 - sum(math.exp(-lam) * lam ** i / math.factorial(i) for i in range(k))


@pytest.mark.parametrize("k, lam", [(9, 3.0), (3, 0.5), (1, 1.0), (5, 5.0), (12, 4.25), (2, 7.0)])
def test_the_poisson_tail_matches_the_textbook_sum(k, lam):
    assert poisson_upper_tail(k, lam) == pytest.approx(direct_tail(k, lam), rel=1e-9, abs=1e-15)


def test_the_tail_stays_exact_far_out_where_one_minus_the_cdf_would_be_zero():
    assert 0 < poisson_upper_tail(100, 10.0) < 1e-60


def test_a_count_never_seen_before_has_probability_zero_and_nothing_is_never_surprising():
    assert poisson_upper_tail(3, 0.0) == 0.0
    assert poisson_upper_tail(0, 2.0) == 1.0


def test_nine_against_three_per_quarter_is_a_signal():
    p, baseline = rise_of([3, 3, 3, 3, 9])
    assert baseline == 3.0 and p == pytest.approx(0.0038, abs=1e-4)


def test_six_against_three_per_quarter_is_not_significant():
    assert rise_of([3, 3, 3, 3, 6]) is None  # p ≈ 0.084


def test_fewer_than_three_occurrences_never_raise_a_signal():
    assert rise_of([0, 0, 0, 0, 2]) is None
    assert rise_of([0, 0, 0, 0, 3]) is not None


def test_a_fall_or_a_flat_series_is_not_a_signal():
    assert rise_of([9, 9, 9, 9, 3]) is None
    assert rise_of([5, 5, 5, 5, 5]) is None


def test_a_signal_reads_as_a_sentence():
    signal = Signal("Requirement", "Access control", 9, 3.0, 0.0038, "quarter")
    assert str(signal) == "Access control NCs: 9 this quarter vs 3.0 per quarter before (p < 0.01)"
    assert "p < 0.001" in str(Signal("Area", "Reception", 30, 3.0, 1e-9, "quarter"))


def test_periods_are_whole_quarters_ending_with_the_one_that_holds_the_end_date():
    starts = trends.period_starts(dt.date(2026, 5, 17), "quarter", 4)
    assert starts == [dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1), dt.date(2026, 1, 1),
                      dt.date(2026, 4, 1)]


@pytest.mark.django_db
def test_signals_flag_the_requirement_that_rose_above_its_own_history(cast):
    end = timezone.localdate()
    starts = trends.period_starts(end, "quarter", 4)
    for index, start in enumerate(starts):
        when = timezone.make_aware(dt.datetime.combine(start, dt.time(10)))
        for _ in range(9 if index == 4 else 3):
            set_fields(report(cast, requirement="Access control", area="Reception"), reported_at=when)
        set_fields(report(cast, requirement="Backups", area="Server room", source="internal_audit"), reported_at=when)
    assert Nonconformity.objects.count() == 26
    found = trends.signals(Nonconformity.objects.all(), end=end)
    assert [str(s) for s in found if s.dimension == "Requirement"] == [
        "Access control NCs: 9 this quarter vs 3.0 per quarter before (p < 0.01)"]
    assert {(s.dimension, s.value) for s in found} == {
        ("Requirement", "Access control"), ("Area", "Reception"), ("Source", "Incident, near miss or weakness")}
