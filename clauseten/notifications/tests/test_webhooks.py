"""Webhooks against a real HTTP receiver on 127.0.0.1: signed, retried after a 500, every attempt logged."""

import datetime as dt
import hashlib
import hmac

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from clauseten.events.models import Event
from clauseten.notifications import services
from clauseten.notifications.models import Delivery, WebhookAttempt, WebhookDelivery

SECRET = "a-long-shared-secret-for-tests"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(seconds: int = 0):
    return time_machine.travel(T0 + dt.timedelta(seconds=seconds), tick=False)


@pytest.fixture
def endpoint(admin_user, receiver):
    return services.webhook_endpoint_create(actor=admin_user, url=receiver.url,
                                            event_kinds=["nonconformity."], secret=SECRET)


def test_each_delivery_is_signed_with_the_endpoints_secret(endpoint, receiver, make_nc):
    with at():
        nc = make_nc("open")
        call_command("tick", verbosity=0)
    verbs = [r["json"]["verb"] for r in receiver.requests]
    assert verbs == ["nonconformity.reported", "nonconformity.accept"]
    for request in receiver.requests:
        expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request["headers"]["X-ClauseTen-Signature"], expected)
        assert request["headers"]["X-ClauseTen-Event"] == request["json"]["verb"]
        assert request["headers"]["X-ClauseTen-Delivery"]
    body = receiver.requests[1]["json"]
    assert body["record"] == nc.reference and body["actor"] == "mona"
    assert body["changes"]["owner"] == [None, "omar"] and body["link"].endswith(f"/ncs/{nc.reference}/")
    assert set(body) == {"seq", "verb", "record", "actor", "at", "changes", "comment", "link"}


def test_a_500_is_retried_with_backoff_and_then_delivered(endpoint, receiver, make_nc):
    receiver.answers = [500]
    with at():
        make_nc("reported")
        call_command("tick", verbosity=0)
    delivery = WebhookDelivery.objects.get(event__verb="nonconformity.reported")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.PENDING, 1, 500)
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=60)
    with at(30):
        call_command("tick", verbosity=0)  # still waiting for its backoff
    assert len(receiver.requests) == 1
    with at(61):
        call_command("tick", verbosity=0)
        call_command("tick", verbosity=0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.SENT, 2, 200)
    assert [a.status_code for a in WebhookAttempt.objects.filter(delivery=delivery)] == [500, 200]
    assert [r["status"] for r in receiver.requests] == [500, 200]


def test_an_unreachable_receiver_is_logged_and_retried(admin_user, make_nc):
    services.webhook_endpoint_create(actor=admin_user, url="http://127.0.0.1:9/nothing-listens",
                                     event_kinds=[])
    with at():
        make_nc("reported")
        call_command("tick", verbosity=0)
    delivery = WebhookDelivery.objects.get(event__verb="nonconformity.reported")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.PENDING, 1, None)
    assert "refused" in delivery.last_error.lower() or "error" in delivery.last_error.lower()


def test_only_the_chosen_event_kinds_are_sent(endpoint, receiver, make_nc, cast):
    with at():
        make_nc("acting")
        call_command("tick", verbosity=0)
    verbs = [r["json"]["verb"] for r in receiver.requests]
    assert verbs and all(v.startswith("nonconformity.") for v in verbs)
    assert "action.planned" in set(Event.objects.values_list("verb", flat=True))


def test_a_disabled_endpoint_gets_nothing_and_the_change_is_in_the_history(endpoint, receiver, admin_user,
                                                                            make_nc):
    services.webhook_endpoint_disable(actor=admin_user, endpoint=endpoint)
    with at():
        make_nc("reported")
        call_command("tick", verbosity=0)
    assert receiver.requests == []
    verbs = list(Event.objects.filter(subject_type="notifications.webhookendpoint")
                 .values_list("verb", flat=True))
    assert verbs == ["webhook_endpoint.created", "webhook_endpoint.disabled"]
    assert "secret" not in str(Event.objects.filter(verb="webhook_endpoint.created").get().changes)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)",
                                 "not a url"])
def test_it_refuses_endpoints_that_are_not_http(admin_user, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_endpoint_create(actor=admin_user, url=url, event_kinds=[])
    assert "url" in refused.value.message_dict


def test_it_refuses_a_short_secret(admin_user):
    with pytest.raises(ValidationError) as refused:
        services.webhook_endpoint_create(actor=admin_user, url="https://example.org/hook", event_kinds=[],
                                         secret="short")
    assert "secret" in refused.value.message_dict
