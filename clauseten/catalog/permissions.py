"""One policy for the requirement catalogue: everyone signed in reads it; who may say which requirements an NC fails."""

from django.core.exceptions import PermissionDenied

from clauseten.nonconformities import permissions as nc_permissions


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def can_browse(user) -> bool:
    return user.is_authenticated and user.is_active


def can_set_requirements(user, nc) -> bool:
    """Whoever may edit the NC; managers also on a closed record, because classifying it is reporting, not rework."""
    if not nc_permissions.can_write(user):
        return False
    return nc_permissions.is_manager(user) or nc_permissions.can_edit(user, nc)
