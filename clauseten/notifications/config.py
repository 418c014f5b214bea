"""Follow-up's knobs: from Django settings when set there (tests override them), else from the environment."""

import os

from django.conf import settings

DEFAULTS = {
    "CLAUSETEN_REMIND_DAYS_BEFORE": 3,
    "CLAUSETEN_ESCALATE_MANAGER_DAYS": 7,
    "CLAUSETEN_ESCALATE_REVIEW_TEAM_DAYS": 21,
    "CLAUSETEN_TICK_SECONDS": 60,
}


def number(name: str) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "") or DEFAULTS[name]
    return int(value)


def remind_days_before() -> int:
    return number("CLAUSETEN_REMIND_DAYS_BEFORE")


def escalate_manager_days() -> int:
    return number("CLAUSETEN_ESCALATE_MANAGER_DAYS")


def escalate_review_team_days() -> int:
    return number("CLAUSETEN_ESCALATE_REVIEW_TEAM_DAYS")


def tick_seconds() -> int:
    return number("CLAUSETEN_TICK_SECONDS")


def record_link(reference: str) -> str:
    return f"{settings.BASE_URL}/ncs/{reference}/"


def retry_delay_seconds(attempts: int) -> int:
    """Exponential backoff shared by mail and webhooks: 1 min, 2, 4, … capped at 6 hours."""
    return min(60 * 2 ** max(attempts - 1, 0), 6 * 3600)


# A row left 'sending' this long belongs to a worker that died mid-send; it is tried again.
STALE_CLAIM_SECONDS = 15 * 60
