"""The verify page and API: the same result as the CLI, for admins and auditors only."""

import pytest

from clauseten.accounts.roles import Role
from clauseten.events.models import Event


@pytest.fixture
def admin_user(db):
    from clauseten.accounts.services import user_create

    return user_create(username="adam", password="pw-adam", roles=[Role.ADMIN])


def test_an_auditor_sees_the_chain_intact(client, auditor, make_nc):
    make_nc("acting")
    client.force_login(auditor)
    response = client.get("/history/verify/")
    assert response.status_code == 200
    assert f"{Event.objects.count()} events, chain intact" in response.content.decode()


def test_an_admin_sees_the_first_altered_event(client, admin_user, make_nc):
    make_nc("acting")
    target = Event.objects.order_by("seq")[3]
    Event.objects.filter(pk=target.pk).update(comment="changed")
    client.force_login(admin_user)
    response = client.get("/history/verify/")
    assert f"chain broken at event #{target.seq}" in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "reporter", "stranger", "approver"])
def test_others_may_not_verify(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/history/verify/").status_code == 403
    assert client.get("/api/v1/events/verify").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/history/verify/").status_code == 302
    assert client.get("/api/v1/events/verify").status_code == 401


def test_the_api_reports_the_head_and_the_result(client, auditor, make_nc):
    make_nc("open")
    client.force_login(auditor)
    body = client.get("/api/v1/events/verify").json()
    newest = Event.objects.order_by("seq").last()
    assert body["intact"] is True and body["count"] == newest.seq
    assert (body["head_seq"], body["head_hash"]) == (newest.seq, newest.hash)
