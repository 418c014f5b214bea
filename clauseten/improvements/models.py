"""The improvement register (10.1), the audit programme (9.2), management reviews (9.3) and the change log (10.2 e)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem

User = settings.AUTH_USER_MODEL


class Improvement(models.Model):
    """An observation or opportunity for improvement (OFI): the improvement register of clause 10.1."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        OFI = "ofi", "Opportunity for improvement"

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        PLANNED = "planned", "Planned"
        IMPLEMENTED = "implemented", "Implemented"
        REVIEWED = "reviewed", "Benefit reviewed"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="improvements")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    source = models.CharField(max_length=30)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED, editable=False)
    state_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    origin_nonconformity = models.ForeignKey("nonconformities.Nonconformity", on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="improvements")
    decline_reason = models.TextField(max_length=5000, blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="improvements")
    due_date = models.DateField(null=True, blank=True)
    expected_benefit = models.TextField(max_length=5000, blank=True)
    implementation_note = models.TextField(max_length=5000, blank=True)
    implemented_at = models.DateTimeField(null=True, blank=True, editable=False)
    benefit_review = models.TextField(max_length=5000, blank=True)
    benefit_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "due_date"]), models.Index(fields=["owner", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["proposed", "accepted", "declined", "planned",
                                                          "implemented", "reviewed"]), name="improvement_state_valid"),
            models.CheckConstraint(condition=~Q(state="declined") | ~Q(decline_reason=""),
                                   name="improvement_declined_has_reason"),
            models.CheckConstraint(condition=~Q(state__in=["planned", "implemented", "reviewed"])
                                   | (Q(owner__isnull=False) & Q(due_date__isnull=False)),
                                   name="improvement_planned_has_owner_and_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and self.state in ("planned", "accepted") and self.due_date < timezone.localdate())


class ImprovementNonconformity(models.Model):
    """A nonconformity this OFI raised (the other direction is Improvement.origin_nonconformity)."""

    improvement = models.ForeignKey(Improvement, on_delete=models.PROTECT, related_name="raised")
    nonconformity = models.ForeignKey("nonconformities.Nonconformity", on_delete=models.PROTECT,
                                      related_name="raised_by_improvements")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["improvement", "nonconformity"], name="improvement_nc_unique")]


class WorkArea(models.Model):
    """An area or department a person works in: an auditor auditing it is not independent (ISO 19011, 9.2)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="work_areas")
    area = models.CharField(max_length=200)

    class Meta:
        ordering = ["user__username", "area"]
        constraints = [models.UniqueConstraint(fields=["user", "area"], name="work_area_unique")]


class Audit(models.Model):
    """An audit in the audit programme (9.2): internal, external certification, or by a client or third party."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal audit"
        EXTERNAL = "external", "External certification audit"
        THIRD_PARTY = "third_party", "Client or third-party audit"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    # The source an NC found by this kind of audit carries in the register.
    NC_SOURCE = {Kind.INTERNAL: "internal_audit", Kind.EXTERNAL: "external_audit", Kind.THIRD_PARTY: "third_party_audit"}

    reference = models.CharField(max_length=20, unique=True, editable=False)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="audits")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    scope = models.TextField(max_length=5000)
    areas = models.CharField(max_length=500, help_text="Audited areas or departments, separated by commas.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    lead_auditor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="audits_led")
    team = models.ManyToManyField(User, blank=True, related_name="audits_on_team")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False)
    conclusion = models.TextField(max_length=10000, blank=True)
    cancel_reason = models.TextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="audit_dates_in_order"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="audit_cancelled_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def area_list(self) -> list[str]:
        return [part.strip() for part in self.areas.split(",") if part.strip()]


class AuditFinding(models.Model):
    """A finding of an audit: it became either a nonconformity or an OFI, and is followed there."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    nonconformity = models.OneToOneField("nonconformities.Nonconformity", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="audit_finding")
    improvement = models.OneToOneField(Improvement, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="audit_finding")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(nonconformity__isnull=True) ^ Q(improvement__isnull=True),
                                   name="finding_is_an_nc_or_an_ofi"),
        ]

    @property
    def record(self):
        return self.nonconformity or self.improvement


class ManagementReview(models.Model):
    """A management review meeting (9.3): who attended, what it considered, what it decided."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    attendees = models.ManyToManyField(User, related_name="management_reviews")
    inputs = models.CharField(max_length=500, blank=True,
                              help_text="The review pack query, e.g. from=2026-01-01&to=2026-06-30.")
    minutes = models.TextField(max_length=20000)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.held_on})"


class ReviewDecision(models.Model):
    """An output of a review: an OFI it created, or a follow-up on an existing nonconformity."""

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(max_length=5000)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="review_decisions")
    due_date = models.DateField()
    improvement = models.OneToOneField(Improvement, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="review_decision")
    nonconformity = models.ForeignKey("nonconformities.Nonconformity", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="review_decisions")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(nonconformity__isnull=True) ^ Q(improvement__isnull=True),
                                   name="decision_is_an_ofi_or_follows_an_nc"),
        ]

    @property
    def reference(self) -> str:
        return self.review.reference

    @property
    def record(self):
        return self.improvement or self.nonconformity


class ManagementSystemChange(models.Model):
    """A change to the management system (10.2 e, 6.3): what, why, caused by what, approved by whom, since when."""

    class Kind(models.TextChoices):
        POLICY = "policy", "Policy"
        PROCEDURE = "procedure", "Procedure"
        CONTROL = "control", "Control"
        RISK = "risk", "Risk"
        OBJECTIVE = "objective", "Objective"
        OTHER = "other", "Other"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    what_changed = models.TextField(max_length=5000)
    reason = models.TextField(max_length=5000, help_text="Why it changed.")
    nonconformity = models.ForeignKey("nonconformities.Nonconformity", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="management_system_changes")
    improvement = models.ForeignKey(Improvement, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="management_system_changes")
    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="management_system_changes")
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(nonconformity__isnull=False) | Q(improvement__isnull=False)
                                   | Q(review__isnull=False), name="change_has_a_cause"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def cause(self):
        return self.nonconformity or self.improvement or self.review
