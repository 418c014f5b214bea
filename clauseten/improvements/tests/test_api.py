"""/api/v1/improvements/: the same rules as the pages, answered as JSON with the shared error mapping."""

import datetime as dt

import pytest
from django.utils import timezone

from clauseten.improvements import services
from clauseten.nonconformities.models import State as NcState

API = "/api/v1/improvements"
TODAY = timezone.localdate


def call(client, user, method, url, body=None):
    client.force_login(user)
    return getattr(client, method)(url, body, content_type="application/json") if body is not None \
        else getattr(client, method)(url)


def test_proposing_and_reading_an_ofi(client, reporter, manager, management_system):
    created = call(client, reporter, "post", f"{API}/", {"title": "Shared leaver workflow", "description": "d"})
    assert created.status_code == 201 and created.json()["state"] == "proposed"
    reference = created.json()["reference"]
    body = call(client, manager, "get", f"{API}/{reference}").json()
    assert body["next_steps"] == ["accept", "decline"]
    assert [row["reference"] for row in call(client, manager, "get", f"{API}/?state=proposed").json()] == [reference]


def test_invalid_input_is_422_with_field_messages(client, reporter, management_system):
    response = call(client, reporter, "post", f"{API}/", {"title": "x", "description": "d", "source": "gossip"})
    assert response.status_code == 422 and "source" in response.json()["errors"]


def test_walking_an_ofi_through_the_api(client, make_ofi, manager, owner):
    ofi = make_ofi()
    url = f"{API}/{ofi.reference}/transitions"
    assert call(client, manager, "post", url, {"name": "accept", "version": ofi.version}).json()["state"] == "accepted"
    planned = call(client, manager, "post", url, {"name": "plan", "owner": owner.username,
                                                  "due_date": str(TODAY() + dt.timedelta(days=3))}).json()
    assert planned["state"] == "planned" and planned["owner"] == owner.username
    done = call(client, owner, "post", url, {"name": "implement", "implementation_note": "Live"})
    assert done.status_code == 200 and done.json()["state"] == "implemented"


def test_transition_refusals_map_to_403_409_and_422(client, make_ofi, manager, reporter):
    ofi = make_ofi()
    url = f"{API}/{ofi.reference}/transitions"
    assert call(client, reporter, "post", url, {"name": "accept"}).status_code == 403
    stale = call(client, manager, "post", url, {"name": "accept", "version": ofi.version + 5})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert call(client, manager, "post", url, {"name": "implement"}).status_code == 409
    declined = call(client, manager, "post", url, {"name": "decline"})
    assert declined.status_code == 422 and "decline_reason" in declined.json()["errors"]
    unknown_owner = call(client, manager, "post", url, {"name": "accept", "owner": "nobody"})
    assert unknown_owner.status_code == 422


def test_an_ofi_the_user_cannot_see_is_404_and_no_sign_in_is_401(client, make_ofi, stranger):
    ofi = make_ofi()
    assert call(client, stranger, "get", f"{API}/{ofi.reference}").status_code == 404
    client.logout()
    assert client.get(f"{API}/").status_code == 401


def test_raising_an_nc_from_an_ofi(client, make_ofi, manager, reporter):
    ofi = make_ofi("accepted")
    body = {"title": "Leaver access", "description": "d", "requirement": "A.5.18", "area": "HR"}
    assert call(client, reporter, "post", f"{API}/{ofi.reference}/nonconformities", body).status_code == 403
    created = call(client, manager, "post", f"{API}/{ofi.reference}/nonconformities", body)
    assert created.status_code == 201
    assert call(client, manager, "get", f"{API}/{ofi.reference}").json()["raised_nonconformities"] == [
        created.json()["reference"]]


