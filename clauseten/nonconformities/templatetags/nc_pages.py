"""Small presentation helpers for the nonconformity pages: due-date words, sort links, timeline verbs."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()

# The verbs the services record, in the glossary's words. Unknown verbs fall back to a readable form.
VERB_WORDS = {
    "nonconformity.reported": "reported",
    "nonconformity.updated": "edited",
    "nonconformity.accept": "accepted as nonconformity",
    "nonconformity.reject": "rejected (not a nonconformity)",
    "nonconformity.mark_duplicate": "marked as duplicate",
    "nonconformity.move_to_improvements": "moved to the improvement register",
    "nonconformity.record_correction": "recorded the correction and started the investigation",
    "nonconformity.start_actions": "recorded the root cause and started corrective actions",
    "nonconformity.request_review": "planned the effectiveness review",
    "nonconformity.close": "closed as effective",
    "nonconformity.reopen": "found not effective and reopened the investigation",
    "nonconformity.approved_plan": "approved the action plan",
    "nonconformity.approved_closure": "approved the closure",
    "nonconformity.linked": "linked a similar record",
    "action.planned": "planned a corrective action",
    "action.updated": "changed a corrective action",
    "action.completed": "completed a corrective action",
    "action.cancelled": "cancelled a corrective action",
    "attachment.added": "added evidence",
    "comment.added": "commented",
}

# Fields whose values in an event would only repeat what the verb already says.
QUIET_FIELDS = {"body", "sha256", "action"}


@register.filter
def verb_words(verb: str) -> str:
    return VERB_WORDS.get(verb) or verb.replace(".", " ").replace("_", " ")


@register.filter
def field_words(name: str) -> str:
    return name.replace("_", " ").capitalize()


# Events whose values are the record's own facts, already shown on the page: only their state is listed.
FACT_VERBS = {"nonconformity.reported"}


def _label(name: str, value):
    """A stored code in words ('five_whys' → 'Five whys'), where the field has choices."""
    from django.core.exceptions import FieldDoesNotExist

    from .. import models

    for model in (models.Nonconformity, models.Action, models.EffectivenessReview):
        try:
            choices = dict(model._meta.get_field(name).flatchoices)
        except FieldDoesNotExist:
            choices = None
        if choices:
            return choices.get(value, value)
    return value


@register.filter
def shown_changes(event) -> list[tuple[str, object, object]]:
    """An event's {field: [before, after]} as rows for the timeline, codes in words."""
    rows = []
    for name, pair in (event.changes or {}).items():
        if name in QUIET_FIELDS or (event.verb in FACT_VERBS and name != "state"):
            continue
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((name, _label(name, before), _label(name, after)))
    return rows


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@register.simple_tag
def due_phrase(due, final: bool = False) -> str:
    """'overdue by 3 days', 'due today', 'due in 5 days'; nothing for finished records."""
    if not due or final:
        return ""
    if isinstance(due, dt.datetime):
        due = due.date()
    days = (due - timezone.localdate()).days
    if days < 0:
        return f"overdue by {_plural(-days, 'day')}"
    if days == 0:
        return "due today"
    return f"due in {_plural(days, 'day')}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced, so links keep the filters."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("nonconformities/_sort_header.html", takes_context=True)
def sort_header(context, label: str, ascending: str, descending: str = ""):
    """A column header that sorts by this column; a second click reverses it where the register allows."""
    current = context["filters"].sort
    active = current in (ascending, descending)
    next_sort = descending if current == ascending and descending else ascending
    query = context["request"].GET.copy()
    query["sort"] = next_sort
    query.pop("page", None)  # a new order starts on its first page
    direction = ("descending" if current == descending else "ascending") if active else None
    return {"label": label, "href": f"?{query.urlencode()}", "aria_sort": direction}


@register.filter
def who_may(transition) -> str:
    """Who may take a step, in words: 'the manager', 'the manager or the record's owner'."""
    from clauseten.accounts.roles import Role

    names = [f"the {Role(role).label.lower()}" for role in sorted(transition.roles)]
    if transition.nc_owner:
        names.append("the record's owner")
    return " or ".join(names)
