"""What follow-up has decided and done: mails (one row per reminder), webhook deliveries, calendar tokens.

Each row is both the log and the work queue (like healthchecks' Flip): a reminder is decided once, in the
transaction that creates its row, and sent after commit; a failed send stays pending with its next try.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Cursor(models.Model):
    """How far a reader of the event history (the outbox) has got. Locked while it advances."""

    name = models.CharField(max_length=60, unique=True)
    seq = models.BigIntegerField(default=0)


class Delivery(models.TextChoices):
    """Where a mail or a webhook delivery stands."""

    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    HELD = "held", "Held for digest"
    DIGESTED = "digested", "Sent in a digest"
    SKIPPED = "skipped", "Skipped (no longer relevant)"


class Notification(models.Model):
    """One mail decided for one person on one occasion. The UNIQUE key is what makes a tick idempotent."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        ESCALATION_MANAGER = "escalation_manager", "Escalated to managers"
        ESCALATION_REVIEW_TEAM = "escalation_review_team", "Escalated to the review team"
        REVIEW_DUE = "review_due", "Effectiveness review due"
        DIGEST = "digest", "Digest"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject_key = models.CharField(max_length=60, help_text="What it is about: 'nc:<id>', 'action:<id>' or "
                                                            "'user:<id>' for a digest.")
    occasion = models.CharField(max_length=40,
                                help_text="Which time: a due date, 'event:<seq>', a digest period.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="notifications")
    record = models.CharField(max_length=32, blank=True, help_text="Reference of the NC it links to.")
    subject_line = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    digest = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_key", "recipient", "occasion"],
                                    name="notification_once_per_occasion"),
            models.CheckConstraint(condition=Q(status__in=Delivery.values), name="notification_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["recipient", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.occasion})"


class WebhookEndpoint(models.Model):
    """An admin-registered receiver of events. Only http(s) URLs; bodies are signed with `secret`."""

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Shared with the receiver to check the signature.")
    event_kinds = models.JSONField(default=list, blank=True, help_text=(
        "Verb prefixes such as 'nonconformity.' or 'action.'; empty for all."))
    active = models.BooleanField(default=True)
    cursor_seq = models.BigIntegerField(default=0, help_text="The last event considered for this endpoint.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, verb: str) -> bool:
        return not self.event_kinds or any(verb.startswith(prefix) for prefix in self.event_kinds)

    @staticmethod
    def new_secret() -> str:
        return "whsec_" + secrets.token_urlsafe(24)


class WebhookDelivery(models.Model):
    """One event to one endpoint, retried with exponential backoff until the receiver answers 2xx."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class WebhookAttempt(models.Model):
    """Every POST made, whatever came of it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.PROTECT, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]


class CalendarToken(models.Model):
    """The secret in a person's private calendar URL. Only its SHA-256 is stored; revoked ones stay listed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="calendar_tokens")
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                               name="calendar_token_one_live_per_user")]

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "cal_" + secrets.token_urlsafe(32)
