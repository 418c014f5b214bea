"""Who may read and write what through the API: one policy, the same answers as the pages."""

import pytest

from clauseten.events.models import Event
from clauseten.nonconformities.models import Action, Nonconformity

from .test_api_support import Api, days, report_body

pytestmark = pytest.mark.django_db


def test_a_reporter_cannot_triage(make_nc, reporter):
    nc = make_nc("reported")
    response = Api(reporter).step(nc.reference, step="reject", comment="Not mine to decide.")
    assert response.status_code == 403
    nc.refresh_from_db()
    assert nc.state == "reported"


def test_a_reporter_may_correct_their_report_until_triage(make_nc, reporter):
    nc = make_nc("reported")
    rita = Api(reporter)
    edited = rita.patch(f"/nonconformities/{nc.reference}", {"version": 1, "area": "Main reception"})
    assert edited.status_code == 200 and edited.json()["area"] == "Main reception"
    nc = make_nc("open")
    assert rita.patch(f"/nonconformities/{nc.reference}", {"version": nc.version, "area": "X"}).status_code == 403


def test_an_auditor_reads_everything_and_writes_nothing(make_nc, auditor):
    nc = make_nc("acting")
    action = nc.actions.get()
    aida = Api(auditor)
    assert aida.get(f"/nonconformities/{nc.reference}").status_code == 200
    assert aida.get(f"/nonconformities/{nc.reference}").json()["next_steps"] == []
    events_before = Event.objects.count()
    writes = [
        aida.post("/nonconformities", report_body()),
        aida.patch(f"/nonconformities/{nc.reference}", {"version": nc.version, "title": "Audited"}),
        aida.step(nc.reference, step="request_review"),
        aida.post(f"/nonconformities/{nc.reference}/actions",
                  {"description": "Audit it.", "owner": "aida", "due_date": days(5)}),
        aida.patch(f"/actions/{action.pk}", {"version": action.version, "description": "Changed."}),
        aida.post(f"/actions/{action.pk}/complete", {"note": "Done."}),
        aida.post(f"/actions/{action.pk}/cancel", {"reason": "No."}),
        aida.post(f"/nonconformities/{nc.reference}/comments", {"body": "Noted."}),
        aida.post(f"/nonconformities/{nc.reference}/approvals", {"kind": "closure"}),
        aida.post(f"/nonconformities/{nc.reference}/links", {"target": nc.reference}),
        aida.upload(f"/nonconformities/{nc.reference}/attachments", "note.txt", b"audit"),
    ]
    assert [r.status_code for r in writes] == [403] * len(writes), [r.content for r in writes]
    assert Event.objects.count() == events_before


def test_an_owner_cannot_complete_someone_elses_action(make_nc, owner):
    nc = make_nc("acting")
    action = nc.actions.get()
    response = Api(owner).post(f"/actions/{action.pk}/complete", {"note": "I did it for her."})
    assert response.status_code == 403
    assert Action.objects.get(pk=action.pk).status == "planned"


def test_the_nc_owner_may_cancel_an_action_with_a_reason(make_nc, owner):
    nc = make_nc("acting")
    action = nc.actions.get()
    response = Api(owner).post(f"/actions/{action.pk}/cancel", {"reason": "Replaced by a supplier fix."})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_reporter_sees_only_what_they_reported(make_nc, cast, reporter, manager):
    mine = make_nc("open")
    theirs = Api(manager).post("/nonconformities", report_body(title="Reported by the manager")).json()["reference"]
    rita = Api(reporter)
    listed = rita.get("/nonconformities").json()
    assert [row["reference"] for row in listed["results"]] == [mine.reference]
    assert listed["count"] == 1
    assert rita.get(f"/nonconformities/{theirs}").status_code == 404
    assert rita.get(f"/nonconformities/{theirs}/events").status_code == 404
    assert rita.post(f"/nonconformities/{theirs}/comments", {"body": "Hello"}).status_code == 404


