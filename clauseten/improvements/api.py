"""/api/v1/improvements/: the improvement register, audit programme, management reviews and change log.

Errors are not caught here: clauseten/api.py maps them (422, 403, 404, 409) once for every app.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router

from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities.selectors import nonconformities_visible_to

from . import lifecycle, selectors, services
from .schemas import (
    AuditIn,
    AuditOut,
    ChangeIn,
    ChangeOut,
    CreatedOut,
    DecisionIn,
    FindingIn,
    ImprovementIn,
    ImprovementOut,
    NonconformityFromImprovementIn,
    ReviewIn,
    ReviewOut,
    TransitionIn,
)

router = Router(tags=["improvements"])


def _person(field: str, name: str | None):
    if not name:
        return None
    found = get_user_model().objects.filter(username=name, is_active=True).first()
    if found is None:
        raise ValidationError({field: f"No active user '{name}'."})
    return found


def _system(pk: int | None):
    return get_object_or_404(ManagementSystem, pk=pk) if pk else None


def _visible(field: str, rows, reference: str | None):
    if not reference:
        return None
    found = rows.filter(reference=reference.strip().upper()).first()
    if found is None:
        raise ValidationError({field: f"No {reference} that you can see."})
    return found


def _improvement_out(user, improvement):
    improvement.next_steps = [t.name for t in lifecycle.allowed_for(user, improvement)]
    return improvement


# --- audit programme --------------------------------------------------------------------------------------

@router.get("/audits", response=list[AuditOut])
def list_audits(request, year: int | None = None):
    return list(selectors.audit_programme(request.user, year or timezone.localdate().year))


@router.post("/audits", response={201: AuditOut})
def plan_audit(request, payload: AuditIn):
    values = payload.dict()
    team = [_person("team", name) for name in values.pop("team")]
    audit = services.audit_plan(actor=request.user, **{**values, "lead_auditor": _person("lead_auditor",
                                                                                         payload.lead_auditor),
                                                       "team": team, "management_system": _system(
                                                           payload.management_system)})
    return 201, get_audit(request, audit.reference)


@router.get("/audits/{reference}", response=AuditOut)
def get_audit(request, reference: str):
    audit = selectors.audit_detail(request.user, reference)
    audit.independence_conflicts = [{"auditor": c.auditor.username, "area": c.area}
                                    for c in selectors.independence_conflicts(audit)]
    return audit


@router.post("/audits/{reference}/findings", response={201: CreatedOut})
def record_finding(request, reference: str, payload: FindingIn):
    audit = selectors.audit_detail(request.user, reference)
    finding = services.audit_record_finding(actor=request.user, audit=audit, **payload.dict())
    return 201, {"reference": finding.record.reference}


# --- management reviews -----------------------------------------------------------------------------------

@router.get("/reviews", response=list[ReviewOut])
def list_reviews(request):
    return list(selectors.review_list(request.user))


@router.post("/reviews", response={201: ReviewOut})
def record_review(request, payload: ReviewIn):
    review = services.review_record(actor=request.user, held_on=payload.held_on, minutes=payload.minutes,
                                    inputs=payload.inputs, management_system=_system(payload.management_system),
                                    attendees=[_person("attendees", name) for name in payload.attendees])
    return 201, get_review(request, review.reference)


@router.get("/reviews/{reference}", response=ReviewOut)
def get_review(request, reference: str):
    review = selectors.review_detail(request.user, reference)
    previous = selectors.previous_review(review)
    review.previous_review = previous.reference if previous else None
    review.previous_decisions = list(previous.decisions.all()) if previous else []
    return review


@router.post("/reviews/{reference}/decisions", response={201: CreatedOut})
def decide(request, reference: str, payload: DecisionIn):
    review = selectors.review_detail(request.user, reference)
    decision = services.review_decide(
        actor=request.user, review=review, text=payload.text, title=payload.title, due_date=payload.due_date,
        owner=_person("owner", payload.owner),
        nonconformity=_visible("nonconformity", nonconformities_visible_to(request.user), payload.nonconformity))
    return 201, {"reference": decision.record.reference}


# --- change log -------------------------------------------------------------------------------------------

@router.get("/changes", response=list[ChangeOut])
def list_changes(request, kind: str = ""):
    return list(selectors.change_log(request.user, kind=kind))


@router.post("/changes", response={201: ChangeOut})
def record_change(request, payload: ChangeIn):
    change = services.change_record(
        actor=request.user, kind=payload.kind, what_changed=payload.what_changed, reason=payload.reason,
        effective_on=payload.effective_on, approved_by=_person("approved_by", payload.approved_by),
        nonconformity=_visible("nonconformity", nonconformities_visible_to(request.user), payload.nonconformity),
        improvement=_visible("improvement", selectors.improvements_visible_to(request.user), payload.improvement),
        review=_visible("review", selectors.reviews_visible_to(request.user), payload.review))
    return 201, change


# --- the improvement register (last: its /{reference} would otherwise shadow the paths above) ---------------

@router.get("/", response=list[ImprovementOut])
def list_improvements(request, state: str = "", kind: str = "", q: str = ""):
    rows = selectors.improvement_register(request.user, state=[s for s in state.split(",") if s], kind=kind,
                                          q=q[:200]).prefetch_related("raised__nonconformity")[:500]
    return [_improvement_out(request.user, row) for row in rows]


@router.post("/", response={201: ImprovementOut})
def propose(request, payload: ImprovementIn):
    improvement = services.improvement_propose(actor=request.user, **{
        **payload.dict(), "management_system": _system(payload.management_system)})
    return 201, get_improvement(request, improvement.reference)


@router.get("/{reference}", response=ImprovementOut)
def get_improvement(request, reference: str):
    return _improvement_out(request.user, selectors.improvement_detail(request.user, reference))


@router.post("/{reference}/transitions", response=ImprovementOut)
def transition(request, reference: str, payload: TransitionIn):
    """Take a step of the lifecycle (see next_steps); send the version you read to be protected from overwrites."""
    improvement = selectors.improvement_detail(request.user, reference)
    step = {k: v for k, v in payload.dict(exclude={"name", "version", "comment"}).items() if v is not None}
    if "owner" in step:
        step["owner"] = _person("owner", step["owner"])
    services.improvement_transition(actor=request.user, improvement=improvement, name=payload.name,
                                    version=payload.version, comment=payload.comment, **step)
    return get_improvement(request, reference)


@router.post("/{reference}/nonconformities", response={201: CreatedOut})
def raise_nonconformity(request, reference: str, payload: NonconformityFromImprovementIn):
    improvement = selectors.improvement_detail(request.user, reference)
    nc = services.improvement_raise_nonconformity(actor=request.user, improvement=improvement, **payload.dict())
    return 201, {"reference": nc.reference}
