"""The change log (ISO/IEC 27001 10.2 e, 6.3): changes to the management system and what caused them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from clauseten.events import services as events
from clauseten.nonconformities.models import Nonconformity
from clauseten.nonconformities.references import next_reference
from clauseten.nonconformities.services import snapshot

from .. import permissions
from ..models import Improvement, ManagementReview, ManagementSystemChange

LOGGED_FIELDS = ("kind", "what_changed", "reason", "nonconformity", "improvement", "review", "approved_by",
                 "effective_on", "management_system")


@transaction.atomic
def change_record(*, actor, kind: str, what_changed: str, reason: str, approved_by, effective_on: dt.date,
                  nonconformity: Nonconformity | None = None, improvement: Improvement | None = None,
                  review: ManagementReview | None = None) -> ManagementSystemChange:
    """Log a change to a policy, procedure, control, risk or objective, with the NC, OFI or review behind it."""
    permissions.require(permissions.can_record_change(actor), "Only a manager records changes to the system.")
    cause = nonconformity or improvement or review
    if cause is None:
        raise ValidationError({"cause": "Name the nonconformity, OFI or management review that caused the change."})
    if approved_by is None or not permissions.can_approve_change(approved_by):
        raise ValidationError({"approved_by": "The approver must be a manager, approver, review team member or "
                                              "admin."})
    change = ManagementSystemChange(kind=kind, what_changed=what_changed, reason=reason, approved_by=approved_by,
                                    effective_on=effective_on, nonconformity=nonconformity, improvement=improvement,
                                    review=review, management_system=cause.management_system, recorded_by=actor)
    change.full_clean(exclude=["reference", "management_system", "nonconformity", "improvement", "review",
                               "approved_by", "recorded_by"], validate_unique=False, validate_constraints=False)
    change.reference = next_reference("CHG")
    change.save(force_insert=True)
    after = snapshot(change, LOGGED_FIELDS)
    events.record(actor=actor, subject=change, verb="change.recorded", after=after)
    if nonconformity is not None:
        # So the NC's own history (and its CAR) shows the change it led to (10.2 e).
        events.record(actor=actor, subject=nonconformity, verb="nonconformity.system_changed",
                      after={"change": change.reference, "kind": kind, "effective_on": effective_on})
    return change
