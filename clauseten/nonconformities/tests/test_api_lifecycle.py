"""The lifecycle walked through /api/v1/ by the people who do it, and the whole transition table, allowed and refused."""

import pytest

from clauseten.events.services import verify_chain
from clauseten.nonconformities import lifecycle, services
from clauseten.nonconformities.models import Nonconformity, State
from clauseten.nonconformities.scenarios import walk

from .test_api_support import Api, days, report_body

pytestmark = pytest.mark.django_db


def test_the_whole_lifecycle_is_walked_through_the_api_by_each_role(cast, reporter, manager, owner, action_owner,
                                                                     approver):
    rita, mona, omar, olga, arun = Api(reporter), Api(manager), Api(owner), Api(action_owner), Api(approver)

    created = rita.post("/nonconformities", report_body())
    assert created.status_code == 201, created.content
    ref = created.json()["reference"]
    assert created.json()["state"] == "reported"
    assert created.json()["next_steps"] == []  # a reporter does not triage

    detail = mona.get(f"/nonconformities/{ref}").json()
    assert {s["name"] for s in detail["next_steps"]} == {"accept", "reject", "mark_duplicate", "move_to_improvements"}
    accepted = mona.step(ref, step="accept", version=detail["version"], classification="minor", owner="omar",
                         correction_due=days(7), due_date=days(60), comment="Real gap in physical security.")
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["state"], accepted.json()["owner"]) == ("open", "omar")

    corrected = omar.step(ref, to="investigating", correction="Door closed, alarm re-armed.",
                          consequences="No entry recorded in the access log.")
    assert corrected.json()["state"] == "investigating", corrected.content
    planned = omar.post(f"/nonconformities/{ref}/actions",
                        {"description": "Fit a door-held-open alarm.", "owner": "olga", "due_date": days(20)})
    assert planned.status_code == 201, planned.content
    action_id = planned.json()["id"]
    acting = omar.step(ref, step="start_actions", root_cause="No alarm when the door stays open.",
                       root_cause_method="five_whys", cause_category="technology",
                       extent_of_condition="The second server room has the same door; included in the action.")
    assert acting.json()["state"] == "acting", acting.content

    evidence = olga.upload(f"/nonconformities/{ref}/attachments", "alarm-test.txt", b"Alarm sounded after 60 s.\n",
                           action=action_id)
    assert evidence.status_code == 201, evidence.content
    assert evidence.json()["size"] == 26 and len(evidence.json()["sha256"]) == 64
    done = olga.post(f"/actions/{action_id}/complete", {"note": "Alarm fitted and tested on both doors."})
    assert done.json()["status"] == "done", done.content

    review = mona.step(ref, step="request_review", effectiveness_criteria="No door-open alarm unanswered for a month.",
                       effectiveness_review_due=days(0))
    assert review.json()["state"] == "verifying", review.content
    approved = arun.post(f"/nonconformities/{ref}/approvals", {"kind": "closure", "comment": "Evidence checked."})
    assert approved.status_code == 201, approved.content
    closed = mona.step(ref, step="close", verdict="effective", review_notes="A month of alarm logs, all answered.")
    assert closed.status_code == 200, closed.content

    record = rita.get(f"/nonconformities/{ref}").json()
    assert record["state"] == "closed" and record["closed_at"]
    assert [r["verdict"] for r in record["reviews"]] == ["effective"]
    assert [(a["kind"], a["approver"]) for a in record["approvals"]] == [("closure", "arun")]
    assert record["attachments"][0]["action"] == action_id
    verbs = [e["verb"] for e in rita.get(f"/nonconformities/{ref}/events").json()]
    assert verbs == ["nonconformity.reported", "nonconformity.accept", "nonconformity.record_correction",
                     "action.planned", "nonconformity.start_actions", "attachment.added", "action.completed",
                     "nonconformity.request_review", "nonconformity.approved_closure", "nonconformity.close"]
    assert verify_chain().intact


