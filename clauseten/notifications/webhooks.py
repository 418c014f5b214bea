"""Webhooks: each endpoint reads the event history from its own cursor; each matching event becomes one
delivery, POSTed as signed JSON and retried with exponential backoff until the receiver answers 2xx.

The signature is HMAC-SHA256 over the exact body bytes, with the endpoint's secret, sent as
`X-ClauseTen-Signature: sha256=<hex>`. Redirects are not followed (a POST must not turn into a GET).
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from clauseten.events.models import Event

from . import config
from .models import Delivery, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
USER_AGENT = "ClauseTen-Webhooks/1"


def payload(event: Event) -> dict:
    return {
        "seq": event.seq,
        "verb": event.verb,
        "record": event.record,
        "actor": event.actor_name,
        "at": event.at.isoformat(),
        "changes": event.changes,
        "comment": event.comment,
        "link": config.record_link(event.record) if event.record.startswith("NC-") else "",
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def collect(*, batch: int = 500) -> int:
    """Turn new events into deliveries, endpoint by endpoint, each from its own cursor."""
    made = 0
    for endpoint_id in WebhookEndpoint.objects.filter(active=True).values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
                if not endpoint.active:
                    break
                events = list(Event.objects.filter(seq__gt=endpoint.cursor_seq).order_by("seq")
                              .only("pk", "seq", "verb")[:batch])
                wanted = [WebhookDelivery(endpoint=endpoint, event=event) for event in events
                          if endpoint.wants(event.verb)]
                # The UNIQUE (endpoint, event) pair is the backstop if two workers ever got this far at once.
                WebhookDelivery.objects.bulk_create(wanted, ignore_conflicts=True)
                made += len(wanted)
                if events:
                    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(cursor_seq=events[-1].seq)
            if len(events) < batch:
                break
    return made


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx then surfaces as an HTTPError: logged and retried like any other failure


_opener = urllib.request.build_opener(_NoRedirects)


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes) -> int:
    """POST one delivery; returns the status code, raises on a network error or a non-2xx answer."""
    if urlsplit(endpoint.url).scheme not in ("http", "https"):
        raise ValueError("only http(s) endpoints are allowed")
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-ClauseTen-Signature": sign(endpoint.secret, body),
        "X-ClauseTen-Event": delivery.event.verb,
        "X-ClauseTen-Delivery": str(delivery.uuid),
    })
    with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        return response.status


def deliver_due(*, limit: int = 200) -> DeliveryReport:
    """POST every delivery whose time has come. Outside any transaction: each attempt commits on its own."""
    now = timezone.now()
    report = DeliveryReport()
    WebhookDelivery.objects.filter(status=Delivery.SENDING,
                                   claimed_at__lt=now - dt.timedelta(seconds=config.STALE_CLAIM_SECONDS)) \
        .update(status=Delivery.PENDING)
    due = list(WebhookDelivery.objects
               .filter(status=Delivery.PENDING, next_attempt_at__lte=now, endpoint__active=True)
               .select_related("endpoint", "event").order_by("next_attempt_at", "id")[:limit])
    for delivery in due:
        if not WebhookDelivery.objects.filter(pk=delivery.pk, status=Delivery.PENDING) \
                .update(status=Delivery.SENDING, claimed_at=now):
            continue  # another worker has it
        body = json.dumps(payload(delivery.event), separators=(",", ":"), sort_keys=True).encode()
        started = time.monotonic()
        status_code, error = None, ""
        try:
            status_code = post(delivery.endpoint, delivery, body)
        except urllib.error.HTTPError as exc:
            status_code, error = exc.code, f"HTTP {exc.code} {exc.reason}"
        except Exception as exc:  # noqa: BLE001 — network error, timeout, refused connection: retried later
            error = repr(exc)[:2000]
        ok = status_code is not None and 200 <= status_code < 300 and not error
        _log_attempt(delivery, status_code, error, int((time.monotonic() - started) * 1000), ok)
        if ok:
            report.delivered += 1
        else:
            report.failed += 1
    return report


def _log_attempt(delivery: WebhookDelivery, status_code: int | None, error: str, duration_ms: int,
                 ok: bool) -> None:
    attempts = delivery.attempts + 1
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, at=now, status_code=status_code, error=error,
                                      duration_ms=duration_ms)
        if ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.SENT, attempts=attempts, last_status_code=status_code, last_error="",
                delivered_at=now)
        else:
            logger.warning("webhook delivery %s to %s failed (attempt %s): %s", delivery.uuid,
                           delivery.endpoint.url, attempts, error)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.PENDING, attempts=attempts, last_status_code=status_code, last_error=error,
                next_attempt_at=now + dt.timedelta(seconds=config.retry_delay_seconds(attempts)))
