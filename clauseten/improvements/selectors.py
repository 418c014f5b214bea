"""Reads shared by the improvements pages and API, filtered by permission in SQL, joins in one place."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from clauseten.nonconformities.models import Nonconformity

from . import permissions
from .models import (
    Audit,
    AuditFinding,
    Improvement,
    ManagementReview,
    ManagementSystemChange,
    ReviewDecision,
    WorkArea,
)

# --- improvement register ---------------------------------------------------------------------------------


def improvements_visible_to(user) -> QuerySet[Improvement]:
    return Improvement.objects.filter(permissions.improvements_filter(user))


def improvement_register(user, *, state: list[str] = (), kind: str = "", q: str = "") -> QuerySet[Improvement]:
    rows = improvements_visible_to(user).select_related("owner", "management_system", "origin_nonconformity")
    if state:
        rows = rows.filter(state__in=state)
    if kind:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(Q(reference__iexact=q) | Q(title__icontains=q) | Q(description__icontains=q))
    return rows


def improvement_detail(user, reference: str) -> Improvement:
    return (improvements_visible_to(user)
            .select_related("owner", "created_by", "management_system", "origin_nonconformity",
                            "audit_finding__audit", "review_decision__review")
            .prefetch_related("raised__nonconformity", "management_system_changes")
            .get(reference=reference))


def improvements_for_nonconformity(nc: Nonconformity) -> QuerySet[Improvement]:
    """OFIs linked to an NC either way: spawned from it, or the OFI that raised it (for the NC's page and CAR)."""
    return (Improvement.objects.filter(Q(origin_nonconformity=nc) | Q(raised__nonconformity=nc))
            .select_related("owner").distinct().order_by("created_at", "id"))


# --- audit programme --------------------------------------------------------------------------------------


def audits_visible_to(user) -> QuerySet[Audit]:
    return Audit.objects.filter(permissions.audits_filter(user)).distinct()


def audit_programme(user, year: int) -> QuerySet[Audit]:
    return (audits_visible_to(user).filter(Q(starts_on__year=year) | Q(ends_on__year=year))
            .select_related("lead_auditor", "management_system").prefetch_related("team")
            .order_by("starts_on", "id"))


def audit_detail(user, reference: str) -> Audit:
    findings = AuditFinding.objects.select_related("nonconformity", "improvement", "recorded_by")
    return (audits_visible_to(user).select_related("lead_auditor", "management_system", "created_by")
            .prefetch_related("team", Prefetch("findings", queryset=findings)).get(reference=reference))


@dataclass(frozen=True)
class IndependenceConflict:
    auditor: object
    area: str


def independence_conflicts(audit: Audit) -> list[IndependenceConflict]:
    """Auditors who work in an area they audit (ISO/IEC 27001 9.2.2: objectivity and impartiality)."""
    audited = {area.casefold(): area for area in audit.area_list}
    auditors = [audit.lead_auditor, *audit.team.all()]
    areas = WorkArea.objects.filter(user__in=[a.pk for a in auditors]).select_related("user")
    return [IndependenceConflict(auditor=row.user, area=audited[row.area.casefold()])
            for row in areas if row.area.casefold() in audited]


def work_areas() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for user_id, area in WorkArea.objects.values_list("user_id", "area"):
        found.setdefault(user_id, []).append(area)
    return found


# --- management reviews -----------------------------------------------------------------------------------


def reviews_visible_to(user) -> QuerySet[ManagementReview]:
    return ManagementReview.objects.filter(permissions.reviews_filter(user)).distinct()


def _decisions() -> Prefetch:
    return Prefetch("decisions", queryset=ReviewDecision.objects.select_related(
        "owner", "improvement", "nonconformity").order_by("created_at", "id"))


def review_list(user) -> QuerySet[ManagementReview]:
    return (reviews_visible_to(user).select_related("management_system")
            .prefetch_related("attendees", _decisions()).order_by("-held_on", "-id"))


def review_detail(user, reference: str) -> ManagementReview:
    return (reviews_visible_to(user).select_related("management_system", "created_by")
            .prefetch_related("attendees", _decisions()).get(reference=reference))


def previous_review(review: ManagementReview) -> ManagementReview | None:
    """The review before this one of the same management system: its decisions are followed up here."""
    return (ManagementReview.objects.filter(management_system=review.management_system)
            .filter(Q(held_on__lt=review.held_on) | Q(held_on=review.held_on, pk__lt=review.pk))
            .prefetch_related(_decisions()).order_by("-held_on", "-id").first())


# --- change log -------------------------------------------------------------------------------------------


def changes_visible_to(user) -> QuerySet[ManagementSystemChange]:
    return (ManagementSystemChange.objects.filter(permissions.changes_filter(user))
            .select_related("nonconformity", "improvement", "review", "approved_by", "recorded_by",
                            "management_system"))


def change_log(user, *, kind: str = "", since: dt.date | None = None) -> QuerySet[ManagementSystemChange]:
    rows = changes_visible_to(user)
    if kind:
        rows = rows.filter(kind=kind)
    if since:
        rows = rows.filter(effective_on__gte=since)
    return rows.order_by("-effective_on", "-id")


def changes_for_nonconformity(nc: Nonconformity) -> QuerySet[ManagementSystemChange]:
    """Changes an NC led to (10.2 e): directly, or through an OFI spawned from it. For the NC page and the CAR."""
    return (ManagementSystemChange.objects
            .filter(Q(nonconformity=nc) | Q(improvement__origin_nonconformity=nc))
            .select_related("approved_by", "recorded_by", "improvement", "review")
            .order_by("effective_on", "id"))