def test_audits_findings_and_independence_through_the_api(client, manager, auditor_user, owner, management_system):
    services.work_areas_set(actor=manager, user=owner, areas=["IT"])
    created = call(client, manager, "post", f"{API}/audits", {
        "kind": "third_party", "title": "Client audit", "scope": "Hosting", "areas": "IT, Facilities",
        "starts_on": str(TODAY()), "ends_on": str(TODAY()), "lead_auditor": auditor_user.username,
        "team": [owner.username]})
    assert created.status_code == 201
    reference = created.json()["reference"]
    assert created.json()["independence_conflicts"] == [{"auditor": owner.username, "area": "IT"}]
    finding = call(client, auditor_user, "post", f"{API}/audits/{reference}/findings", {
        "outcome": "nonconformity", "title": "No DR test", "description": "d", "requirement": "A.5.30"})
    assert finding.status_code == 201
    audit = call(client, auditor_user, "get", f"{API}/audits/{reference}").json()
    assert audit["findings"] == [{"record": finding.json()["reference"], "type": "nonconformity",
                                  "title": "No DR test", "state": "reported"}]
    assert [a["reference"] for a in call(client, manager, "get", f"{API}/audits").json()] == [reference]


def test_audit_api_refuses_the_wrong_user(client, make_audit, reporter, approver):
    audit = make_audit()
    assert call(client, reporter, "get", f"{API}/audits/{audit.reference}").status_code == 404
    assert call(client, approver, "post", f"{API}/audits/{audit.reference}/findings",
                {"outcome": "ofi", "title": "t", "description": "d"}).status_code == 403
    assert call(client, approver, "post", f"{API}/audits", {
        "kind": "internal", "title": "t", "scope": "s", "areas": "a", "starts_on": str(TODAY()),
        "ends_on": str(TODAY()), "lead_auditor": approver.username}).status_code == 403


def test_reviews_and_decisions_through_the_api(client, manager, reviewer, owner, management_system):
    first = call(client, manager, "post", f"{API}/reviews", {
        "held_on": str(TODAY() - dt.timedelta(days=30)), "attendees": [manager.username], "minutes": "Q1"}).json()
    decided = call(client, reviewer, "post", f"{API}/reviews/{first['reference']}/decisions", {
        "text": "Automate access reviews", "owner": owner.username, "due_date": str(TODAY() + dt.timedelta(days=9))})
    assert decided.status_code == 201
    second = call(client, manager, "post", f"{API}/reviews", {
        "held_on": str(TODAY()), "attendees": [manager.username, reviewer.username], "minutes": "Q2"})
    body = second.json()
    assert body["previous_review"] == first["reference"]
    assert body["previous_decisions"][0]["record"] == decided.json()["reference"]
    assert body["previous_decisions"][0]["state"] == "planned"


def test_review_api_refuses_the_wrong_user(client, manager, reporter, management_system):
    assert call(client, reporter, "post", f"{API}/reviews", {
        "held_on": str(TODAY()), "attendees": [manager.username], "minutes": "m"}).status_code == 403
    review = services.review_record(actor=manager, held_on=TODAY(), attendees=[manager], minutes="m")
    assert call(client, reporter, "get", f"{API}/reviews/{review.reference}").status_code == 404


def test_changes_through_the_api(client, make_nc, manager, approver, reviewer):
    nc = make_nc(NcState.ACTING)
    body = {"kind": "procedure", "what_changed": "Offboarding v3", "reason": "Leavers kept access",
            "approved_by": approver.username, "effective_on": str(TODAY()), "nonconformity": nc.reference}
    assert call(client, reviewer, "post", f"{API}/changes", body).status_code == 403
    created = call(client, manager, "post", f"{API}/changes", body)
    assert created.status_code == 201 and created.json()["caused_by"] == nc.reference
    assert [c["reference"] for c in call(client, approver, "get", f"{API}/changes").json()] == [
        created.json()["reference"]]
    missing = call(client, manager, "post", f"{API}/changes", {**body, "nonconformity": "NC-1999-0009"})
    assert missing.status_code == 422 and "nonconformity" in missing.json()["errors"]


@pytest.mark.parametrize("path", ["/", "/audits", "/reviews", "/changes"])
def test_lists_need_authentication(client, path):
    assert client.get(API + path).status_code == 401
