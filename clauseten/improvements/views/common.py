"""What every improvements page does the same way: run a service from a valid form and show its refusals."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from clauseten.lib.errors import Conflict


def run(request, form, call: Callable, *, success: str, then: str | Callable, back: str = "") -> HttpResponse | None:
    """Call the service; on success flash and redirect to `then` (a URL, or a function of the result), on a refusal put the messages on the form and return None.

    A conflict (someone saved first, or the step is no longer possible) sends the user `back` (by default the
    page posted to) with the reason, to reload what is there now.
    """
    try:
        result = call()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, field_messages in errors.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return None
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect(back or request.path)
    messages.success(request, success.format(result=result))
    return redirect(then(result) if callable(then) else then)


def year_from(request, default: int) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 1990 < int(text) < 2200 else default
