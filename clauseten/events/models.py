from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    """One immutable entry of the history: who, when, what changed, why.

    Each event carries the hash of the one before it (`prev_hash`) and its own `hash`
    over its content, so a changed, removed or inserted row breaks the chain.
    """

    seq = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1, without gaps.")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    record = models.CharField(max_length=32, blank=True, db_index=True,
                              help_text="Reference of the record whose timeline shows this event (e.g. NC-2026-0042).")
    verb = models.CharField(max_length=60)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    comment = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["record", "seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.record or self.subject_type}"


class ChainHead(models.Model):
    """A single row naming the newest event. Locking it serialises writers so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
