from django.db import models


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
