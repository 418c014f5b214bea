from django.conf import settings
from django.db import models
from django.utils import timezone


class ManagementSystem(models.Model):
    """The ISMS/AIMS/QMS being run: its standards, scope and the steps the organisation requires."""

    name = models.CharField(max_length=120, unique=True)
    standards = models.CharField(max_length=300, help_text="e.g. ISO/IEC 27001:2022")
    scope = models.TextField(blank=True)
    # The optional steps of the lifecycle (see nonconformities/lifecycle.py): an organisation requires or skips them.
    requires_plan_approval = models.BooleanField(
        default=False, help_text="Corrective action plans need an approver's sign-off before acting starts.")
    requires_closure_approval = models.BooleanField(
        default=True, help_text="Closing needs an approver who owns none of the NC's actions.")
    effectiveness_wait_days_major = models.PositiveSmallIntegerField(
        default=0, help_text="Minimum days between verifying and the effectiveness review, major NCs.")
    effectiveness_wait_days_minor = models.PositiveSmallIntegerField(
        default=0, help_text="Minimum days between verifying and the effectiveness review, minor NCs.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def effectiveness_wait_days(self, classification: str) -> int:
        return self.effectiveness_wait_days_major if classification == "major" else self.effectiveness_wait_days_minor


class Standard(models.Model):
    """A standard, regulation or framework whose requirements an NC can fail (shipped in catalog/data/)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, help_text="e.g. ISO/IEC 27001:2022")
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """A clause, Annex A control, article or subcategory of a standard."""

    class Kind(models.TextChoices):
        CLAUSE = "clause", "Clause"
        CONTROL = "control", "Control"
        ARTICLE = "article", "Article"
        SUBCATEGORY = "subcategory", "Subcategory"

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="requirements")
    identifier = models.CharField(max_length=30, help_text="e.g. 10.2, A.5.1, Art. 20, MANAGE 4.2")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    group = models.CharField(max_length=100, blank=True, help_text="The theme a control belongs to, e.g. A.5.")
    position = models.PositiveIntegerField(default=0, help_text="Order within the standard, as printed.")
    mapped_to = models.ManyToManyField("self", through="RequirementMapping", symmetrical=False,
                                       related_name="mapped_from", blank=True)

    class Meta:
        ordering = ["standard__name", "position"]
        constraints = [models.UniqueConstraint(fields=["standard", "identifier"], name="requirement_unique")]

    def __str__(self) -> str:
        return f"{self.standard.name} {self.identifier} {self.title}"

    @property
    def label(self) -> str:
        return f"{self.identifier} {self.title}"


class RequirementMapping(models.Model):
    """Two requirements that ask for the same thing in different standards; read in both directions."""

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_in")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="requirement_mapping_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="requirement_mapping_not_self"),
        ]


class NonconformityRequirement(models.Model):
    """A catalogue requirement an NC fails. Removing one keeps the row, with who removed it and when."""

    nonconformity = models.ForeignKey("nonconformities.Nonconformity", on_delete=models.PROTECT,
                                      related_name="catalogue_links")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="nonconformity_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requirement__standard__name", "requirement__position"]
        constraints = [
            models.UniqueConstraint(fields=["nonconformity", "requirement"], condition=models.Q(removed_at__isnull=True),
                                    name="nc_requirement_current_unique"),
        ]
