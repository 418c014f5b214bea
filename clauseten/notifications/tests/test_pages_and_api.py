"""Webhook pages and the notifications API: admins manage, everyone else is refused."""

import pytest
from django.core.management import call_command

from clauseten.notifications import services
from clauseten.notifications.models import WebhookEndpoint

API = "/api/v1/notifications"


@pytest.fixture
def endpoint(admin_user, receiver):
    return services.webhook_endpoint_create(actor=admin_user, url=receiver.url,
                                            event_kinds=["nonconformity."])


# --- pages ------------------------------------------------------------------------------------------------

def test_the_webhooks_page_shows_each_delivery_with_its_status_and_attempts(client, admin_user, endpoint,
                                                                          receiver, make_nc):
    receiver.answers = [500]
    make_nc("reported")
    call_command("tick", verbosity=0)
    client.force_login(admin_user)
    page = client.get("/notifications/webhooks/")
    assert page.status_code == 200
    delivery = page.context["deliveries"][0]
    assert (delivery.last_status_code, delivery.attempts, delivery.status) == (500, 1, "pending")
    assert b"HTTP 500" in page.content and endpoint.url.encode() in page.content


@pytest.mark.parametrize("persona", ["manager", "reviewer", "auditor", "stranger"])
def test_it_refuses_the_webhooks_page_to_everyone_but_admins(client, request, persona, endpoint):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/notifications/webhooks/").status_code == 403
    assert client.post("/notifications/webhooks/", {"url": "https://example.org/x"}).status_code == 403
    assert client.post(f"/notifications/webhooks/{endpoint.pk}/toggle").status_code == 403
    assert WebhookEndpoint.objects.count() == 1 and WebhookEndpoint.objects.get().active


def test_the_webhooks_page_asks_anonymous_visitors_to_sign_in(client, db):
    assert client.get("/notifications/webhooks/").status_code == 302


def test_an_admin_adds_and_disables_an_endpoint_from_the_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/notifications/webhooks/", {"url": "https://hooks.example.org/ct",
                                                        "event_kinds": "action., nonconformity."})
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_kinds == ["action.", "nonconformity."] and endpoint.secret.startswith("whsec_")
    client.post(f"/notifications/webhooks/{endpoint.pk}/toggle")
    endpoint.refresh_from_db()
    assert not endpoint.active


def test_a_bad_endpoint_reads_as_a_field_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/notifications/webhooks/", {"url": "https://example.org/x", "secret": "short"})
    assert response.status_code == 200 and response.context["form"].errors["secret"]
    assert not WebhookEndpoint.objects.exists()


# --- API --------------------------------------------------------------------------------------------------

def test_an_admin_manages_endpoints_through_the_api(client, admin_user, receiver):
    client.force_login(admin_user)
    created = client.post(f"{API}/webhooks", {"url": receiver.url, "event_kinds": ["action."]},
                          content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["active"]
    listed = client.get(f"{API}/webhooks").json()
    assert [e["id"] for e in listed] == [body["id"]]
    patched = client.patch(f"{API}/webhooks/{body['id']}", {"event_kinds": ["nonconformity."], "version": 1},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["event_kinds"] == ["nonconformity."]
    stale = client.patch(f"{API}/webhooks/{body['id']}", {"url": "https://x.example.org/", "version": 1},
                         content_type="application/json")
    assert stale.status_code == 409
    disabled = client.delete(f"{API}/webhooks/{body['id']}")
    assert disabled.status_code == 200 and not disabled.json()["active"]
    assert WebhookEndpoint.objects.filter(pk=body["id"]).exists()  # nothing hard-deleted


def test_the_api_refuses_a_bad_endpoint_with_field_errors(client, admin_user):
    client.force_login(admin_user)
    response = client.post(f"{API}/webhooks", {"url": "ftp://example.org/x"}, content_type="application/json")
    assert response.status_code == 422 and "url" in response.json()["errors"]


def test_the_api_lists_deliveries_with_status_and_attempts(client, admin_user, endpoint, receiver, make_nc):
    receiver.answers = [503]
    make_nc("reported")
    call_command("tick", verbosity=0)
    client.force_login(admin_user)
    rows = client.get(f"{API}/deliveries").json()
    assert [(r["verb"], r["status"], r["attempts"], r["last_status_code"]) for r in rows] == [
        ("nonconformity.reported", "pending", 1, 503)]
    assert client.get(f"{API}/webhooks/{endpoint.pk}/deliveries").json() == rows


@pytest.mark.parametrize("persona", ["manager", "reviewer", "auditor", "stranger"])
def test_the_api_refuses_webhooks_to_everyone_but_admins(client, request, persona, endpoint):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"{API}/webhooks").status_code == 403
    assert client.post(f"{API}/webhooks", {"url": "https://example.org/x"},
                       content_type="application/json").status_code == 403
    assert client.get(f"{API}/webhooks/{endpoint.pk}").status_code == 403
    assert client.patch(f"{API}/webhooks/{endpoint.pk}", {"active": False},
                        content_type="application/json").status_code == 403
    assert client.delete(f"{API}/webhooks/{endpoint.pk}").status_code == 403
    assert client.get(f"{API}/deliveries").status_code == 403
    assert client.get(f"{API}/webhooks/{endpoint.pk}/deliveries").status_code == 403
    assert WebhookEndpoint.objects.get().active


def test_the_api_answers_401_without_a_sign_in(client, endpoint):
    assert client.get(f"{API}/webhooks").status_code == 401
    assert client.get(f"{API}/calendar").status_code == 401
    assert client.post(f"{API}/calendar").status_code == 401


def test_an_unknown_endpoint_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get(f"{API}/webhooks/999").status_code == 404


def test_a_person_gets_and_revokes_their_calendar_url_through_the_api(client, action_owner):
    client.force_login(action_owner)
    assert client.get(f"{API}/calendar").json()["active"] is False
    created = client.post(f"{API}/calendar")
    assert created.status_code == 201
    url = created.json()["url"]
    assert client.get(f"{API}/calendar").json() == {**created.json(), "url": None}
    client.logout()
    path = url.split("8000", 1)[1]
    assert client.get(path).status_code == 200
    client.force_login(action_owner)
    assert client.delete(f"{API}/calendar").json() == {"revoked": 1}
    assert client.get(path).status_code == 404
