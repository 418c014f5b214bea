"""What a notification is about ('nc:<id>', 'action:<id>'), and whether it still needs anyone's attention.

Nothing is sent for a done or cancelled action, or for a closed, rejected, duplicate or moved NC.
"""

import datetime as dt

from clauseten.nonconformities.models import FINAL_STATES, Action, Nonconformity


def key(subject: Nonconformity | Action) -> str:
    return f"{'action' if isinstance(subject, Action) else 'nc'}:{subject.pk}"


def open_actions():
    return (Action.objects.filter(status=Action.Status.PLANNED).exclude(nonconformity__state__in=FINAL_STATES)
            .select_related("nonconformity", "owner", "nonconformity__owner"))


def open_nonconformities():
    return (Nonconformity.objects.exclude(state__in=FINAL_STATES).filter(owner__isnull=False)
            .select_related("owner"))


def resolve(subject_key: str) -> Nonconformity | Action | None:
    """The open record a key names, or None when it is finished (or never existed)."""
    kind, _, pk = subject_key.partition(":")
    if not pk.isdigit():
        return None
    queryset = {"action": open_actions(), "nc": open_nonconformities()}.get(kind)
    return queryset.filter(pk=int(pk)).first() if queryset is not None else None


def is_open(subject_key: str) -> bool:
    return resolve(subject_key) is not None


def late_for(user, today: dt.date) -> list[Nonconformity | Action]:
    """Everything of `user`'s that is past its due date: their actions, then the NCs they own."""
    actions = list(open_actions().filter(owner=user, due_date__lt=today).order_by("due_date", "id"))
    ncs = list(open_nonconformities().filter(owner=user, due_date__lt=today).order_by("due_date", "id"))
    return [*actions, *ncs]
