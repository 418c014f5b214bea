"""Who may check the history's integrity: those who answer for it (admins) and those who inspect it (auditors)."""

from clauseten.accounts.roles import Role


def can_verify(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(Role.ADMIN, Role.AUDITOR)
