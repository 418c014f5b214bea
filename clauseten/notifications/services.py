"""Configuration writes of follow-up: webhook endpoints and calendar tokens. Each one emits its event.

Deliveries themselves (mails, webhook POSTs) are logged in this app's own rows, not in the history.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clauseten.events import services as events
from clauseten.events.models import ChainHead
from clauseten.lib.errors import check_version

from . import permissions
from .models import CalendarToken, WebhookEndpoint

ENDPOINT_FIELDS = ("url", "event_kinds", "active")


def _clean_endpoint(endpoint: WebhookEndpoint) -> None:
    errors = {}
    parts = urlsplit(endpoint.url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "Give an http:// or https:// address."
    kinds = endpoint.event_kinds
    if not isinstance(kinds, list) or not all(isinstance(k, str) and k.strip() for k in kinds):
        errors["event_kinds"] = "Give verb prefixes such as 'nonconformity.' or 'action.'."
    else:
        endpoint.event_kinds = sorted({k.strip() for k in kinds})
    if len(endpoint.secret or "") < 16:
        errors["secret"] = "Use a secret of at least 16 characters (or leave it empty to get one)."
    if errors:
        raise ValidationError(errors)
    endpoint.full_clean(exclude=["created_by", "cursor_seq"])


def _snapshot(endpoint: WebhookEndpoint) -> dict:
    # The secret never goes into the history: the history is readable by auditors.
    return {name: getattr(endpoint, name) for name in ENDPOINT_FIELDS}


@transaction.atomic
def webhook_endpoint_create(*, actor, url: str, event_kinds: list[str], secret: str = "") -> WebhookEndpoint:
    """Register a receiver; it gets the events recorded from now on, not the past ones."""
    permissions.require(permissions.can_manage_webhooks(actor), "Only admins manage webhooks.")
    head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    endpoint = WebhookEndpoint(url=(url or "").strip(), event_kinds=list(event_kinds or []),
                               secret=(secret or "").strip() or WebhookEndpoint.new_secret(),
                               created_by=actor, cursor_seq=head)
    _clean_endpoint(endpoint)
    endpoint.save()
    events.record(actor=actor, subject=endpoint, verb="webhook_endpoint.created", after=_snapshot(endpoint))
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, actor, endpoint: WebhookEndpoint, changes: dict,
                            version: int | None = None) -> WebhookEndpoint:
    """Change the URL, the event kinds, the secret, or switch the endpoint off and on."""
    permissions.require(permissions.can_manage_webhooks(actor), "Only admins manage webhooks.")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    check_version(current=endpoint.version, expected=version)
    refused = sorted(set(changes) - {*ENDPOINT_FIELDS, "secret"})
    if refused:
        raise ValidationError({name: "This field cannot be changed here." for name in refused})
    before, old_secret = _snapshot(endpoint), endpoint.secret
    for name, value in changes.items():
        setattr(endpoint, name, value.strip() if isinstance(value, str) else value)
    _clean_endpoint(endpoint)
    after = _snapshot(endpoint)
    if after == before and endpoint.secret == old_secret:
        return endpoint
    if endpoint.active and not before["active"]:
        # Switched back on: carry on from now rather than flood the receiver with what it missed while off.
        endpoint.cursor_seq = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    endpoint.version += 1
    endpoint.save()
    disabled = before["active"] and not endpoint.active
    verb = "webhook_endpoint.disabled" if disabled else "webhook_endpoint.changed"
    if endpoint.secret != old_secret:
        before["secret"], after["secret"] = "(old)", "(new)"
    events.record(actor=actor, subject=endpoint, verb=verb, before=before, after=after)
    return endpoint


def webhook_endpoint_disable(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return webhook_endpoint_update(actor=actor, endpoint=endpoint, changes={"active": False})


@transaction.atomic
def calendar_token_create(*, actor) -> tuple[CalendarToken, str]:
    """A new private calendar URL for `actor`; the previous one stops working. The secret is shown once."""
    permissions.require(permissions.can_have_calendar(actor), "Sign in first.")
    for old in CalendarToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True):
        _revoke(actor, old)
    secret = CalendarToken.new_secret()
    token = CalendarToken.objects.create(user=actor, prefix=secret[:10],
                                         digest=CalendarToken.digest_of(secret))
    events.record(actor=actor, subject=token, verb="calendar_token.created", after={"prefix": token.prefix})
    return token, secret


@transaction.atomic
def calendar_token_revoke(*, actor) -> int:
    """Stop `actor`'s calendar URL from working. Returns how many tokens were revoked (0 or 1)."""
    permissions.require(permissions.can_have_calendar(actor), "Sign in first.")
    tokens = list(CalendarToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True))
    for token in tokens:
        _revoke(actor, token)
    return len(tokens)


def _revoke(actor, token: CalendarToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    events.record(actor=actor, subject=token, verb="calendar_token.revoked", before={"prefix": token.prefix})
