"""Who is calling the API: personal tokens (stored as SHA-256 only), sessions with CSRF, and the schema served."""

import hashlib
import json

import pytest
from django.test import Client

from clauseten.accounts.models import ApiToken
from clauseten.accounts.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_me_names_the_signed_in_user_and_their_roles(client, manager):
    client.force_login(manager)
    body = client.get("/api/v1/me").json()
    assert (body["username"], body["name"], body["roles"]) == ("mona", "Mona", ["manager"])
    assert body["sees_everything"] is True and body["read_only"] is False


def test_an_auditor_is_shown_as_read_only(client, auditor):
    client.force_login(auditor)
    assert client.get("/api/v1/me").json()["read_only"] is True


def test_a_personal_token_authenticates(reporter):
    token, secret = api_token_create(user=reporter, name="integration")
    response = Client().get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200 and response.json()["username"] == "rita"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_may_write_without_csrf(reporter, management_system):
    _, secret = api_token_create(user=reporter, name="integration")
    body = {"title": "Phishing mail clicked", "description": "A user entered credentials.", "requirement": "A.6.3",
            "area": "Finance", "detected_on": "2025-01-10", "source": "incident"}
    response = Client(enforce_csrf_checks=True).post("/api/v1/nonconformities", json.dumps(body),
                                                     content_type="application/json", **bearer(secret))
    assert response.status_code == 201, response.content
    assert response.json()["reported_by"] == "rita"


def test_a_revoked_token_is_refused(reporter):
    token, secret = api_token_create(user=reporter, name="old laptop")
    api_token_revoke(user=reporter, token=token)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(reporter):
    _, secret = api_token_create(user=reporter, name="integration")
    reporter.is_active = False
    reporter.save(update_fields=["is_active"])
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer ct_not-a-real-token", "Bearer ", "Basic cml0YTpwdw==", "ct_nobearer"])
def test_a_wrong_token_is_401(header, reporter):
    api_token_create(user=reporter, name="integration")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_only_the_sha256_of_a_token_is_stored(reporter):
    token, secret = api_token_create(user=reporter, name="integration")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in stored.values())
    assert stored["prefix"] == secret[:10]


def test_no_credentials_is_401_with_a_hint():
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_session_write_needs_the_csrf_token(reporter, management_system):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reporter)
    body = json.dumps({"body": "hello"})
    response = browser.post("/api/v1/nonconformities", body, content_type="application/json")
    assert response.status_code == 403
    # Reading is safe without it.
    assert browser.get("/api/v1/me").status_code == 200


def test_the_openapi_schema_is_served_and_lists_the_transition_endpoint(client, reporter):
    client.force_login(reporter)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/v1/nonconformities/{reference}/transitions"]
    assert {"/api/v1/nonconformities", "/api/v1/me", "/api/v1/me/work", "/api/v1/attachments/{attachment_id}"} <= set(
        paths)
    transition_in = response.json()["components"]["schemas"]["TransitionIn"]
    assert "state" not in transition_in["properties"]
