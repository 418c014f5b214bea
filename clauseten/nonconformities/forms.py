"""Forms of the nonconformity pages. They only shape input: the services decide what is allowed."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from clauseten.catalog.models import ManagementSystem

from .lifecycle import STEP_ONLY_FIELDS, Transition
from .models import EffectivenessReview, Nonconformity, NonconformityLink


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")  # what <input type=date> reads and sends


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input (Django's documented recipe); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)) and data:
            return [single(item, initial) for item in data]
        if data and not isinstance(data, (list, tuple)):
            return [single(data, initial)]
        if self.required:
            single(None, initial)  # raises the "required" error
        return []


def people():
    """Who can be named owner: active people, by name."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def model_fields(names) -> dict[str, forms.Field]:
    """Form fields for these Nonconformity columns, with date pickers and owners limited to active people."""
    fields = forms.fields_for_model(Nonconformity, fields=names,
                                    widgets={name: DateInput() for name in names
                                             if Nonconformity._meta.get_field(name).get_internal_type() == "DateField"})
    if "owner" in fields:
        fields["owner"].queryset = people()
    # The glossary's words on the page; the model's help would only repeat them.
    for name, label in (("description", "What happened"), ("area", "Where (process, area or asset)")):
        if name in fields:
            fields[name].label, fields[name].help_text = label, ""
    for name in ("description", "correction", "consequences", "root_cause", "extent_of_condition",
                 "effectiveness_criteria"):
        if name in fields:
            fields[name].widget.attrs.update(rows=4)
    return fields


def add_service_errors(form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: known keys on their field, the rest at the top."""
    aliases = aliases or {}
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for key, texts in messages.items():
        name = aliases.get(key, key)
        if name in form.fields:
            form.add_error(name, texts)
        else:
            form.add_error(None, [f"{key.replace('_', ' ').capitalize()}: {t}" if key and key != "__all__" else t
                                  for t in texts])


class Form(forms.Form):
    """Labels stand above their inputs, so they need no colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ReportForm(Form):
    """What a reporter says: the facts of what happened; triage adds the rest."""

    management_system = forms.ModelChoiceField(queryset=ManagementSystem.objects.all(), required=True)
    files = MultipleFileField(label="Attachments", help_text="Photos, logs or documents (optional).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ordered = model_fields(["title", "description", "requirement", "area", "detected_on", "source"])
        if ManagementSystem.objects.count() > 1:
            ordered["management_system"] = self.fields["management_system"]
        ordered["files"] = self.fields["files"]
        self.fields = ordered


class VersionedForm(Form):
    """A write made against the version the person saw, so a stale one is refused, never overwrites."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def edit_form(names, *args, **kwargs) -> VersionedForm:
    form = VersionedForm(*args, **kwargs)
    form.fields.update(model_fields(names))
    return form


STEP_FIELDS = {
    "verdict": lambda: forms.ChoiceField(choices=EffectivenessReview.Verdict.choices, widget=forms.RadioSelect,
                                         label="Verdict against the criteria"),
    "review_notes": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Review notes"),
}


def _improvement_kind():
    from clauseten.improvements.models import Improvement

    return forms.ChoiceField(choices=Improvement.Kind.choices, label="Register it as")


def transition_form(transition: Transition, *args, **kwargs) -> VersionedForm:
    """Exactly the fields of one step of the lifecycle table, required as the table says."""
    form = VersionedForm(*args, **kwargs)
    columns = [name for name in transition.fields if name not in STEP_ONLY_FIELDS and name != "duplicate_of"]
    fields = model_fields(columns)
    for name in transition.fields:
        if name == "duplicate_of":
            fields[name] = forms.ModelChoiceField(
                queryset=Nonconformity.objects.all(), to_field_name="reference", widget=forms.TextInput,
                label="Original record", help_text="Its reference, e.g. NC-2026-0007.",
                error_messages={"invalid_choice": "No record has this reference."})
        elif name == "improvement_kind":
            fields[name] = _improvement_kind()
        elif name in STEP_FIELDS:
            fields[name] = STEP_FIELDS[name]()
        fields[name].required = name in transition.required
    fields["comment"] = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=transition.comment_required,
        label="Reason" if transition.comment_required else "Comment (optional)")
    form.fields.update(fields)
    return form


class ActionPlanForm(Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                                  label="What will be done", help_text="The action that removes the cause.")
    owner = forms.ModelChoiceField(queryset=None, label="Action owner")
    due_date = forms.DateField(widget=DateInput, label="Due date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()


class ActionCompleteForm(VersionedForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="What was done")
    files = MultipleFileField(label="Evidence files")


class ActionCancelForm(VersionedForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Reason for cancelling")


class AttachmentForm(Form):
    files = MultipleFileField(label="Evidence files", required=True)


class CommentForm(Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Comment")


class ApproveForm(Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False,
                              label="Comment (optional)")


class LinkForm(Form):
    target = forms.ModelChoiceField(queryset=Nonconformity.objects.all(), to_field_name="reference",
                                    widget=forms.TextInput, label="Similar record",
                                    help_text="Its reference, e.g. NC-2026-0007.",
                                    error_messages={"invalid_choice": "No record has this reference."})
    kind = forms.ChoiceField(choices=NonconformityLink.Kind.choices, label="Relation")
