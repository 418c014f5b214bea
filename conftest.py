"""Shared test personas, one per role of DESIGN.md, and factories that walk records with the real services.

A test that needs PostgreSQL or chromium skips where they are missing, with the reason; under CI
(CI=true) nothing may skip, so a missing piece fails instead.
"""

import os

import pytest

from clauseten.accounts.roles import Role

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str):
    """Skip on a newcomer's machine; fail under CI, where everything must be present."""
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}")
    pytest.skip(reason)


def _person(username, *roles):
    from clauseten.accounts.services import user_create

    return user_create(username=username, password="pw-" + username, email=f"{username}@example.test",
                       first_name=username.capitalize(), roles=list(roles))


@pytest.fixture
def management_system(db):
    from clauseten.catalog.models import ManagementSystem

    return ManagementSystem.objects.create(name="ISMS", standards="ISO/IEC 27001:2022",
                                           requires_closure_approval=True)


@pytest.fixture
def reporter(db):
    return _person("rita", Role.REPORTER)


@pytest.fixture
def manager(db):
    return _person("mona", Role.MANAGER)


@pytest.fixture
def owner(db):
    """Owns the nonconformity: records the correction and investigates."""
    return _person("omar", Role.ACTION_OWNER)


@pytest.fixture
def action_owner(db):
    """Carries out a corrective action."""
    return _person("olga", Role.ACTION_OWNER)


@pytest.fixture
def approver(db):
    return _person("arun", Role.APPROVER)


@pytest.fixture
def reviewer(db):
    return _person("rosa", Role.REVIEW_TEAM)


@pytest.fixture
def auditor(db):
    return _person("aida", Role.AUDITOR)


@pytest.fixture
def stranger(db):
    """Signed in, but with no role and nothing of their own."""
    return _person("sam")


@pytest.fixture
def cast(management_system, reporter, manager, owner, action_owner, approver):
    from clauseten.nonconformities.scenarios import Cast

    return Cast(reporter=reporter, manager=manager, owner=owner, action_owner=action_owner, approver=approver)


@pytest.fixture
def make_nc(cast):
    """make_nc(state="acting", **report_fields) -> a nonconformity walked there by the real services."""
    from clauseten.nonconformities.models import State
    from clauseten.nonconformities.scenarios import report, walk

    def make(state=State.REPORTED, classification="minor", **fields):
        return walk(report(cast, **fields), cast, State(state), classification=classification)

    return make