def test_an_action_owner_sees_the_record_of_their_action(make_nc, action_owner):
    nc = make_nc("acting")
    olga = Api(action_owner)
    assert olga.get(f"/nonconformities/{nc.reference}").status_code == 200
    assert [row["reference"] for row in olga.get("/nonconformities").json()["results"]] == [nc.reference]


def test_a_stranger_sees_nothing(make_nc, stranger):
    nc = make_nc("verifying")
    action, attachment = nc.actions.get(), nc.attachments.get()
    sam = Api(stranger)
    assert sam.get("/nonconformities").json()["count"] == 0
    for path in (f"/nonconformities/{nc.reference}", f"/nonconformities/{nc.reference}/events",
                 f"/attachments/{attachment.pk}"):
        assert sam.get(path).status_code == 404, path
    assert sam.patch(f"/actions/{action.pk}", {"version": 1, "description": "Mine now."}).status_code == 404
    assert sam.post(f"/actions/{action.pk}/complete", {"note": "Done."}).status_code == 404
    assert sam.step(nc.reference, step="close", verdict="effective").status_code == 404
    assert sam.get("/me/work").json() == {"actions": [], "nonconformities": []}


def test_a_reporter_cannot_download_evidence_of_a_record_they_cannot_see(make_nc, cast, reporter, manager):
    nc = Nonconformity.objects.get(reference=Api(manager).post("/nonconformities", report_body()).json()["reference"])
    attachment = Api(manager).upload(f"/nonconformities/{nc.reference}/attachments", "photo.png", b"\x89PNG..")
    assert attachment.status_code == 201, attachment.content
    assert Api(reporter).get(f"/attachments/{attachment.json()['id']}").status_code == 404
    assert Api(manager).get(f"/attachments/{attachment.json()['id']}").status_code == 200


def test_evidence_cannot_be_attached_to_an_action_of_another_record(make_nc, action_owner):
    first, second = make_nc("acting"), make_nc("acting")
    response = Api(action_owner).upload(f"/nonconformities/{first.reference}/attachments", "x.txt", b"x",
                                        action=second.actions.get().pk)
    assert response.status_code == 422 and "action" in response.json()["errors"]


def test_links_and_duplicates_name_only_records_the_user_can_see(make_nc, owner, manager, cast):
    nc = make_nc("open")
    hidden = Api(manager).post("/nonconformities", report_body(title="Elsewhere")).json()["reference"]
    response = Api(owner).post(f"/nonconformities/{nc.reference}/links", {"target": hidden})
    assert response.status_code == 422 and "target" in response.json()["errors"]
    linked = Api(manager).post(f"/nonconformities/{nc.reference}/links", {"target": hidden, "kind": "similar"})
    assert linked.status_code == 201, linked.content
    assert Api(manager).get(f"/nonconformities/{hidden}").json()["links"] == [
        {"reference": nc.reference, "kind": "similar", "direction": "from"}]


def test_unauthenticated_requests_are_401(make_nc):
    nc = make_nc("open")
    anonymous = Api()
    assert anonymous.get("/nonconformities").status_code == 401
    assert anonymous.get(f"/nonconformities/{nc.reference}").status_code == 401
    assert anonymous.post("/nonconformities", report_body()).status_code == 401


def test_my_work_lists_my_open_actions_overdue_first_and_what_i_own(make_nc, cast, action_owner, owner):
    import datetime as dt

    from django.utils import timezone

    from clauseten.nonconformities import services

    today = timezone.localdate()
    nc = make_nc("acting", detected_on=today - dt.timedelta(days=10))
    overdue = services.action_plan(actor=owner, nc=nc, owner=action_owner, description="Late one.",
                                   due_date=today - dt.timedelta(days=5))
    work = Api(action_owner).get("/me/work").json()
    assert (work["actions"][0]["id"], work["actions"][0]["is_overdue"]) == (overdue.pk, True)
    assert len(work["actions"]) == 2
    assert [row["reference"] for row in Api(owner).get("/me/work").json()["nonconformities"]] == [nc.reference]
