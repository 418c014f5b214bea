"""Deciding who must hear about what: assignments (read from the event history) and dates (due, overdue,
review).

Assignments are read from the history like an outbox: a stored cursor names the last event read, and it
advances in the same transaction that creates the notifications, so nothing is missed and nothing decided
twice. The core services know nothing of mail.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from clauseten.accounts.models import User
from clauseten.accounts.roles import Role
from clauseten.events.models import Event
from clauseten.nonconformities.models import Action, Nonconformity, State

from . import config, mail, subjects
from .models import Cursor, Notification

Kind = Notification.Kind
ASSIGNMENT_VERBS = {
    "nonconformity.accept": "nc",
    "nonconformity.updated": "nc",
    "action.planned": "action",
    "action.updated": "action",
}
ASSIGNMENT_CURSOR = "assignments"


def lock_cursor(name: str) -> Cursor:
    """The cursor row, locked until the caller's transaction ends, so two workers read in turn."""
    Cursor.objects.get_or_create(name=name)
    return Cursor.objects.select_for_update().get(name=name)


def queue_assignments(*, batch: int = 500) -> int:
    """Read new events from the cursor on; a new owner of an NC or an action hears of it once."""
    made = 0
    while True:
        with transaction.atomic():
            cursor = lock_cursor(ASSIGNMENT_CURSOR)
            events = list(Event.objects.filter(seq__gt=cursor.seq).order_by("seq")
                          .select_related("actor")[:batch])
            for event in events:
                made += _assignment(event)
            if events:
                cursor.seq = events[-1].seq
                cursor.save(update_fields=["seq"])
        if len(events) < batch:
            return made


def _assignment(event: Event) -> int:
    kind = ASSIGNMENT_VERBS.get(event.verb)
    owner_change = (event.changes or {}).get("owner")
    if kind is None or not owner_change or not owner_change[1]:
        return 0
    recipient = User.objects.filter(username=owner_change[1]).first()
    if recipient is None or recipient.pk == event.actor_id:
        return 0  # nobody to tell, or they assigned it to themselves
    subject = subjects.resolve(f"{kind}:{event.subject_id}")
    if subject is None:
        return 0
    nc = subject.nonconformity if isinstance(subject, Action) else subject
    made = mail.queue(kind=Kind.ASSIGNED, subject_key=subjects.key(subject), occasion=f"event:{event.seq}",
                      recipient=recipient, record=nc.reference,
                      context={"nc": nc, "action": subject if isinstance(subject, Action) else None,
                               "by": event.actor or event.actor_name})
    return int(made is not None)


# --- dates ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One rung of the reminder ladder: from which day relative to the due date, and who hears."""

    kind: str
    days_late: int          # negative: before the due date
    audience: str           # "owner", or a role


def ladder() -> tuple[Step, ...]:
    return (
        Step(Kind.DUE_SOON, -config.remind_days_before(), "owner"),
        Step(Kind.OVERDUE, 1, "owner"),
        Step(Kind.ESCALATION_MANAGER, config.escalate_manager_days(), Role.MANAGER),
        Step(Kind.ESCALATION_REVIEW_TEAM, config.escalate_review_team_days(), Role.REVIEW_TEAM),
    )


def people_with_role(role: str) -> list[User]:
    return list(User.objects.filter(groups__name=role, is_active=True).distinct())


@transaction.atomic
def queue_reminders(today: dt.date) -> int:
    """Due soon, overdue and escalations for open actions and open NCs, and effectiveness reviews now due."""
    steps = ladder()
    horizon = today + dt.timedelta(days=config.remind_days_before())
    roles = {step.audience: people_with_role(step.audience) for step in steps if step.audience != "owner"}
    made = 0
    due = [*subjects.open_actions().filter(due_date__lte=horizon),
           *subjects.open_nonconformities().filter(due_date__lte=horizon)]
    for subject in due:
        days_late = (today - subject.due_date).days
        nc = subject.nonconformity if isinstance(subject, Action) else subject
        for step in steps:
            if days_late < step.days_late or (step.kind == Kind.DUE_SOON and days_late > 0):
                continue
            for person in [subject.owner] if step.audience == "owner" else roles[step.audience]:
                made += _remind(step.kind, subject, nc, person, subject.due_date,
                                days_late=days_late, owner=subject.owner)
    reviews = subjects.open_nonconformities().filter(state=State.VERIFYING,
                                                     effectiveness_review_due__lte=today)
    for nc in reviews:
        for person in {nc.owner, *people_with_role(Role.MANAGER)}:
            made += _remind(Kind.REVIEW_DUE, nc, nc, person, nc.effectiveness_review_due,
                            days_late=(today - nc.effectiveness_review_due).days, owner=nc.owner)
    return made


def _remind(kind: str, subject, nc: Nonconformity, person: User, due: dt.date, **context) -> int:
    # The occasion is the due date: moving the date starts the ladder again, repeating a tick does not.
    action = subject if isinstance(subject, Action) else None
    made = mail.queue(kind=kind, subject_key=subjects.key(subject), occasion=due.isoformat(),
                      recipient=person, record=nc.reference,
                      context={"nc": nc, "action": action, "due": due, "days_left": -context["days_late"],
                               **context})
    return int(made is not None)
