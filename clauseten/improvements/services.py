"""Writes to the improvement register (ISO/IEC 27001 10.1)."""

from django.db import transaction

from clauseten.events import services as events
from clauseten.nonconformities.references import next_reference

from .models import Improvement


@transaction.atomic
def improvement_from_nonconformity(*, actor, nc, kind: str) -> Improvement:
    """A reported record that is not a nonconformity moves to the register as an observation or OFI."""
    improvement = Improvement.objects.create(
        reference=next_reference("OFI"), kind=kind, management_system=nc.management_system, title=nc.title,
        description=nc.description, source=nc.source, origin_nonconformity=nc, created_by=actor,
    )
    events.record(actor=actor, subject=improvement, verb="improvement.proposed",
                  after={"kind": kind, "title": nc.title, "origin": nc.reference})
    return improvement
