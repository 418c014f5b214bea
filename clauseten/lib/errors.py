"""Errors every interface turns into the same answer (the API maps them in clauseten/api.py)."""


class Conflict(Exception):
    """The request is well formed but the record's current state refuses it (HTTP 409)."""


class StaleVersion(Conflict):
    def __init__(self, current: int):
        self.current = current
        super().__init__(f"Someone saved this record first (it is now at version {current}). "
                         "Reload it and apply your change again.")


class TransitionNotAllowed(Conflict):
    pass


def check_version(*, current: int, expected: int | None) -> None:
    """Refuse a write made against an older version than the stored one (optimistic concurrency)."""
    if expected is not None and int(expected) != current:
        raise StaleVersion(current)
