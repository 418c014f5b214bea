import datetime as dt

import pytest
from django.utils import timezone

from clauseten.improvements import services
from clauseten.improvements.scenarios import walk


@pytest.fixture
def make_ofi(management_system, reporter, manager, owner):
    """make_ofi(state="planned") -> an OFI proposed by the reporter, walked there by the manager and its owner."""

    def make(state="proposed", **fields):
        values = {"kind": "ofi", "title": "Automate the leaver checklist",
                      "description": "HR and IT each keep a list; a shared workflow would stop gaps.", "source": "suggestion"}
        values.update(fields)
        ofi = services.improvement_propose(actor=reporter, **values)
        return walk(ofi, state, decider=manager, owner=owner)

    return make


@pytest.fixture
def make_audit(management_system, manager, auditor_user):
    def make(**fields):
        today = timezone.localdate()
        values = {"kind": "internal", "title": "Access control audit", "scope": "Joiner, mover, leaver process",
                      "areas": "HR, IT operations", "starts_on": today, "ends_on": today + dt.timedelta(days=2),
                      "lead_auditor": auditor_user, "team": []}
        values.update(fields)
        return services.audit_plan(actor=manager, **values)

    return make


@pytest.fixture
def auditor_user(db):
    """An internal auditor who can write (an employee from another department), unlike the read-only auditor role."""
    from clauseten.accounts.services import user_create

    return user_create(username="ines", password="pw-ines", first_name="Ines", roles=["reporter"])
