"""Each dashboard figure computed on a small constructed data set whose answers are known."""

import datetime as dt

import pytest
from django.utils import timezone

from clauseten.catalog import services as catalog
from clauseten.catalog.models import ManagementSystem, Requirement, Standard
from clauseten.nonconformities import services
from clauseten.nonconformities.models import Action
from clauseten.nonconformities.scenarios import report
from clauseten.reports import metrics
from clauseten.reports.metrics import InsightFilter

from .insight_fixtures import days_ago, fresh_cache, set_fields  # noqa: F401

pytestmark = pytest.mark.django_db


def last_year() -> InsightFilter:
    return InsightFilter.from_query({})


def test_time_to_close_is_the_median_and_90th_percentile_of_reported_to_closed(make_nc):
    for days in (1, 2, 3, 4, 10):
        nc = make_nc("closed")
        start = days_ago(40)
        set_fields(nc, reported_at=start, contained_at=start + dt.timedelta(hours=12 * days),
                   closed_at=start + dt.timedelta(days=days))
    figures = metrics.compute(last_year())
    assert figures.time_to_close.count == 5
    assert figures.time_to_close.median_days == 3.0
    assert figures.time_to_close.p90_days == 7.6  # 4 + 0.6 × (10 − 4): linear interpolation, as NumPy
    assert figures.time_to_contain.median_days == 1.5
    assert figures.time_to_contain.p90_days == 3.8


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(make_nc):
    for days in (2, 4):
        nc = make_nc("investigating")
        set_fields(nc, reported_at=days_ago(30), contained_at=days_ago(30 - days))
    figures = metrics.compute(last_year())
    assert figures.time_to_contain.count == 2
    assert figures.time_to_contain.median_days == 3.0
    assert figures.time_to_close.count == 0 and figures.time_to_close.median_days is None


def test_open_records_are_counted_by_state_and_classification(make_nc):
    make_nc("reported")
    make_nc("open", classification="major")
    make_nc("investigating", classification="major")
    make_nc("investigating")
    make_nc("closed")
    figures = metrics.compute(last_year())
    states = dict(figures.open_by_state)
    assert states == {"Reported": 1, "Open": 1, "Investigating": 2, "Acting": 0, "Verifying": 0}
    assert dict(figures.open_by_classification) == {"Major": 2, "Minor": 1, "Not yet classified": 1}
    assert figures.open_total == 4 and figures.open_major == 2


def test_overdue_actions_are_open_actions_past_their_due_date(make_nc):
    late = make_nc("acting")
    make_nc("acting")  # its action is due in 30 days
    Action.objects.filter(nonconformity=late).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    finished = make_nc("closed")
    Action.objects.filter(nonconformity=finished).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    assert metrics.compute(last_year()).overdue_actions == 1


def test_open_records_are_aged_in_buckets_from_their_report(make_nc):
    for age in (5, 29, 45, 200):
        set_fields(make_nc("open"), reported_at=days_ago(age))
    assert dict(metrics.compute(last_year()).open_age) == {
        "up to 30 days": 2, "31–90 days": 1, "91–180 days": 0, "over 180 days": 1}


def test_effectiveness_rate_counts_the_first_review_only(make_nc, cast):
    make_nc("closed")  # effective at its first review
    reopened = make_nc("verifying")
    services.nonconformity_transition(actor=cast.manager, nc=reopened, name="reopen",
                                      review_notes="Two badges missing again this month.")
    make_nc("acting")  # not reviewed yet: not in the rate
    rate = metrics.compute(last_year()).effectiveness
    assert (rate.numerator, rate.denominator, rate.percent) == (1, 2, 50.0)


def test_recurrence_counts_closed_records_linked_by_a_record_reported_after_closure(make_nc, cast):
    recurred, earlier_link, untouched = make_nc("closed"), make_nc("closed"), make_nc("closed")
    for target in (recurred, earlier_link, untouched):
        set_fields(target, reported_at=days_ago(100), closed_at=days_ago(50))
    later = make_nc("open", title="Badge not returned again")
    services.nonconformity_link(actor=cast.manager, nc=later, target=recurred, kind="recurrence")
    before = set_fields(make_nc("open", title="Found during the same audit"), reported_at=days_ago(60))
    services.nonconformity_link(actor=cast.manager, nc=before, target=earlier_link, kind="similar")
    rate = metrics.compute(last_year()).recurrence
    assert (rate.numerator, rate.denominator) == (1, 3)


