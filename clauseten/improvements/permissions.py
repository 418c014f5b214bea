"""One policy for the improvement register, audit programme, management reviews and change log.

Answers both "may this user do this?" and "which rows may they see?"; pages, API and services all ask here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from clauseten.accounts.roles import Role
from clauseten.nonconformities import permissions as nc_permissions

from .models import Audit

DECIDERS = (Role.MANAGER, Role.REVIEW_TEAM)
# Who may sign off a change to the management system.
CHANGE_APPROVERS = (Role.MANAGER, Role.APPROVER, Role.REVIEW_TEAM, Role.ADMIN)


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def _signed_in(user) -> bool:
    return user.is_authenticated and user.is_active


can_write = nc_permissions.can_write


def is_decider(user) -> bool:
    return user.has_role(*DECIDERS)


# --- which rows -------------------------------------------------------------------------------------------

def improvements_filter(user) -> Q:
    """Oversight roles see the whole register; others what they proposed or own."""
    if not _signed_in(user):
        return Q(pk__in=[])
    return Q() if user.sees_everything else Q(created_by=user) | Q(owner=user)


def audits_filter(user) -> Q:
    if not _signed_in(user):
        return Q(pk__in=[])
    return Q() if user.sees_everything else Q(lead_auditor=user) | Q(team=user)


def reviews_filter(user) -> Q:
    if not _signed_in(user):
        return Q(pk__in=[])
    return Q() if user.sees_everything else Q(attendees=user) | Q(decisions__owner=user)


def changes_filter(user) -> Q:
    return Q() if _signed_in(user) and user.sees_everything else Q(pk__in=[])


# --- improvements -----------------------------------------------------------------------------------------

def can_propose(user) -> bool:
    return can_write(user)


def may_transition(user, transition, improvement) -> bool:
    if not can_write(user) or transition.source != improvement.state:
        return False
    if transition.owner:
        return improvement.owner_id is not None and improvement.owner_id == user.pk
    return user.has_role(*transition.roles)


def can_raise_nonconformity(user, improvement) -> bool:
    return can_write(user) and is_decider(user) and improvement.state != improvement.State.DECLINED


def can_spawn_from_nonconformity(user, nc) -> bool:
    """Any NC may give rise to an OFI: its owner or a decider says so."""
    return can_write(user) and (is_decider(user) or nc.owner_id == user.pk) and nc_permissions.can_view(user, nc)


# --- audit programme --------------------------------------------------------------------------------------

def can_plan_audit(user) -> bool:
    return can_write(user) and user.has_role(Role.MANAGER)


def _on_audit(user, audit: Audit) -> bool:
    return audit.lead_auditor_id == user.pk or any(member.pk == user.pk for member in audit.team.all())


def can_record_finding(user, audit: Audit) -> bool:
    """The audit team, or the manager writing up an external auditor's report; only while the audit is open."""
    return (can_write(user) and audit.status == Audit.Status.PLANNED
            and (user.has_role(Role.MANAGER) or _on_audit(user, audit)))


def can_complete_audit(user, audit: Audit) -> bool:
    return (can_write(user) and audit.status == Audit.Status.PLANNED
            and (user.has_role(Role.MANAGER) or audit.lead_auditor_id == user.pk))


def can_cancel_audit(user, audit: Audit) -> bool:
    return can_write(user) and audit.status == Audit.Status.PLANNED and user.has_role(Role.MANAGER)


def can_set_work_areas(user) -> bool:
    return can_write(user) and user.has_role(Role.MANAGER, Role.ADMIN)


# --- management reviews and change log --------------------------------------------------------------------

def can_hold_review(user) -> bool:
    return can_write(user) and is_decider(user)


def can_record_change(user) -> bool:
    return can_write(user) and user.has_role(Role.MANAGER)


def can_approve_change(user) -> bool:
    return _signed_in(user) and user.has_role(*CHANGE_APPROVERS)
