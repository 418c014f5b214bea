"""Writes to the improvement register (ISO/IEC 27001 / 42001 10.1, ISO 9001 10.3): observations and OFIs."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem
from clauseten.events import services as events
from clauseten.lib.errors import check_version
from clauseten.nonconformities import services as nc_services
from clauseten.nonconformities.models import Nonconformity, Source
from clauseten.nonconformities.references import next_reference
from clauseten.nonconformities.services import snapshot

from .. import lifecycle, permissions
from ..models import Improvement, ImprovementNonconformity

CONTENT_FIELDS = ("kind", "title", "description", "source", "management_system")


def _create(*, actor, kind: str, title: str, description: str, source: str,
            management_system: ManagementSystem | None, origin_nonconformity: Nonconformity | None = None,
            verb_after: dict | None = None) -> Improvement:
    management_system = management_system or ManagementSystem.objects.order_by("pk").first()
    if management_system is None:
        raise ValidationError({"management_system": "No management system is set up yet: ask an admin."})
    improvement = Improvement(kind=kind, management_system=management_system, title=title, description=description,
                              source=source, origin_nonconformity=origin_nonconformity, created_by=actor)
    improvement.full_clean(exclude=["reference", "management_system", "created_by", "origin_nonconformity",
                                    "owner"], validate_unique=False, validate_constraints=False)
    if source not in Source.values:
        raise ValidationError({"source": f"Choose one of: {', '.join(Source.values)}."})
    improvement.reference = next_reference("OFI")
    improvement.save(force_insert=True)
    events.record(actor=actor, subject=improvement, verb="improvement.proposed",
                  after={**snapshot(improvement, CONTENT_FIELDS), **(verb_after or {})})
    return improvement


@transaction.atomic
def improvement_propose(*, actor, kind: str, title: str, description: str, source: str = "suggestion",
                        management_system: ManagementSystem | None = None) -> Improvement:
    """Anyone in scope may propose an observation or an OFI; the manager or review team decides on it."""
    permissions.require(permissions.can_propose(actor), "Your role only reads the register.")
    return _create(actor=actor, kind=kind, title=title, description=description, source=source,
                   management_system=management_system)


@transaction.atomic
def improvement_from_nonconformity(*, actor, nc, kind: str) -> Improvement:
    """A reported record that is not a nonconformity moves to the register as an observation or OFI.

    Called by nonconformity_transition, which has already checked that the actor may move it.
    """
    return _create(actor=actor, kind=kind, title=nc.title, description=nc.description, source=nc.source,
                   management_system=nc.management_system, origin_nonconformity=nc,
                   verb_after={"origin": nc.reference})


@transaction.atomic
def improvement_spawn_from_nonconformity(*, actor, nc: Nonconformity, title: str, description: str,
                                         kind: str = Improvement.Kind.OFI) -> Improvement:
    """Any NC may give rise to an OFI (e.g. an improvement seen while investigating); the two stay linked."""
    permissions.require(permissions.can_spawn_from_nonconformity(actor, nc),
                        "Only the NC's owner, a manager or the review team may raise an OFI from it.")
    improvement = _create(actor=actor, kind=kind, title=title, description=description, source=nc.source,
                          management_system=nc.management_system, origin_nonconformity=nc,
                          verb_after={"origin": nc.reference})
    events.record(actor=actor, subject=nc, verb="nonconformity.improvement_raised",
                  after={"improvement": improvement.reference})
    return improvement


@transaction.atomic
def improvement_raise_nonconformity(*, actor, improvement: Improvement, title: str, description: str,
                                    requirement: str, area: str, detected_on: dt.date | None = None
                                    ) -> Nonconformity:
    """An OFI that turns out to hide a nonconformity raises one (reported, for triage); the two stay linked."""
    improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
    permissions.require(permissions.can_raise_nonconformity(actor, improvement),
                        "Only a manager or the review team may raise a nonconformity from an OFI.")
    source = improvement.source if improvement.source in Source.values else Source.OTHER
    nc = nc_services.nonconformity_report(actor=actor, title=title, description=description, requirement=requirement,
                                          area=area, detected_on=detected_on or timezone.localdate(), source=source,
                                          management_system=improvement.management_system)
    ImprovementNonconformity.objects.create(improvement=improvement, nonconformity=nc, created_by=actor)
    events.record(actor=actor, subject=improvement, verb="improvement.raised_nonconformity",
                  after={"nonconformity": nc.reference})
    return nc


@transaction.atomic
def improvement_transition(*, actor, improvement: Improvement, name: str, version: int | None = None,
                           comment: str = "", **step) -> Improvement:
    """Move an OFI along its lifecycle (lifecycle.TRANSITIONS); refuses what the table, a role or a guard forbids."""
    improvement = Improvement.objects.select_for_update(of=("self",)).get(pk=improvement.pk)
    check_version(current=improvement.version, expected=version)
    transition = lifecycle.by_name(improvement.state, name)
    permissions.require(permissions.may_transition(actor, transition, improvement),
                        f"Your role may not '{transition.label}' this improvement.")
    unknown = sorted(set(step) - set(transition.fields))
    if unknown:
        raise ValidationError({field: f"'{transition.label}' does not take this field." for field in unknown})
    tracked = ["state", *transition.fields]
    before = snapshot(improvement, tracked)
    for field in transition.fields:
        value = step.get(field)
        if value not in (None, ""):
            setattr(improvement, field, value.strip() if isinstance(value, str) else value)
    missing = {field: "This step needs this field." for field in transition.required
               if getattr(improvement, field) in (None, "")}
    if missing:
        raise ValidationError(missing)
    improvement.full_clean(exclude=["reference", "management_system", "created_by", "origin_nonconformity",
                                    "owner"], validate_unique=False, validate_constraints=False)
    errors = transition.check_guards(improvement, step)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if transition.stamp:
        setattr(improvement, transition.stamp, now)
    improvement.state, improvement.state_changed_at = transition.target, now
    improvement.version += 1
    improvement.save()
    events.record(actor=actor, subject=improvement, verb=transition.verb, before=before,
                  after=snapshot(improvement, tracked), comment=comment)
    return improvement
