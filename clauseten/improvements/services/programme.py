"""Writes to the audit programme (ISO/IEC 27001 / 42001 / ISO 9001 9.2): audits, their findings, auditors' areas."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem
from clauseten.events import services as events
from clauseten.lib.errors import check_version
from clauseten.nonconformities import services as nc_services
from clauseten.nonconformities.references import next_reference
from clauseten.nonconformities.services import snapshot

from .. import permissions
from ..models import Audit, AuditFinding, Improvement, WorkArea
from .register import _create as improvement_create

PLAN_FIELDS = ("kind", "title", "scope", "areas", "starts_on", "ends_on", "lead_auditor", "management_system")
# What a finding becomes: a nonconformity, or an entry in the improvement register.
OUTCOMES = ("nonconformity", Improvement.Kind.OFI, Improvement.Kind.OBSERVATION)


def _lock(audit: Audit) -> Audit:
    return Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)


@transaction.atomic
def audit_plan(*, actor, kind: str, title: str, scope: str, areas: str, starts_on: dt.date, ends_on: dt.date,
               lead_auditor, team: Iterable = (), management_system: ManagementSystem | None = None) -> Audit:
    """Put an audit in the programme with its scope, dates, lead auditor and team."""
    permissions.require(permissions.can_plan_audit(actor), "Only a manager plans audits.")
    management_system = management_system or ManagementSystem.objects.order_by("pk").first()
    if management_system is None:
        raise ValidationError({"management_system": "No management system is set up yet: ask an admin."})
    if lead_auditor is None:
        raise ValidationError({"lead_auditor": "Name the lead auditor."})
    audit = Audit(kind=kind, title=title, scope=scope, areas=", ".join(part.strip() for part in areas.split(",")
                                                                        if part.strip()),
                  starts_on=starts_on, ends_on=ends_on, lead_auditor=lead_auditor,
                  management_system=management_system, created_by=actor)
    audit.full_clean(exclude=["reference", "lead_auditor", "management_system", "created_by"],
                     validate_unique=False, validate_constraints=False)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The audit ends before it starts."})
    audit.reference = next_reference("AUD")
    audit.save(force_insert=True)
    members = [member for member in team if member.pk != lead_auditor.pk]
    audit.team.set(members)
    events.record(actor=actor, subject=audit, verb="audit.planned",
                  after={**snapshot(audit, PLAN_FIELDS), "team": sorted(m.username for m in members)})
    return audit


@transaction.atomic
def audit_record_finding(*, actor, audit: Audit, outcome: str, title: str, description: str,
                         requirement: str = "", area: str = "", detected_on: dt.date | None = None) -> AuditFinding:
    """A finding becomes a reported NC (source: the audit's kind) or an OFI/observation, linked to the audit."""
    audit = _lock(audit)
    permissions.require(permissions.can_record_finding(actor, audit),
                        "Only the audit team or a manager records findings, while the audit is open.")
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Choose nonconformity, ofi or observation."})
    source = Audit.NC_SOURCE[audit.kind]
    if outcome == "nonconformity":
        if not requirement.strip():
            raise ValidationError({"requirement": "Name the requirement that was not fulfilled."})
        nc = nc_services.nonconformity_report(
            actor=actor, title=title, description=description, requirement=requirement,
            area=area or (audit.area_list[0] if audit.area_list else "Audited area"),
            detected_on=detected_on or timezone.localdate(), source=source, management_system=audit.management_system)
        finding = AuditFinding.objects.create(audit=audit, nonconformity=nc, recorded_by=actor)
    else:
        improvement = improvement_create(actor=actor, kind=outcome, title=title, description=description,
                                         source=source, management_system=audit.management_system,
                                         verb_after={"audit": audit.reference})
        finding = AuditFinding.objects.create(audit=audit, improvement=improvement, recorded_by=actor)
    events.record(actor=actor, subject=audit, verb="audit.finding_recorded",
                  after={"finding": finding.record.reference, "outcome": outcome, "title": title})
    return finding


@transaction.atomic
def audit_complete(*, actor, audit: Audit, conclusion: str, version: int | None = None) -> Audit:
    """The audit is over: its conclusion goes on the report; no more findings are recorded."""
    audit = _lock(audit)
    permissions.require(permissions.can_complete_audit(actor, audit),
                        "Only the lead auditor or a manager completes an open audit.")
    check_version(current=audit.version, expected=version)
    if not conclusion.strip():
        raise ValidationError({"conclusion": "Write the audit conclusion."})
    audit.status, audit.conclusion, audit.version = Audit.Status.COMPLETED, conclusion.strip(), audit.version + 1
    audit.save()
    events.record(actor=actor, subject=audit, verb="audit.completed", before={"status": "planned"},
                  after={"status": audit.status, "conclusion": audit.conclusion})
    return audit


@transaction.atomic
def audit_cancel(*, actor, audit: Audit, reason: str, version: int | None = None) -> Audit:
    audit = _lock(audit)
    permissions.require(permissions.can_cancel_audit(actor, audit), "Only a manager cancels an open audit.")
    check_version(current=audit.version, expected=version)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for cancelling."})
    audit.status, audit.cancel_reason, audit.version = Audit.Status.CANCELLED, reason.strip(), audit.version + 1
    audit.save()
    events.record(actor=actor, subject=audit, verb="audit.cancelled", before={"status": "planned"},
                  after={"status": audit.status}, comment=audit.cancel_reason)
    return audit


@transaction.atomic
def work_areas_set(*, actor, user, areas: Iterable[str]) -> list[str]:
    """The areas a person works in, so that the audit page can flag them when they audit their own area.

    This is reference data, not a record: rows are replaced, and the event keeps the before and after.
    """
    permissions.require(permissions.can_set_work_areas(actor), "Only a manager or admin sets work areas.")
    wanted = sorted({area.strip() for area in areas if area.strip()}, key=str.casefold)
    if any(len(area) > 200 for area in wanted):
        raise ValidationError({"areas": "Keep each area under 200 characters."})
    before = sorted(WorkArea.objects.filter(user=user).values_list("area", flat=True), key=str.casefold)
    if before != wanted:
        WorkArea.objects.filter(user=user).delete()
        WorkArea.objects.bulk_create([WorkArea(user=user, area=area) for area in wanted])
        events.record(actor=actor, subject=user, verb="user.work_areas_set", before={"areas": before},
                      after={"areas": wanted}, record=user.username)
    return wanted
