from django.conf import settings
from django.db import models
from django.utils import timezone

# --- Records for auditors (evidence packs) ---------------------------------------------------------------


class EvidencePack(models.Model):
    """One requested evidence pack: its filters, its build status, and the ZIP once built (in Django storage).

    Built in the background (django-tasks) so a large register never hangs a request; the page polls this row.
    """

    class Status(models.TextChoices):
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    filters = models.JSONField(default=dict, blank=True, help_text="The filter as requested (see PackFilter).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    file = models.FileField(upload_to="evidence-packs/", max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    nc_count = models.PositiveIntegerField(default=0)
    chain_seq = models.BigIntegerField(null=True, blank=True, help_text="The chain head when the pack was built.")
    chain_intact = models.BooleanField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["building", "ready", "failed"]),
                                   name="evidence_pack_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Evidence pack {self.pk} ({self.status})"


# --- end of records for auditors -------------------------------------------------------------------------
