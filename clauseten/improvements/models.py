from django.conf import settings
from django.db import models
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem


class Improvement(models.Model):
    """An observation or opportunity for improvement (OFI): the improvement register of clause 10.1."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        OFI = "ofi", "Opportunity for improvement"

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="improvements")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    source = models.CharField(max_length=30)
    state = models.CharField(max_length=20, default=State.PROPOSED, editable=False)
    origin_nonconformity = models.ForeignKey("nonconformities.Nonconformity", on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="improvements")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
