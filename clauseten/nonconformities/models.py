from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem

User = settings.AUTH_USER_MODEL


class State(models.TextChoices):
    REPORTED = "reported", "Reported"
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    ACTING = "acting", "Acting"
    VERIFYING = "verifying", "Verifying"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"
    MOVED = "moved", "Moved to improvement register"


# States in which nothing remains to be done.
FINAL_STATES = frozenset({State.CLOSED, State.REJECTED, State.DUPLICATE, State.MOVED})


class Source(models.TextChoices):
    INTERNAL_AUDIT = "internal_audit", "Internal audit"
    EXTERNAL_AUDIT = "external_audit", "External (certification) audit"
    THIRD_PARTY_AUDIT = "third_party_audit", "Client or third-party audit"
    INCIDENT = "incident", "Incident, near miss or weakness"
    BREACH = "breach", "Breach"
    POLICY_DEVIATION = "policy_deviation", "Policy/procedure deviation"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment update"
    INSPECTION = "inspection", "Inspection"
    MONITORING = "monitoring", "Monitoring and measurement"
    TREND_ANALYSIS = "trend_analysis", "Trend analysis"
    MANAGEMENT_REVIEW = "management_review", "Management review"
    OBJECTIVES_REVIEW = "objectives_review", "Objectives review"
    CHANGE_MANAGEMENT = "change_management", "Change management"
    LEGAL_CHANGE = "legal_change", "Legal, regulatory or standard change"
    COMPLAINT = "complaint", "Complaint"
    SUGGESTION = "suggestion", "Suggestion"
    OTHER = "other", "Other"


class Classification(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "Five whys"
    CAUSE_CATEGORIES = "cause_categories", "Cause categories"
    FREE_TEXT = "free_text", "Free text"


class CauseCategory(models.TextChoices):
    PEOPLE = "people", "People (skills, awareness)"
    PROCESS = "process", "Process or procedure"
    TECHNOLOGY = "technology", "Technology"
    INFORMATION = "information", "Information or documentation"
    SUPPLIER = "supplier", "Supplier or third party"
    ENVIRONMENT = "environment", "Environment or facilities"
    MANAGEMENT = "management", "Management or resources"


class Nonconformity(models.Model):
    """Non-fulfilment of a requirement (ISO/IEC 27001 10.2). Its `state` changes only through the lifecycle."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="nonconformities")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000, help_text="What happened.")
    requirement = models.CharField(max_length=500, help_text="The requirement not fulfilled (clause, control, policy, law).")
    area = models.CharField(max_length=200, help_text="Process, area or asset where it was found.")
    detected_on = models.DateField()
    source = models.CharField(max_length=30, choices=Source.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REPORTED, editable=False)
    state_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    classification = models.CharField(max_length=10, choices=Classification.choices, blank=True)

    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reported_nonconformities")
    reported_at = models.DateTimeField(default=timezone.now, editable=False)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="owned_nonconformities")
    correction_due = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True, help_text="Target date for closure.")

    correction = models.TextField(max_length=10000, blank=True)
    consequences = models.TextField(max_length=10000, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True, editable=False)
    root_cause = models.TextField(max_length=10000, blank=True)
    root_cause_method = models.CharField(max_length=20, choices=RootCauseMethod.choices, blank=True)
    cause_category = models.CharField(max_length=20, choices=CauseCategory.choices, blank=True)
    extent_of_condition = models.TextField(max_length=10000, blank=True)
    effectiveness_criteria = models.TextField(max_length=5000, blank=True)
    effectiveness_review_due = models.DateField(null=True, blank=True)

    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = "nonconformity"
        verbose_name_plural = "nonconformities"
        indexes = [
            models.Index(fields=["state", "due_date"]),
            models.Index(fields=["owner", "state"]),
            models.Index(fields=["reported_by", "state"]),
            models.Index(fields=["-reported_at", "-id"]),
            models.Index(fields=["due_date", "id"]),
            models.Index(fields=["source", "state"]),
            # The register filtered by owner or state, newest first: an ordered walk, no sort of every match.
            models.Index(fields=["owner", "reported_at", "id"], name="nc_owner_newest_idx"),
            models.Index(fields=["state", "reported_at", "id"], name="nc_state_newest_idx"),
            # The dashboard's "closed in the period": a range of the index, not a scan of every record.
            models.Index(fields=["closed_at"], name="nc_closed_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="nc_state_valid"),
            models.CheckConstraint(condition=Q(classification__in=["", *Classification.values]),
                                   name="nc_classification_valid"),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("id")), name="nc_not_duplicate_of_itself"),
            # A record past triage always has a classification and an owner.
            models.CheckConstraint(
                condition=Q(state__in=[State.REPORTED, State.REJECTED, State.DUPLICATE, State.MOVED])
                | (~Q(classification="") & Q(owner__isnull=False)),
                name="nc_accepted_has_classification_and_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and not self.is_final and self.due_date < timezone.localdate())


class NonconformityLink(models.Model):
    """Extent of condition (10.2 b): a similar record elsewhere, or a recurrence of an earlier one."""

    class Kind(models.TextChoices):
        SIMILAR = "similar", "Similar"
        RECURRENCE = "recurrence", "Recurrence of"

    source = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="links")
    target = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="linked_from")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SIMILAR)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="nc_link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="nc_link_not_to_itself"),
        ]


class Action(models.Model):
    """A corrective action (10.2 c): removes the cause so the nonconformity does not recur."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(max_length=5000)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False)
    completion_note = models.TextField(max_length=5000, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"]),
                   models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["planned", "done", "cancelled"]), name="action_status_valid"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(completion_note=""), name="action_done_has_note"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="action_cancelled_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.nonconformity.reference} action {self.pk}"

    @property
    def reference(self) -> str:
        """Events of an action appear in its nonconformity's timeline."""
        return self.nonconformity.reference

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


class EffectivenessReview(models.Model):
    """The planned check that the corrective actions worked (10.2 d). A failed review is kept."""

    class Verdict(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="reviews")
    verdict = models.CharField(max_length=15, choices=Verdict.choices)
    criteria = models.TextField(help_text="The criteria as they stood when the review was made.")
    notes = models.TextField(max_length=5000, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reviewed_at", "id"]


class Approval(models.Model):
    """A sign-off by an approver (never on their own work): of the action plan, or of the closure."""

    class Kind(models.TextChoices):
        PLAN = "plan", "Action plan"
        CLOSURE = "closure", "Closure"

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    approver = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["approved_at", "id"]


def evidence_path(instance: "Attachment", filename: str) -> str:
    # Content-addressed under the record: the stored name never comes from the user.
    return f"evidence/{instance.nonconformity.reference}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """Evidence. Never replaced: a new version is a new attachment with its own event."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="attachments")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(max_length=255, help_text="The uploaded file name, made safe.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def reference(self) -> str:
        return self.nonconformity.reference


class Comment(models.Model):
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def reference(self) -> str:
        return self.nonconformity.reference


class ReferenceSequence(models.Model):
    """The last number given per prefix and year, so references are unique and never reused."""

    key = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)
