"""Reads the follow-up pages and API share, already filtered by permission."""

from django.db.models import QuerySet

from . import permissions
from .models import CalendarToken, WebhookDelivery, WebhookEndpoint


def webhook_endpoints_visible_to(user) -> QuerySet[WebhookEndpoint]:
    if not permissions.can_manage_webhooks(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.select_related("created_by").order_by("id")


def webhook_deliveries_visible_to(user, *, endpoint_id: int | None = None) -> QuerySet[WebhookDelivery]:
    if not permissions.can_manage_webhooks(user):
        return WebhookDelivery.objects.none()
    deliveries = WebhookDelivery.objects.select_related("endpoint", "event").order_by("-created_at", "-id")
    return deliveries.filter(endpoint_id=endpoint_id) if endpoint_id is not None else deliveries


def live_calendar_token(user) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_owner(secret: str):
    """The active person a calendar secret belongs to, or None (unknown, revoked, or deactivated)."""
    token = (CalendarToken.objects.select_related("user")
             .filter(digest=CalendarToken.digest_of(secret), revoked_at__isnull=True, user__is_active=True)
             .first())
    return token.user if token else None
