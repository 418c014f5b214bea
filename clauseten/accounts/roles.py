"""The roles of DESIGN.md, held as Django groups. One place that names them."""

from enum import StrEnum


class Role(StrEnum):
    REPORTER = "reporter"
    MANAGER = "manager"
    ACTION_OWNER = "action_owner"
    APPROVER = "approver"
    REVIEW_TEAM = "review_team"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Roles that see every record in the register (oversight and audit need the whole picture).
SEES_EVERYTHING = frozenset({Role.MANAGER, Role.APPROVER, Role.REVIEW_TEAM, Role.AUDITOR, Role.ADMIN})
# Roles that only read: an auditor changes nothing, not even by reporting.
READ_ONLY = frozenset({Role.AUDITOR})
