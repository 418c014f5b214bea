"""The rules of DESIGN.md's lifecycle, checked at the service layer that every interface goes through."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clauseten.events.models import Event
from clauseten.improvements.models import Improvement
from clauseten.nonconformities import services
from clauseten.nonconformities.models import Approval, Nonconformity, State
from clauseten.nonconformities.scenarios import report


def test_references_are_unique_and_follow_the_year(make_nc):
    first, second = make_nc(), make_nc()
    year = timezone.localdate().year
    assert first.reference == f"NC-{year}-0001"
    assert second.reference == f"NC-{year}-0002"


def test_every_step_leaves_an_event_naming_actor_and_change(make_nc):
    nc = make_nc(State.CLOSED)
    verbs = list(Event.objects.filter(record=nc.reference).values_list("verb", flat=True))
    for verb in ["nonconformity.reported", "nonconformity.accept", "nonconformity.record_correction",
                 "action.planned", "nonconformity.start_actions", "attachment.added", "action.completed",
                 "nonconformity.request_review", "nonconformity.approved_closure", "nonconformity.close"]:
        assert verb in verbs
    accept = Event.objects.get(record=nc.reference, verb="nonconformity.accept")
    assert accept.actor.username == "mona"
    assert accept.changes["state"] == ["reported", "open"]


def test_an_auditor_cannot_report(cast, auditor):
    cast.reporter = auditor
    with pytest.raises(PermissionDenied):
        report(cast)


def test_a_future_detection_date_is_refused_and_nothing_is_written(cast):
    events_before = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        report(cast, detected_on=timezone.localdate() + dt.timedelta(days=2))
    assert "detected_on" in refused.value.message_dict
    assert not Nonconformity.objects.exists() and Event.objects.count() == events_before


def test_accepting_needs_classification_owner_and_due_dates(make_nc, manager):
    nc = make_nc()
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="accept", classification="major")
    assert {"owner", "correction_due", "due_date"} <= set(refused.value.message_dict)
    nc.refresh_from_db()
    assert nc.state == State.REPORTED and nc.classification == ""


def test_dates_out_of_order_are_refused(make_nc, manager, owner):
    nc = make_nc()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="accept", classification="minor", owner=owner,
                                          correction_due=today + dt.timedelta(days=30), due_date=today)
    assert "correction_due" in refused.value.message_dict


def test_rejecting_needs_a_reason(make_nc, manager):
    nc = make_nc()
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="reject", comment="  ")
    assert "comment" in refused.value.message_dict
    nc = services.nonconformity_transition(actor=manager, nc=nc, name="reject", comment="Not an NC: a request.")
    assert nc.state == State.REJECTED


def test_a_duplicate_points_at_its_original(make_nc, manager):
    original, copy = make_nc(State.OPEN), make_nc()
    copy = services.nonconformity_transition(actor=manager, nc=copy, name="mark_duplicate", duplicate_of=original)
    assert copy.state == State.DUPLICATE and copy.duplicate_of == original


def test_moving_to_the_improvement_register_creates_a_linked_ofi(make_nc, manager):
    nc = make_nc(title="Could automate the badge report")
    nc = services.nonconformity_transition(actor=manager, nc=nc, name="move_to_improvements", improvement_kind="ofi")
    assert nc.state == State.MOVED
    ofi = Improvement.objects.get(origin_nonconformity=nc)
    assert ofi.kind == "ofi" and ofi.reference.startswith("OFI-")


def test_starting_actions_needs_root_cause_extent_and_a_planned_action(make_nc, owner):
    nc = make_nc(State.INVESTIGATING)
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=owner, nc=nc, name="start_actions", root_cause="Because")
    assert {"root_cause_method", "extent_of_condition"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=owner, nc=nc, name="start_actions", root_cause="Because",
                                          root_cause_method="free_text", extent_of_condition="Only here")
    assert "actions" in refused.value.message_dict


def test_plan_approval_is_required_where_the_organisation_requires_it(make_nc, owner, action_owner, approver,
                                                                      management_system):
    management_system.requires_plan_approval = True
    management_system.save()
    nc = make_nc(State.INVESTIGATING)
    services.action_plan(actor=owner, nc=nc, description="Fix it", owner=action_owner,
                         due_date=timezone.localdate() + dt.timedelta(days=5))
    step = {"root_cause": "Because", "root_cause_method": "free_text", "extent_of_condition": "Only here"}
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=owner, nc=nc, name="start_actions", **step)
    assert "approval" in refused.value.message_dict
    services.nonconformity_approve(actor=approver, nc=nc, kind=Approval.Kind.PLAN)
    assert services.nonconformity_transition(actor=owner, nc=nc, name="start_actions", **step).state == State.ACTING


def test_closing_is_refused_without_closure_approval(make_nc, manager):
    nc = make_nc(State.VERIFYING)
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="close", verdict="effective")
    assert "approval" in refused.value.message_dict


def test_closing_is_refused_with_a_not_effective_verdict(make_nc, manager, approver):
    nc = make_nc(State.VERIFYING)
    services.nonconformity_approve(actor=approver, nc=nc, kind=Approval.Kind.CLOSURE)
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="close", verdict="not_effective")
    assert "verdict" in refused.value.message_dict


def test_closing_is_refused_without_a_root_cause(make_nc, manager, approver):
    nc = make_nc(State.VERIFYING)
    Nonconformity.objects.filter(pk=nc.pk).update(root_cause="")  # as if it had been lost: the guard still holds
    services.nonconformity_approve(actor=approver, nc=nc, kind=Approval.Kind.CLOSURE)
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="close", verdict="effective")
    assert "root_cause" in refused.value.message_dict


def test_an_approver_who_owns_an_action_cannot_approve_the_closure(make_nc, cast, approver, manager):
    cast.action_owner = approver
    nc = make_nc(State.VERIFYING)
    with pytest.raises(PermissionDenied):
        services.nonconformity_approve(actor=approver, nc=nc, kind=Approval.Kind.CLOSURE)


def test_a_not_effective_review_reopens_the_investigation_and_is_kept(make_nc, manager, approver):
    nc = make_nc(State.VERIFYING)
    services.nonconformity_approve(actor=approver, nc=nc, kind=Approval.Kind.CLOSURE)
    nc = services.nonconformity_transition(actor=manager, nc=nc, name="reopen",
                                           review_notes="Two badges missing again in March.")
    assert nc.state == State.INVESTIGATING
    assert list(nc.reviews.values_list("verdict", flat=True)) == ["not_effective"]
    # The earlier closure approval belonged to the failed round: it no longer counts.
    from clauseten.nonconformities.lifecycle import current_approval
    assert current_approval(nc, Approval.Kind.CLOSURE) is None


def test_the_effectiveness_wait_for_major_ncs_is_enforced(make_nc, manager, management_system):
    management_system.effectiveness_wait_days_major = 30
    management_system.save()
    nc = make_nc(State.VERIFYING, classification="minor")  # minor: no wait
    assert nc.state == State.VERIFYING
    with pytest.raises(ValidationError) as refused:
        make_nc(State.VERIFYING, classification="major")  # the scenario asks for a review today
    assert "effectiveness_review_due" in refused.value.message_dict


def test_only_the_action_owner_completes_an_action(make_nc, owner, action_owner):
    nc = make_nc(State.ACTING)
    action = nc.actions.get()
    with pytest.raises(PermissionDenied):
        services.action_complete(actor=owner, action=action, note="Done by someone else")
    done = services.action_complete(actor=action_owner, action=action, note="Done")
    assert done.status == "done"


def test_a_cancelled_action_keeps_its_reason_and_stays_in_the_record(make_nc, owner):
    nc = make_nc(State.ACTING)
    action = nc.actions.get()
    with pytest.raises(ValidationError):
        services.action_cancel(actor=owner, action=action, reason="")
    services.action_cancel(actor=owner, action=action, reason="Superseded by the new kiosk project")
    action.refresh_from_db()
    assert action.status == "cancelled" and nc.actions.count() == 1
