from django import forms
from django.core.exceptions import ValidationError


class EndpointForm(forms.Form):
    url = forms.URLField(label="Receiver URL", max_length=500, assume_scheme="https",
                         help_text="Only http:// or https:// addresses.")
    event_kinds = forms.CharField(label="Event kinds", required=False, max_length=500,
                                  help_text="Verb prefixes, comma separated, e.g. 'nonconformity., action.'. "
                                            "Empty: every event.")
    secret = forms.CharField(required=False, max_length=100,
                             help_text="Shared with the receiver to check signatures. Empty: one is made.")

    def clean_event_kinds(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["event_kinds"].split(",") if part.strip()]


def show_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form, so bad input reads as field messages, never a 500."""
    for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(field if field in form.fields else None, messages)
