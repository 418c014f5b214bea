"""The lifecycle of a nonconformity as data: one table of transitions, with their roles, step fields and guards.

Pages, API, CLI and import all ask this module what may happen next; nothing else decides.
An organisation's optional steps (plan approval, closure approval, effectiveness wait by classification)
are switched on its ManagementSystem and enforced here by guards.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from clauseten.accounts.roles import Role
from clauseten.lib.errors import TransitionNotAllowed

from .models import Approval, Nonconformity, State

# A guard returns None when the step may proceed, or {field: message} saying why not.
Guard = Callable[[Nonconformity, dict], dict[str, str] | None]


@dataclass(frozen=True)
class Transition:
    source: State
    target: State
    name: str
    label: str
    roles: frozenset[str]
    nc_owner: bool = False          # the NC's owner may make it as well as the roles
    fields: tuple[str, ...] = ()    # step fields the transition takes
    required: tuple[str, ...] = ()  # which of them (or of the NC) must be filled once the step is applied
    comment_required: bool = False
    guards: tuple[Guard, ...] = ()

    @property
    def verb(self) -> str:
        return f"nonconformity.{self.name}"

    def check_guards(self, nc: Nonconformity, step: dict) -> dict[str, str]:
        errors: dict[str, str] = {}
        for guard in self.guards:
            errors.update(guard(nc, step) or {})
        return errors


@dataclass(frozen=True)
class ApprovalStep:
    state: State
    setting: str  # the ManagementSystem flag that requires it

    def required_for(self, nc: Nonconformity) -> bool:
        return getattr(nc.management_system, self.setting)


APPROVALS = {
    Approval.Kind.PLAN: ApprovalStep(State.INVESTIGATING, "requires_plan_approval"),
    Approval.Kind.CLOSURE: ApprovalStep(State.VERIFYING, "requires_closure_approval"),
}


def current_approval(nc: Nonconformity, kind: str) -> Approval | None:
    """An approval counts only if given since the NC last entered the approval's state (a reopen voids it)."""
    return next((a for a in nc.approvals.all() if a.kind == kind and a.approved_at >= nc.state_changed_at), None)


# --- guards -----------------------------------------------------------------------------------------------

def has_a_planned_action(nc, step):
    if not any(a.status != a.Status.CANCELLED for a in nc.actions.all()):
        return {"actions": "Plan at least one corrective action first."}


def all_actions_finished(nc, step):
    still_open = [a for a in nc.actions.all() if a.status == a.Status.PLANNED]
    if still_open:
        return {"actions": f"{len(still_open)} corrective action(s) still open: complete or cancel them first."}


def approved_if_required(kind: str) -> Guard:
    def guard(nc, step):
        if APPROVALS[kind].required_for(nc) and current_approval(nc, kind) is None:
            return {"approval": f"{Approval.Kind(kind).label} approval is required by {nc.management_system} "
                                "and has not been given."}
    guard.__name__ = f"{kind}_approved_if_required"
    return guard


def review_date_respects_wait(nc, step):
    wait = nc.management_system.effectiveness_wait_days(nc.classification)
    earliest = timezone.localdate() + timezone.timedelta(days=wait)
    if nc.effectiveness_review_due and nc.effectiveness_review_due < earliest:
        return {"effectiveness_review_due": f"{nc.get_classification_display()} NCs are reviewed at least {wait} "
                                            f"days after the actions: choose {earliest} or later."}


def review_date_reached(nc, step):
    if nc.effectiveness_review_due and nc.effectiveness_review_due > timezone.localdate():
        return {"effectiveness_review_due": f"The effectiveness review is planned for {nc.effectiveness_review_due}."}


def verdict_is_effective(nc, step):
    if step.get("verdict") != "effective":
        return {"verdict": "Closing needs an 'effective' verdict; a not-effective review reopens the investigation."}


def has_root_cause(nc, step):
    if not (nc.root_cause and nc.root_cause_method):
        return {"root_cause": "A nonconformity cannot be closed without its root cause and method."}


