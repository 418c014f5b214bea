"""Who may configure follow-up: admins manage webhooks; everyone manages their own calendar token."""

from django.core.exceptions import PermissionDenied

from clauseten.accounts.roles import Role


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def can_manage_webhooks(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMIN))


def can_have_calendar(user) -> bool:
    return bool(user.is_authenticated and user.is_active)
