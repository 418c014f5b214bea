"""One policy for nonconformities and their parts: may this user do this, and which rows may they see.

Pages, API and CLI call these; none of them decides access on its own.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from clauseten.accounts.roles import Role

from .models import FINAL_STATES, Action, Nonconformity, State

WORKING_STATES = frozenset({State.OPEN, State.INVESTIGATING, State.ACTING})


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def visible_filter(user) -> Q:
    """Rows a user may see: oversight roles see all; others what they reported, own, or act on."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_everything:
        return Q()
    acts_on = Exists(Action.objects.filter(nonconformity=OuterRef("pk"), owner=user))
    return Q(reported_by=user) | Q(owner=user) | acts_on


def can_view(user, nc: Nonconformity) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.sees_everything or nc.reported_by_id == user.pk or nc.owner_id == user.pk:
        return True
    return nc.actions.filter(owner=user).exists()


def can_write(user) -> bool:
    return user.is_authenticated and user.is_active and not user.is_read_only


def can_report(user) -> bool:
    return can_write(user)


def is_manager(user) -> bool:
    return user.has_role(Role.MANAGER)


def can_edit(user, nc: Nonconformity) -> bool:
    """Managers and the NC's owner edit open records; the reporter may correct their report until triage."""
    if not can_write(user) or nc.state in FINAL_STATES:
        return False
    if is_manager(user) or (nc.owner_id is not None and nc.owner_id == user.pk):
        return True
    return nc.state == State.REPORTED and nc.reported_by_id == user.pk


def may_transition(user, transition, nc: Nonconformity) -> bool:
    if not can_write(user) or transition.source != nc.state:
        return False
    return user.has_role(*transition.roles) or (transition.nc_owner and nc.owner_id == user.pk)


def can_plan_action(user, nc: Nonconformity) -> bool:
    return (can_write(user) and nc.state in WORKING_STATES
            and (is_manager(user) or nc.owner_id == user.pk))


def can_complete_action(user, action: Action) -> bool:
    """Only the action's own owner completes it: the evidence is theirs to give."""
    return (can_write(user) and action.status == Action.Status.PLANNED and action.owner_id == user.pk
            and action.nonconformity.state in WORKING_STATES)


def can_cancel_action(user, action: Action) -> bool:
    nc = action.nonconformity
    return (can_write(user) and action.status == Action.Status.PLANNED and nc.state in WORKING_STATES
            and (is_manager(user) or nc.owner_id == user.pk))


def owns_part_of(user, nc: Nonconformity) -> bool:
    """True if the user owns the NC or any of its actions: their approval would be of their own work."""
    return nc.owner_id == user.pk or any(a.owner_id == user.pk for a in nc.actions.all())


def can_approve(user, nc: Nonconformity, kind: str) -> bool:
    from .lifecycle import APPROVALS, current_approval

    step = APPROVALS.get(kind)
    return (can_write(user) and user.has_role(Role.APPROVER) and step is not None
            and nc.state == step.state and step.required_for(nc)
            and current_approval(nc, kind) is None and not owns_part_of(user, nc))


def can_attach(user, nc: Nonconformity) -> bool:
    return can_write(user) and nc.state not in FINAL_STATES and can_view(user, nc)


def can_comment(user, nc: Nonconformity) -> bool:
    return can_write(user) and can_view(user, nc)


def can_link(user, nc: Nonconformity) -> bool:
    return can_write(user) and nc.state not in FINAL_STATES and (is_manager(user) or nc.owner_id == user.pk)