def dates_in_order(nc, step):
    if nc.correction_due and nc.due_date and nc.correction_due > nc.due_date:
        return {"correction_due": "The correction is due after the closure date: check the dates."}
    if nc.due_date and nc.due_date < nc.detected_on:
        return {"due_date": "The due date is before the nonconformity was detected."}


def duplicate_target_is_valid(nc, step):
    original = nc.duplicate_of
    if original is not None and (original.pk == nc.pk or original.state == State.DUPLICATE):
        return {"duplicate_of": "Link to the original record, not to itself or to another duplicate."}


# --- the table --------------------------------------------------------------------------------------------

MANAGER = frozenset({Role.MANAGER})
TRANSITIONS: tuple[Transition, ...] = (
    Transition(State.REPORTED, State.OPEN, "accept", "Accept as nonconformity", MANAGER,
               fields=("classification", "owner", "correction_due", "due_date"),
               required=("classification", "owner", "correction_due", "due_date"), guards=(dates_in_order,)),
    Transition(State.REPORTED, State.REJECTED, "reject", "Reject (not a nonconformity)", MANAGER,
               comment_required=True),
    Transition(State.REPORTED, State.DUPLICATE, "mark_duplicate", "Mark as duplicate", MANAGER,
               fields=("duplicate_of",), required=("duplicate_of",), guards=(duplicate_target_is_valid,)),
    Transition(State.REPORTED, State.MOVED, "move_to_improvements", "Move to improvement register", MANAGER,
               fields=("improvement_kind",), required=("improvement_kind",)),
    Transition(State.OPEN, State.INVESTIGATING, "record_correction", "Record correction, start investigation",
               MANAGER, nc_owner=True, fields=("correction", "consequences"), required=("correction",)),
    Transition(State.INVESTIGATING, State.ACTING, "start_actions", "Root cause found: start corrective actions",
               MANAGER, nc_owner=True,
               fields=("root_cause", "root_cause_method", "cause_category", "extent_of_condition"),
               required=("root_cause", "root_cause_method", "extent_of_condition"),
               guards=(has_a_planned_action, approved_if_required(Approval.Kind.PLAN))),
    Transition(State.ACTING, State.VERIFYING, "request_review", "Actions finished: plan effectiveness review",
               MANAGER, fields=("effectiveness_criteria", "effectiveness_review_due"),
               required=("effectiveness_criteria", "effectiveness_review_due"),
               guards=(all_actions_finished, review_date_respects_wait)),
    Transition(State.VERIFYING, State.CLOSED, "close", "Effective: close", MANAGER,
               fields=("verdict", "review_notes"), required=("verdict",),
               guards=(verdict_is_effective, has_root_cause, review_date_reached,
                       approved_if_required(Approval.Kind.CLOSURE))),
    Transition(State.VERIFYING, State.INVESTIGATING, "reopen", "Not effective: reopen investigation", MANAGER,
               fields=("review_notes",), required=("review_notes",), guards=(review_date_reached,)),
)

# Fields a transition takes that are not columns of the nonconformity.
STEP_ONLY_FIELDS = frozenset({"improvement_kind", "verdict", "review_notes"})


def find(source: str, target: str) -> Transition:
    for transition in TRANSITIONS:
        if transition.source == source and transition.target == target:
            return transition
    raise TransitionNotAllowed(f"A nonconformity cannot go from {State(source).label} to "
                               f"{State(target).label if target in State.values else repr(target)}.")


def by_name(source: str, name: str) -> Transition:
    for transition in TRANSITIONS:
        if transition.source == source and transition.name == name:
            return transition
    raise TransitionNotAllowed(f"'{name}' is not a step a {State(source).label.lower()} nonconformity can take.")


def from_state(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]


def allowed_for(user, nc: Nonconformity) -> list[Transition]:
    """The transitions this user may make on this NC now (guards are checked when they try)."""
    from .permissions import may_transition

    return [t for t in from_state(nc.state) if may_transition(user, t, nc)]
