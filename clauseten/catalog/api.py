"""/api/v1/catalog/: the requirement catalogue and which requirements an NC fails."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from clauseten.nonconformities.selectors import nonconformities_visible_to

from . import selectors, services
from .models import Requirement, Standard

router = Router(tags=["catalog"])


class StandardOut(Schema):
    code: str
    name: str
    title: str


class RequirementOut(Schema):
    id: int
    standard: str
    identifier: str
    title: str
    kind: str
    group: str

    @staticmethod
    def resolve_standard(obj) -> str:
        return obj.standard.code


class RequirementDetailOut(RequirementOut):
    mapped: list[RequirementOut]
    nonconformities: list[str]


class RequirementsIn(Schema):
    requirements: list[int]


@router.get("/standards", response=list[StandardOut])
def list_standards(request):
    return list(selectors.standards())


@router.get("/requirements", response=list[RequirementOut])
def list_requirements(request, standard: str = "", q: str = ""):
    found = get_object_or_404(Standard, code=standard) if standard else None
    return list(selectors.requirements(standard=found, q=q[:100]))


@router.get("/requirements/{standard}/{identifier}", response=RequirementDetailOut)
def get_requirement(request, standard: str, identifier: str):
    requirement = selectors.requirement_detail(standard, identifier)
    requirement.mapped = selectors.mapped_requirements(requirement)
    requirement.nonconformities = [nc.reference for nc in
                                   selectors.nonconformities_failing(request.user, requirement)]
    return requirement


@router.get("/nonconformities/{reference}/requirements", response=list[RequirementOut])
def get_nonconformity_requirements(request, reference: str):
    nc = nonconformities_visible_to(request.user).get(reference=reference)
    return selectors.requirements_of_nonconformity(nc)


@router.put("/nonconformities/{reference}/requirements", response=list[RequirementOut])
def set_nonconformity_requirements(request, reference: str, payload: RequirementsIn):
    """Replace the catalogue requirements of an NC with the given ids (an empty list removes them all)."""
    nc = nonconformities_visible_to(request.user).get(reference=reference)
    chosen = list(Requirement.objects.filter(pk__in=payload.requirements))
    unknown = sorted(set(payload.requirements) - {r.pk for r in chosen})
    if unknown:
        raise ValidationError({"requirements": f"No such requirement: {', '.join(map(str, unknown))}."})
    return services.nonconformity_requirements_set(actor=request.user, nc=nc, requirements=chosen)
