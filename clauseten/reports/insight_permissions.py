"""Who may see the insight pages (dashboard, review pack, OSCAL POA&M): oversight roles only.

Register exports are not here: they follow the register's own row policy, so anyone may export what they see.
"""

from django.core.exceptions import PermissionDenied

from clauseten.accounts.roles import Role

INSIGHT_ROLES = (Role.MANAGER, Role.REVIEW_TEAM, Role.AUDITOR, Role.ADMIN)


def can_see_insight(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(*INSIGHT_ROLES))


def require_insight(user) -> None:
    if not can_see_insight(user):
        raise PermissionDenied("The dashboard, review pack and POA&M are for managers, the review team, "
                               "auditors and admins.")
