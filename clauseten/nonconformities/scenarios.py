"""Walk a nonconformity through its lifecycle with the real services: for the demo, the generator and tests."""

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import services
from .models import Approval, Nonconformity, State

# The happy path, in order; each state names the step that leaves it.
HAPPY_PATH = [State.REPORTED, State.OPEN, State.INVESTIGATING, State.ACTING, State.VERIFYING, State.CLOSED]


@dataclass
class Cast:
    """Who plays which part while a record is walked."""

    reporter: object
    manager: object
    owner: object          # the NC's owner (does correction and investigation)
    action_owner: object   # carries out the corrective action
    approver: object | None = None


def report(cast: Cast, *, title="Visitor badge not returned", detected_on: dt.date | None = None, **fields):
    values = {"description": "A visitor left the building without returning the badge; nobody noticed.",
                  "requirement": "ISO/IEC 27001:2022 A.7.2 Physical entry", "area": "Reception",
                  "source": "incident", "detected_on": detected_on or timezone.localdate()}
    values.update(fields)
    return services.nonconformity_report(actor=cast.reporter, title=title, **values)


def walk(nc: Nonconformity, cast: Cast, to: State, *, classification="minor", evidence=True) -> Nonconformity:
    """Advance `nc` along the happy path until it reaches `to`."""
    today = timezone.localdate()
    target_index = HAPPY_PATH.index(to)
    while HAPPY_PATH.index(nc.state) < target_index:
        state = nc.state
        if state == State.REPORTED:
            nc = services.nonconformity_transition(
                actor=cast.manager, nc=nc, name="accept", classification=classification, owner=cast.owner,
                correction_due=today + dt.timedelta(days=7), due_date=today + dt.timedelta(days=60))
        elif state == State.OPEN:
            nc = services.nonconformity_transition(
                actor=cast.owner, nc=nc, name="record_correction",
                correction="Badge deactivated and recovered from the visitor.",
                consequences="No access was gained with the badge (door logs checked).")
        elif state == State.INVESTIGATING:
            services.action_plan(actor=cast.owner, nc=nc, owner=cast.action_owner, due_date=today + dt.timedelta(days=30),
                                 description="Make badge return part of the visitor sign-out on the kiosk.")
            if nc.management_system.requires_plan_approval and cast.approver:
                services.nonconformity_approve(actor=cast.approver, nc=nc, kind=Approval.Kind.PLAN)
            nc = services.nonconformity_transition(
                actor=cast.owner, nc=nc, name="start_actions", root_cause_method="five_whys",
                root_cause="Sign-out did not check badges because the kiosk had no step for it.",
                cause_category="process", extent_of_condition="Checked the two other sites: same kiosk software.")
        elif state == State.ACTING:
            for action in nc.actions.filter(status="planned"):
                files = [SimpleUploadedFile("kiosk-change.txt", b"Change CHG-1042 deployed to all kiosks.\n")] \
                    if evidence else []
                services.action_complete(actor=action.owner, action=action, files=files,
                                         note="Kiosk sign-out now asks for the badge; tested at all sites.")
            nc = services.nonconformity_transition(
                actor=cast.manager, nc=nc, name="request_review", effectiveness_review_due=today,
                effectiveness_criteria="No unreturned visitor badges in the monthly badge reconciliation.")
        elif state == State.VERIFYING:
            if nc.management_system.requires_closure_approval and cast.approver:
                services.nonconformity_approve(actor=cast.approver, nc=nc, kind=Approval.Kind.CLOSURE)
            nc = services.nonconformity_transition(
                actor=cast.manager, nc=nc, name="close", verdict="effective",
                review_notes="Reconciliation for the month showed every badge returned.")
        nc.refresh_from_db()
    return nc
