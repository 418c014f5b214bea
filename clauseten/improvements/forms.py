"""Forms of the improvements pages. They only parse input; the services decide and write."""

from django import forms
from django.contrib.auth import get_user_model

from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities.models import Source

from .models import Audit, Improvement, ManagementSystemChange

DATE = forms.DateInput(attrs={"type": "date"})


def people():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class PersonField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=people(), **kwargs)

    def label_from_instance(self, user):
        return f"{user} ({user.username})"


class PeopleField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=people(), widget=forms.SelectMultiple(attrs={"size": 6}), **kwargs)

    def label_from_instance(self, user):
        return f"{user} ({user.username})"


class SystemField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=ManagementSystem.objects.all(), empty_label=None, **kwargs)


class ImprovementForm(forms.Form):
    kind = forms.ChoiceField(choices=Improvement.Kind.choices, initial=Improvement.Kind.OFI)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, max_length=10000)
    source = forms.ChoiceField(choices=Source.choices, initial=Source.SUGGESTION)
    management_system = SystemField()


class SpawnForm(forms.Form):
    kind = forms.ChoiceField(choices=Improvement.Kind.choices, initial=Improvement.Kind.OFI)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, max_length=10000)


def transition_form(transition, data=None, initial=None):
    """A form for one step of the lifecycle table: its own fields, a comment, and the version it was read at."""
    fields = {
        "decline_reason": forms.CharField(widget=forms.Textarea, label="Reason for declining", required=False),
        "owner": PersonField(required=False, label="Owner"),
        "due_date": forms.DateField(widget=DATE, required=False, label="Due date"),
        "expected_benefit": forms.CharField(widget=forms.Textarea, required=False, label="Expected benefit"),
        "implementation_note": forms.CharField(widget=forms.Textarea, required=False, label="What was done"),
        "benefit_review": forms.CharField(widget=forms.Textarea, required=False, label="Benefit achieved"),
    }
    declared = {name: fields[name] for name in transition.fields}
    declared["comment"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    declared["version"] = forms.IntegerField(widget=forms.HiddenInput)
    form_class = type(f"{transition.name.title()}Form", (forms.Form,), declared)
    return form_class(data, initial=initial, prefix=transition.name)


class RaiseNonconformityForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, max_length=10000)
    requirement = forms.CharField(max_length=500, help_text="The requirement not fulfilled (clause, control, policy).")
    area = forms.CharField(max_length=200)


class AuditForm(forms.Form):
    kind = forms.ChoiceField(choices=Audit.Kind.choices)
    title = forms.CharField(max_length=200)
    management_system = SystemField()
    scope = forms.CharField(widget=forms.Textarea, max_length=5000)
    areas = forms.CharField(max_length=500, help_text="Audited areas or departments, separated by commas.")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)
    lead_auditor = PersonField()
    team = PeopleField(required=False, help_text="Hold Ctrl (or ⌘) to choose several.")


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("nonconformity", "Nonconformity"), ("ofi", "Opportunity for improvement"),
                                         ("observation", "Observation")])
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, max_length=10000)
    requirement = forms.CharField(max_length=500, required=False, help_text="Needed for a nonconformity.")
    area = forms.CharField(max_length=200, required=False, help_text="Defaults to the first audited area.")


class CloseAuditForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea, label="Conclusion, or reason for cancelling")
    version = forms.IntegerField(widget=forms.HiddenInput)


class WorkAreasForm(forms.Form):
    user = PersonField(label="Person")
    areas = forms.CharField(max_length=2000, required=False, help_text="Areas or departments, separated by commas.")


class ReviewForm(forms.Form):
    held_on = forms.DateField(widget=DATE)
    management_system = SystemField()
    attendees = PeopleField(help_text="Hold Ctrl (or ⌘) to choose several.")
    inputs = forms.CharField(max_length=500, required=False, label="Review pack query",
                             help_text="e.g. from=2026-01-01&to=2026-06-30: links the inputs to the review pack.")
    minutes = forms.CharField(widget=forms.Textarea, max_length=20000)


class DecisionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision", max_length=5000)
    owner = PersonField()
    due_date = forms.DateField(widget=DATE)
    nonconformity = forms.CharField(max_length=20, required=False, label="Follows up nonconformity",
                                    help_text="An NC reference; leave empty to create an OFI.")


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=ManagementSystemChange.Kind.choices)
    what_changed = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Why")
    nonconformity = forms.CharField(max_length=20, required=False, label="Caused by NC", help_text="e.g. NC-2026-0001")
    improvement = forms.CharField(max_length=20, required=False, label="Caused by OFI", help_text="e.g. OFI-2026-0001")
    review = forms.CharField(max_length=20, required=False, label="Caused by management review",
                             help_text="e.g. MR-2026-0001")
    approved_by = PersonField(label="Approved by")
    effective_on = forms.DateField(widget=DATE, label="Takes effect on")