def test_the_evidence_file_is_downloaded_as_it_was_uploaded(make_nc, action_owner, reporter):
    nc = make_nc("verifying")
    attachment = nc.attachments.get()
    response = Api(reporter).get(f"/attachments/{attachment.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Change CHG-1042 deployed to all kiosks.\n"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_not_effective_review_reopens_the_investigation_and_is_kept(make_nc, manager):
    nc = make_nc("verifying")
    reopened = Api(manager).step(nc.reference, step="reopen", review_notes="Two badges missing again in May.")
    assert reopened.status_code == 200, reopened.content
    body = reopened.json()
    assert body["state"] == "investigating"
    assert [(r["verdict"], r["notes"]) for r in body["reviews"]] == [("not_effective", "Two badges missing again in May.")]
    assert {s["name"] for s in body["next_steps"]} == {"start_actions"}


def test_a_step_can_be_named_by_its_target_state(make_nc, owner):
    nc = make_nc("open")
    response = Api(owner).step(nc.reference, to="investigating", correction="Contained.")
    assert response.json()["state"] == "investigating"


# --- the whole transition table ---------------------------------------------------------------------------

def _complete_open_actions(nc):
    for action in nc.actions.filter(status="planned"):
        services.action_complete(actor=action.owner, action=action, note="Done.")
    return {"effectiveness_criteria": "No repeat in a month.", "effectiveness_review_due": days(0)}


def _plan_an_action(nc, cast):
    services.action_plan(actor=cast.manager, nc=nc, owner=cast.action_owner, due_date=nc.detected_on,
                         description="Add the missing step.")
    return {"root_cause": "No step for it.", "root_cause_method": "free_text",
            "extent_of_condition": "Only this site."}


def _approve_closure(nc, cast):
    services.nonconformity_approve(actor=cast.approver, nc=nc, kind="closure")
    return {"verdict": "effective", "review_notes": "Checked."}


def _original(nc, cast):
    from clauseten.nonconformities.scenarios import report

    return {"duplicate_of": report(cast, title="The first report").reference}


# For each transition of the table: how to make it valid (setting the record up as needed) -> the step's body.
VALID_STEP = {
    "accept": lambda nc, cast: {"classification": "major", "owner": "omar", "correction_due": days(3),
                                "due_date": days(30)},
    "reject": lambda nc, cast: {"comment": "A planned fire drill, not a nonconformity."},
    "mark_duplicate": _original,
    "move_to_improvements": lambda nc, cast: {"improvement_kind": "ofi"},
    "record_correction": lambda nc, cast: {"correction": "Contained."},
    "start_actions": _plan_an_action,
    "request_review": lambda nc, cast: _complete_open_actions(nc),
    "close": _approve_closure,
    "reopen": lambda nc, cast: {"review_notes": "It happened again."},
}


def test_every_transition_of_the_table_has_a_case_here():
    assert set(VALID_STEP) == {t.name for t in lifecycle.TRANSITIONS}


@pytest.mark.parametrize("transition", lifecycle.TRANSITIONS, ids=lambda t: t.name)
def test_each_transition_is_allowed_to_its_roles_and_refused_to_others(transition, cast, make_nc, manager, owner,
                                                                       approver):
    nc = make_nc(transition.source)
    body = {"step": transition.name, **VALID_STEP[transition.name](nc, cast)}
    refusers = [approver] + ([owner] if nc.owner_id == owner.pk and not transition.nc_owner else [])
    for person in refusers:
        refused = Api(person).post(f"/nonconformities/{nc.reference}/transitions", body)
        assert refused.status_code == 403, (person, refused.content)
    nc.refresh_from_db()
    assert nc.state == transition.source

    doer = owner if transition.nc_owner else manager
    allowed = Api(doer).post(f"/nonconformities/{nc.reference}/transitions", body)
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["state"] == transition.target


@pytest.mark.parametrize("body", [{"to": "closed"}, {"to": "nowhere"}, {"step": "close"}, {"step": "fly"}])
def test_a_step_not_in_the_table_is_a_conflict(body, make_nc, manager):
    nc = make_nc("reported")
    response = Api(manager).step(nc.reference, **body)
    assert response.status_code == 409, response.content
    nc.refresh_from_db()
    assert (nc.state, nc.version) == ("reported", 1)


def test_a_step_without_to_or_step_is_refused(make_nc, manager):
    nc = make_nc("reported")
    assert Api(manager).step(nc.reference, comment="hello").status_code == 422


# --- guards -----------------------------------------------------------------------------------------------

def test_review_is_refused_while_an_action_is_open(make_nc, manager):
    nc = make_nc("acting")
    response = Api(manager).step(nc.reference, step="request_review", effectiveness_criteria="No repeat.",
                                 effectiveness_review_due=days(0))
    assert response.status_code == 422
    assert "actions" in response.json()["errors"]
    assert Nonconformity.objects.get(pk=nc.pk).state == State.ACTING


def test_closing_is_refused_without_a_root_cause(make_nc, manager, approver):
    nc = make_nc("verifying")
    mona = Api(manager)
    cleared = mona.patch(f"/nonconformities/{nc.reference}", {"version": nc.version, "root_cause": ""})
    assert cleared.status_code == 200, cleared.content
    Api(approver).post(f"/nonconformities/{nc.reference}/approvals", {"kind": "closure"})
    response = mona.step(nc.reference, step="close", verdict="effective")
    assert response.status_code == 422
    assert "root_cause" in response.json()["errors"]


def test_closing_is_refused_with_a_not_effective_verdict(make_nc, manager, approver):
    nc = make_nc("verifying")
    Api(approver).post(f"/nonconformities/{nc.reference}/approvals", {"kind": "closure"})
    response = Api(manager).step(nc.reference, step="close", verdict="not_effective")
    assert response.status_code == 422
    assert "verdict" in response.json()["errors"]


def test_closing_is_refused_until_the_closure_is_approved(make_nc, manager):
    nc = make_nc("verifying")
    response = Api(manager).step(nc.reference, step="close", verdict="effective")
    assert response.status_code == 422
    assert "approval" in response.json()["errors"]
    assert Nonconformity.objects.get(pk=nc.pk).state == State.VERIFYING


def test_an_approver_who_owns_an_action_cannot_approve_the_closure(make_nc, cast, approver, owner):
    nc = make_nc("investigating")
    services.action_plan(actor=owner, nc=nc, owner=approver, due_date=nc.detected_on,
                         description="Brief the reception team.")
    nc = walk(nc, cast, State.VERIFYING)
    response = Api(approver).post(f"/nonconformities/{nc.reference}/approvals", {"kind": "closure"})
    assert response.status_code == 403
    assert not nc.approvals.exists()


def test_plan_approval_is_required_where_the_system_asks_for_it(make_nc, cast, management_system, owner, approver):
    management_system.requires_plan_approval = True
    management_system.save()
    nc = make_nc("investigating")
    body = _plan_an_action(nc, cast)
    omar = Api(owner)
    refused = omar.step(nc.reference, step="start_actions", **body)
    assert refused.status_code == 422 and "approval" in refused.json()["errors"]
    assert Api(approver).post(f"/nonconformities/{nc.reference}/approvals", {"kind": "plan"}).status_code == 201
    assert omar.step(nc.reference, step="start_actions", **body).json()["state"] == "acting"
