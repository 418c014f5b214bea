"""The lifecycle of an observation or OFI as data (ISO/IEC 27001 10.1), like nonconformities/lifecycle.py.

proposed ──accept──> accepted ──plan──> planned ──implement──> implemented ──review_benefit──> reviewed
    └──decline (with reason)──> declined
The manager and the review team decide; the OFI's owner implements. Pages and API ask this table.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from clauseten.accounts.roles import Role
from clauseten.lib.errors import TransitionNotAllowed

from .models import Improvement

State = Improvement.State
Guard = Callable[[Improvement, dict], dict[str, str] | None]


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    name: str
    label: str
    roles: frozenset[str]
    owner: bool = False             # the OFI's owner may make it (instead of, not as well as, the roles)
    fields: tuple[str, ...] = ()    # Improvement columns the step sets
    required: tuple[str, ...] = ()  # which of them must be filled once the step is applied
    guards: tuple[Guard, ...] = ()
    stamp: str = ""                 # a datetime column set to now

    @property
    def verb(self) -> str:
        return f"improvement.{self.name}"

    def check_guards(self, improvement: Improvement, step: dict) -> dict[str, str]:
        errors: dict[str, str] = {}
        for guard in self.guards:
            errors.update(guard(improvement, step) or {})
        return errors


def due_date_not_past(improvement, step):
    if improvement.due_date and improvement.due_date < timezone.localdate():
        return {"due_date": "The due date is in the past."}


def owner_is_active(improvement, step):
    if improvement.owner is not None and not improvement.owner.is_active:
        return {"owner": "This person can no longer sign in: choose someone else."}


DECIDERS = frozenset({Role.MANAGER, Role.REVIEW_TEAM})
TRANSITIONS: tuple[Transition, ...] = (
    Transition(State.PROPOSED, State.ACCEPTED, "accept", "Accept", DECIDERS),
    Transition(State.PROPOSED, State.DECLINED, "decline", "Decline", DECIDERS,
               fields=("decline_reason",), required=("decline_reason",)),
    Transition(State.ACCEPTED, State.PLANNED, "plan", "Plan: name owner and due date", DECIDERS,
               fields=("owner", "due_date", "expected_benefit"), required=("owner", "due_date"),
               guards=(due_date_not_past, owner_is_active)),
    Transition(State.PLANNED, State.IMPLEMENTED, "implement", "Mark implemented", frozenset(), owner=True,
               fields=("implementation_note",), required=("implementation_note",), stamp="implemented_at"),
    Transition(State.IMPLEMENTED, State.REVIEWED, "review_benefit", "Review the benefit", DECIDERS,
               fields=("benefit_review",), required=("benefit_review",), stamp="benefit_reviewed_at"),
)


def by_name(source: str, name: str) -> Transition:
    for transition in TRANSITIONS:
        if transition.source == source and transition.name == name:
            return transition
    raise TransitionNotAllowed(f"'{name}' is not a step a {State(source).label.lower()} improvement can take.")


def from_state(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]


def allowed_for(user, improvement: Improvement) -> list[Transition]:
    from .permissions import may_transition

    return [t for t in from_state(improvement.state) if may_transition(user, t, improvement)]