def test_monthly_counts_are_grouped_by_source_requirement_and_area(cast):
    today = timezone.localdate()
    this_month = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time(12)))
    last_month = timezone.make_aware(dt.datetime.combine(metrics.months_back(today, 1), dt.time(12)))
    for when, source, area in ((this_month, "incident", "Reception"), (this_month, "incident", "Data centre"),
                               (last_month, "internal_audit", "Reception")):
        set_fields(report(cast, source=source, area=area, requirement="A.5.15 Access control"), reported_at=when)
    figures = metrics.compute(last_year())
    assert figures.by_source.months[-1] == today.replace(day=1)
    assert figures.by_source.series["Incident, near miss or weakness"][-2:] == [0, 2]
    assert figures.by_source.series["Internal audit"][-2:] == [1, 0]
    assert figures.by_area.series == {"Reception": [0] * 10 + [1, 1], "Data centre": [0] * 11 + [1]}
    assert figures.by_requirement.series == {"A.5.15 Access control": [0] * 10 + [1, 2]}


def test_breakdowns_keep_the_largest_and_sum_the_rest_as_other(cast):
    for i in range(8):
        for _ in range(8 - i):
            report(cast, area=f"Area {i}")
    series = metrics.compute(last_year()).by_area.series
    assert list(series) == [f"Area {i}" for i in range(metrics.TOP_N)] + ["Other"]
    assert series["Other"][-1] == 2 + 1


def test_management_system_and_period_filters_limit_the_figures(cast, make_nc):
    other = ManagementSystem.objects.create(name="QMS", standards="ISO 9001:2015")
    make_nc("open")
    report(cast, management_system=other)
    old = set_fields(make_nc("closed"), reported_at=days_ago(400), closed_at=days_ago(390))
    assert old.state == "closed"
    everything = metrics.compute(last_year())
    assert everything.reported_in_period == 2 and everything.time_to_close.count == 0
    qms = metrics.compute(InsightFilter.from_query({"management_system": str(other.pk)}))
    assert qms.reported_in_period == 1 and qms.open_total == 1
    long_ago = InsightFilter.from_query({"from": (timezone.localdate() - dt.timedelta(days=500)).isoformat()})
    assert metrics.compute(long_ago).time_to_close.count == 1


def test_unreadable_filters_fall_back_to_the_last_twelve_months():
    today = dt.date(2026, 5, 17)
    filters = InsightFilter.from_query({"from": "yesterday", "to": "2026-13-01", "management_system": "x"}, today)
    assert filters == InsightFilter(start=dt.date(2025, 6, 1), end=today, management_system=None)
    swapped = InsightFilter.from_query({"from": "2026-03-01", "to": "2026-01-01"}, today)
    assert (swapped.start, swapped.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))


def test_figures_come_from_the_cache_until_an_event_is_written(make_nc, cast):
    nc = make_nc("open")
    first = metrics.figures(last_year())
    set_fields(nc, reported_at=days_ago(200))  # no event: the cached figures still stand
    assert metrics.figures(last_year()).computed_at == first.computed_at
    services.comment_add(actor=cast.manager, nc=nc, body="Seen at the weekly meeting.")
    fresh = metrics.figures(last_year())
    assert fresh.computed_at > first.computed_at
    assert dict(fresh.open_age)["over 180 days"] == 1


def test_monthly_counts_by_catalogue_requirement_count_current_links_only(make_nc, cast):
    standard, _ = Standard.objects.get_or_create(code="iso27001-test", defaults={"name": "ISO/IEC 27001:2022"})
    access, _ = Requirement.objects.get_or_create(standard=standard, identifier="A.5.15",
                                                  defaults={"title": "Access control", "kind": "control"})
    logging, _ = Requirement.objects.get_or_create(standard=standard, identifier="A.8.15",
                                                   defaults={"title": "Logging", "kind": "control"})
    first, second = make_nc("open"), make_nc("open")
    catalog.nonconformity_requirements_set(actor=cast.manager, nc=first, requirements=[access, logging])
    catalog.nonconformity_requirements_set(actor=cast.manager, nc=second, requirements=[logging])
    catalog.nonconformity_requirements_set(actor=cast.manager, nc=first, requirements=[access])  # logging removed
    series = metrics.compute(last_year()).by_catalogue.series
    assert {name: counts[-1] for name, counts in series.items()} == {
        "ISO/IEC 27001:2022 A.5.15 Access control": 1, "ISO/IEC 27001:2022 A.8.15 Logging": 1}
