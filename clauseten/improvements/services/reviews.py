"""Writes for management reviews (ISO/IEC 27001 / 42001 / ISO 9001 9.3): the meeting and its decisions."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from clauseten.catalog.models import ManagementSystem
from clauseten.events import services as events
from clauseten.nonconformities.models import Nonconformity, Source
from clauseten.nonconformities.references import next_reference

from .. import permissions
from ..models import Improvement, ManagementReview, ReviewDecision
from .register import _create as improvement_create
from .register import improvement_transition


@transaction.atomic
def review_record(*, actor, held_on: dt.date, attendees: Iterable, minutes: str, inputs: str = "",
                  management_system: ManagementSystem | None = None) -> ManagementReview:
    """Record a management review meeting: date, who attended, the inputs considered and the minutes."""
    permissions.require(permissions.can_hold_review(actor), "Only a manager or the review team records reviews.")
    management_system = management_system or ManagementSystem.objects.order_by("pk").first()
    if management_system is None:
        raise ValidationError({"management_system": "No management system is set up yet: ask an admin."})
    attendees = list(attendees)
    if not attendees:
        raise ValidationError({"attendees": "Name who attended."})
    review = ManagementReview(held_on=held_on, minutes=minutes, inputs=inputs.strip().lstrip("?"),
                              management_system=management_system, created_by=actor)
    review.full_clean(exclude=["reference", "management_system", "created_by"], validate_unique=False)
    review.reference = next_reference("MR")
    review.save(force_insert=True)
    review.attendees.set(attendees)
    events.record(actor=actor, subject=review, verb="review.recorded",
                  after={"held_on": held_on, "attendees": sorted(a.username for a in attendees),
                         "management_system": str(management_system), "inputs": review.inputs})
    return review


@transaction.atomic
def review_decide(*, actor, review: ManagementReview, text: str, owner, due_date: dt.date,
                  title: str = "", nonconformity: Nonconformity | None = None) -> ReviewDecision:
    """A decision of the review: it becomes an OFI, accepted and planned with its owner and due date,
    or, when it concerns an existing nonconformity, a follow-up linked to that NC (whose actions carry it)."""
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    permissions.require(permissions.can_hold_review(actor), "Only a manager or the review team records decisions.")
    if not text.strip():
        raise ValidationError({"text": "Write the decision."})
    if owner is None:
        raise ValidationError({"owner": "Name who carries out the decision."})
    if due_date is None:
        raise ValidationError({"due_date": "Give a due date."})
    improvement = None
    if nonconformity is None:
        improvement = improvement_create(actor=actor, kind=Improvement.Kind.OFI, title=(title or text)[:200],
                                         description=text, source=Source.MANAGEMENT_REVIEW,
                                         management_system=review.management_system,
                                         verb_after={"review": review.reference})
        improvement = improvement_transition(actor=actor, improvement=improvement, name="accept",
                                             comment=f"Decided by management review {review.reference}.")
        improvement = improvement_transition(actor=actor, improvement=improvement, name="plan", owner=owner,
                                             due_date=due_date)
    decision = ReviewDecision.objects.create(review=review, text=text.strip(), owner=owner, due_date=due_date,
                                             improvement=improvement, nonconformity=nonconformity, created_by=actor)
    events.record(actor=actor, subject=review, verb="review.decided",
                  after={"decision": decision.text, "owner": owner.username, "due_date": due_date,
                         "record": decision.record.reference})
    return decision
