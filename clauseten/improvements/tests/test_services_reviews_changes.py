"""Management reviews whose decisions become OFIs, followed up at the next review; the change log and its causes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clauseten.events.models import Event
from clauseten.improvements import selectors, services
from clauseten.improvements.models import Improvement
from clauseten.nonconformities.models import State as NcState

TODAY = timezone.localdate


@pytest.fixture
def review(manager, reviewer, management_system):
    return services.review_record(actor=manager, held_on=TODAY() - dt.timedelta(days=90), attendees=[manager, reviewer],
                                  minutes="Reviewed NC trends and audit results.", inputs="?from=2026-01-01")


def test_a_review_records_its_attendees_and_inputs(review, manager, reviewer):
    assert review.reference.startswith("MR-") and review.inputs == "from=2026-01-01"
    assert set(review.attendees.all()) == {manager, reviewer}


def test_a_review_needs_attendees(manager, management_system):
    with pytest.raises(ValidationError) as refused:
        services.review_record(actor=manager, held_on=TODAY(), attendees=[], minutes="m")
    assert "attendees" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["reporter", "approver", "auditor"])
def test_only_a_manager_or_the_review_team_records_a_review(persona, request, management_system, manager):
    with pytest.raises(PermissionDenied):
        services.review_record(actor=request.getfixturevalue(persona), held_on=TODAY(), attendees=[manager],
                               minutes="m")


def test_a_decision_becomes_a_planned_ofi_with_its_owner(review, reviewer, owner):
    due = TODAY() + dt.timedelta(days=30)
    decision = services.review_decide(actor=reviewer, review=review, text="Train all team leads on offboarding.",
                                      owner=owner, due_date=due)
    ofi = decision.improvement
    assert ofi.state == Improvement.State.PLANNED and ofi.owner == owner and ofi.due_date == due
    assert ofi.source == "management_review" and ofi.review_decision == decision
    assert Event.objects.filter(record=review.reference, verb="review.decided").exists()


def test_a_decision_may_follow_up_an_existing_nc_instead(review, manager, owner, make_nc):
    nc = make_nc(NcState.ACTING)
    decision = services.review_decide(actor=manager, review=review, text="Escalate the backup NC.", owner=owner,
                                      due_date=TODAY(), nonconformity=nc)
    assert decision.nonconformity == nc and decision.improvement is None


def test_a_decision_needs_an_owner(review, manager):
    with pytest.raises(ValidationError) as refused:
        services.review_decide(actor=manager, review=review, text="x", owner=None, due_date=TODAY())
    assert "owner" in refused.value.message_dict
    assert not Improvement.objects.exists()


def test_the_next_review_shows_the_previous_reviews_decisions_and_their_state(review, manager, reviewer, owner):
    decision = services.review_decide(actor=manager, review=review, text="Automate access reviews", owner=owner,
                                      due_date=TODAY() + dt.timedelta(days=10))
    services.improvement_transition(actor=owner, improvement=decision.improvement, name="implement",
                                    implementation_note="Script runs quarterly.")
    later = services.review_record(actor=manager, held_on=TODAY(), attendees=[manager, reviewer], minutes="Q3")
    previous = selectors.previous_review(later)
    assert previous == review
    followed = previous.decisions.all()[0]
    assert followed.record.get_state_display() == "Implemented"
    assert selectors.previous_review(review) is None


def test_a_change_is_logged_with_its_cause_and_approver(make_nc, manager, approver):
    nc = make_nc(NcState.ACTING)
    change = services.change_record(actor=manager, kind="procedure", what_changed="Offboarding procedure v3",
                                    reason="Leavers kept access", approved_by=approver,
                                    effective_on=TODAY(), nonconformity=nc)
    assert change.reference.startswith("CHG-") and change.cause == nc
    assert list(selectors.changes_for_nonconformity(nc)) == [change]
    assert Event.objects.filter(record=nc.reference, verb="nonconformity.system_changed").exists()


def test_a_change_made_through_an_ofi_spawned_from_an_nc_shows_on_the_nc(make_nc, manager, approver):
    nc = make_nc(NcState.INVESTIGATING)
    ofi = services.improvement_spawn_from_nonconformity(actor=manager, nc=nc, title="t", description="d")
    change = services.change_record(actor=manager, kind="control", what_changed="Kiosk badge step",
                                    reason="From the OFI", approved_by=approver, effective_on=TODAY(),
                                    improvement=ofi)
    assert list(selectors.changes_for_nonconformity(nc)) == [change]


def test_a_change_caused_by_a_review(review, manager, reviewer):
    change = services.change_record(actor=manager, kind="objective", what_changed="New phishing target 3%",
                                    reason="Review decision", approved_by=reviewer, effective_on=TODAY(),
                                    review=review)
    assert change.cause == review


def test_a_change_needs_a_cause(manager, approver, management_system):
    with pytest.raises(ValidationError) as refused:
        services.change_record(actor=manager, kind="policy", what_changed="x", reason="y", approved_by=approver,
                               effective_on=TODAY())
    assert "cause" in refused.value.message_dict


def test_a_change_needs_an_approver_with_authority(make_nc, manager, reporter):
    with pytest.raises(ValidationError) as refused:
        services.change_record(actor=manager, kind="policy", what_changed="x", reason="y", approved_by=reporter,
                               effective_on=TODAY(), nonconformity=make_nc(NcState.OPEN))
    assert "approved_by" in refused.value.message_dict


def test_a_change_refuses_an_unknown_kind(make_nc, manager, approver):
    with pytest.raises(ValidationError) as refused:
        services.change_record(actor=manager, kind="vibes", what_changed="x", reason="y", approved_by=approver,
                               effective_on=TODAY(), nonconformity=make_nc(NcState.OPEN))
    assert "kind" in refused.value.message_dict


def test_only_a_manager_records_changes(make_nc, reviewer, approver):
    with pytest.raises(PermissionDenied):
        services.change_record(actor=reviewer, kind="policy", what_changed="x", reason="y", approved_by=approver,
                               effective_on=TODAY(), nonconformity=make_nc(NcState.OPEN))


def test_the_change_log_is_for_oversight_roles(make_nc, manager, approver, reporter):
    services.change_record(actor=manager, kind="risk", what_changed="x", reason="y", approved_by=approver,
                           effective_on=TODAY(), nonconformity=make_nc(NcState.OPEN))
    assert selectors.change_log(approver).count() == 1
    assert selectors.change_log(reporter).count() == 0
