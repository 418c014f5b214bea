"""The OFI lifecycle: its table walked allowed and refused, its guards, roles, versions and links to NCs."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clauseten.events.models import Event
from clauseten.events.services import verify_chain
from clauseten.improvements import lifecycle, services
from clauseten.improvements.models import Improvement
from clauseten.improvements.selectors import improvements_for_nonconformity
from clauseten.lib.errors import StaleVersion, TransitionNotAllowed
from clauseten.nonconformities.models import State as NcState

State = Improvement.State
NAMES = sorted({t.name for t in lifecycle.TRANSITIONS})
TABLE = {(t.source, t.name) for t in lifecycle.TRANSITIONS}


def step_for(name, owner):
    return {"decline": {"decline_reason": "Too costly."},
            "plan": {"owner": owner, "due_date": timezone.localdate() + dt.timedelta(days=10)},
            "implement": {"implementation_note": "Workflow live."},
            "review_benefit": {"benefit_review": "Two fewer leaver gaps a month."}}.get(name, {})


def actor_for(transition, manager, owner):
    return owner if transition.owner else manager


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("name", NAMES)
def test_the_whole_table_is_walked_allowed_and_refused(state, name, make_ofi, manager, owner):
    ofi = make_ofi(state)
    if (state, name) not in TABLE:
        with pytest.raises(TransitionNotAllowed):
            services.improvement_transition(actor=manager, improvement=ofi, name=name, **step_for(name, owner))
        return
    transition = lifecycle.by_name(state, name)
    moved = services.improvement_transition(actor=actor_for(transition, manager, owner), improvement=ofi, name=name,
                                            version=ofi.version, **step_for(name, owner))
    assert moved.state == transition.target and moved.version == ofi.version + 1
    assert Event.objects.filter(record=ofi.reference, verb=transition.verb).exists()


@pytest.mark.parametrize("transition", lifecycle.TRANSITIONS, ids=lambda t: t.name)
@pytest.mark.parametrize("persona", ["reporter", "action_owner", "approver", "auditor", "stranger"])
def test_a_wrong_role_is_refused_every_step(transition, persona, make_ofi, owner, request):
    ofi = make_ofi(transition.source)
    with pytest.raises(PermissionDenied):
        services.improvement_transition(actor=request.getfixturevalue(persona), improvement=ofi,
                                        name=transition.name, **step_for(transition.name, owner))


def test_only_the_owner_implements_not_even_the_manager(make_ofi, manager):
    ofi = make_ofi(State.PLANNED)
    with pytest.raises(PermissionDenied):
        services.improvement_transition(actor=manager, improvement=ofi, name="implement", implementation_note="x")


def test_the_review_team_decides(make_ofi, reviewer):
    ofi = make_ofi()
    assert services.improvement_transition(actor=reviewer, improvement=ofi, name="accept").state == State.ACCEPTED


def test_declining_needs_a_reason(make_ofi, manager):
    ofi = make_ofi()
    with pytest.raises(ValidationError) as refused:
        services.improvement_transition(actor=manager, improvement=ofi, name="decline", decline_reason="  ")
    assert "decline_reason" in refused.value.message_dict
    ofi.refresh_from_db()
    assert ofi.state == State.PROPOSED


@pytest.mark.parametrize("missing", ["owner", "due_date"])
def test_planning_needs_an_owner_and_a_due_date(missing, make_ofi, manager, owner):
    ofi = make_ofi(State.ACCEPTED)
    step = step_for("plan", owner)
    del step[missing]
    with pytest.raises(ValidationError) as refused:
        services.improvement_transition(actor=manager, improvement=ofi, name="plan", **step)
    assert missing in refused.value.message_dict


def test_planning_refuses_a_due_date_in_the_past(make_ofi, manager, owner):
    ofi = make_ofi(State.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        services.improvement_transition(actor=manager, improvement=ofi, name="plan", owner=owner,
                                        due_date=timezone.localdate() - dt.timedelta(days=1))
    assert "due_date" in refused.value.message_dict


def test_a_step_refuses_fields_it_does_not_take(make_ofi, manager):
    ofi = make_ofi()
    with pytest.raises(ValidationError) as refused:
        services.improvement_transition(actor=manager, improvement=ofi, name="accept", benefit_review="sneaky")
    assert "benefit_review" in refused.value.message_dict


def test_a_stale_version_is_refused(make_ofi, manager):
    ofi = make_ofi()
    stale = ofi.version
    services.improvement_transition(actor=manager, improvement=ofi, name="accept", version=stale)
    with pytest.raises(StaleVersion):
        services.improvement_transition(actor=manager, improvement=ofi, name="decline", version=stale,
                                        decline_reason="changed my mind")
    ofi.refresh_from_db()
    assert ofi.state == State.ACCEPTED


def test_the_whole_walk_leaves_a_verifiable_history(make_ofi):
    ofi = make_ofi(State.REVIEWED)
    assert ofi.implemented_at and ofi.benefit_reviewed_at
    verbs = list(Event.objects.filter(record=ofi.reference).values_list("verb", flat=True))
    assert verbs == ["improvement.proposed", "improvement.accept", "improvement.plan", "improvement.implement",
                     "improvement.review_benefit"]
    assert verify_chain().intact


def test_an_auditor_cannot_propose(auditor, management_system):
    with pytest.raises(PermissionDenied):
        services.improvement_propose(actor=auditor, kind="ofi", title="x", description="y")


def test_proposing_refuses_an_unknown_source(reporter, management_system):
    with pytest.raises(ValidationError) as refused:
        services.improvement_propose(actor=reporter, kind="ofi", title="x", description="y", source="gossip")
    assert "source" in refused.value.message_dict


def test_a_moved_nc_becomes_an_ofi_linked_to_it(make_nc, manager):
    from clauseten.nonconformities.services import nonconformity_transition

    nc = make_nc(NcState.REPORTED)
    nonconformity_transition(actor=manager, nc=nc, name="move_to_improvements", improvement_kind="observation")
    ofi = Improvement.objects.get(origin_nonconformity=nc)
    assert ofi.kind == "observation" and ofi.reference.startswith("OFI-")
    assert list(improvements_for_nonconformity(nc)) == [ofi]


def test_any_nc_may_spawn_an_ofi_and_both_show_the_link(make_nc, owner):
    nc = make_nc(NcState.INVESTIGATING)
    ofi = services.improvement_spawn_from_nonconformity(actor=owner, nc=nc, title="Badge kiosk at all sites",
                                                        description="Roll out the kiosk change everywhere.")
    assert ofi.origin_nonconformity == nc and list(improvements_for_nonconformity(nc)) == [ofi]
    assert Event.objects.filter(record=nc.reference, verb="nonconformity.improvement_raised").exists()


def test_a_stranger_cannot_spawn_an_ofi_from_an_nc(make_nc, action_owner):
    nc = make_nc(NcState.OPEN)
    with pytest.raises(PermissionDenied):
        services.improvement_spawn_from_nonconformity(actor=action_owner, nc=nc, title="x", description="y")


def test_an_ofi_raises_a_reported_nc_linked_both_ways(make_ofi, manager):
    ofi = make_ofi(State.ACCEPTED)
    nc = services.improvement_raise_nonconformity(actor=manager, improvement=ofi, title="Leaver access kept",
                                                  description="Found while looking at the checklist.",
                                                  requirement="ISO/IEC 27001:2022 A.5.18", area="HR")
    assert nc.state == NcState.REPORTED and nc.source == "suggestion"
    assert [link.nonconformity for link in ofi.raised.all()] == [nc]
    assert list(improvements_for_nonconformity(nc)) == [ofi]


def test_raising_an_nc_is_all_or_nothing(make_ofi, manager):
    from clauseten.nonconformities.models import Nonconformity

    ofi = make_ofi()
    with pytest.raises(ValidationError):
        services.improvement_raise_nonconformity(actor=manager, improvement=ofi, title="", description="x",
                                                 requirement="r", area="a")
    assert not Nonconformity.objects.exists() and not ofi.raised.exists()


def test_a_reporter_cannot_raise_an_nc_from_an_ofi(make_ofi, reporter):
    with pytest.raises(PermissionDenied):
        services.improvement_raise_nonconformity(actor=reporter, improvement=make_ofi(), title="t", description="d",
                                                 requirement="r", area="a")
