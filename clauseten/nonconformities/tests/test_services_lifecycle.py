import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clauseten.events.services import verify_chain
from clauseten.lib.errors import StaleVersion, TransitionNotAllowed
from clauseten.nonconformities import services
from clauseten.nonconformities.models import State


def test_it_walks_a_nonconformity_from_report_to_closed_leaving_a_verifiable_history(make_nc):
    nc = make_nc(State.CLOSED)
    assert nc.state == State.CLOSED
    assert nc.closed_at and nc.contained_at
    assert nc.reviews.get().verdict == "effective"
    report = verify_chain()
    assert report.intact and report.count >= 10


def test_verifying_is_refused_while_an_action_is_open(make_nc, manager):
    nc = make_nc(State.ACTING)
    with pytest.raises(ValidationError) as refused:
        services.nonconformity_transition(actor=manager, nc=nc, name="request_review",
                                          effectiveness_criteria="x", effectiveness_review_due=nc.detected_on)
    assert "actions" in refused.value.message_dict


def test_a_reporter_cannot_triage(make_nc, reporter, owner):
    nc = make_nc(State.REPORTED)
    with pytest.raises(PermissionDenied):
        services.nonconformity_transition(actor=reporter, nc=nc, name="reject", comment="no")


def test_a_stale_version_is_refused_and_nothing_is_overwritten(make_nc, manager):
    nc = make_nc(State.OPEN)
    services.nonconformity_update(actor=manager, nc=nc, version=nc.version, changes={"area": "Lobby"})
    with pytest.raises(StaleVersion):
        services.nonconformity_update(actor=manager, nc=nc, version=nc.version, changes={"area": "Basement"})
    nc.refresh_from_db()
    assert nc.area == "Lobby"


def test_a_transition_not_in_the_table_is_refused(make_nc, manager):
    nc = make_nc(State.REPORTED)
    with pytest.raises(TransitionNotAllowed):
        services.nonconformity_transition(actor=manager, nc=nc, to=State.CLOSED)
