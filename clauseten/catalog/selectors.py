"""Reads of the catalogue and of which NCs fail which requirement, filtered by who may see the NCs."""

from django.db.models import Count, Prefetch, Q, QuerySet

from clauseten.nonconformities.models import Nonconformity
from clauseten.nonconformities.selectors import nonconformities_visible_to

from .models import NonconformityRequirement, Requirement, Standard


def standards() -> QuerySet[Standard]:
    return Standard.objects.annotate(requirement_count=Count("requirements")).order_by("name")


def requirements(*, standard: Standard | None = None, q: str = "") -> QuerySet[Requirement]:
    rows = Requirement.objects.select_related("standard")
    if standard is not None:
        rows = rows.filter(standard=standard)
    if q:
        rows = rows.filter(Q(identifier__icontains=q) | Q(title__icontains=q))
    return rows.order_by("standard__name", "position")


def requirement_detail(standard_code: str, identifier: str) -> Requirement:
    """One requirement with its mappings in both directions, or Requirement.DoesNotExist (404)."""
    return (Requirement.objects.select_related("standard")
            .prefetch_related(Prefetch("mapped_to", queryset=Requirement.objects.select_related("standard")),
                              Prefetch("mapped_from", queryset=Requirement.objects.select_related("standard")))
            .get(standard__code=standard_code, identifier=identifier))


def mapped_requirements(requirement: Requirement) -> list[Requirement]:
    """Mappings are stored once and read both ways."""
    both = {r.pk: r for r in [*requirement.mapped_to.all(), *requirement.mapped_from.all()]}
    return sorted(both.values(), key=lambda r: (r.standard.name, r.position))


def nonconformities_failing(user, requirement: Requirement) -> QuerySet[Nonconformity]:
    return (nonconformities_visible_to(user)
            .filter(catalogue_links__requirement=requirement, catalogue_links__removed_at__isnull=True)
            .select_related("owner").distinct().order_by("-reported_at", "-id"))


def requirements_of_nonconformity(nc: Nonconformity) -> list[Requirement]:
    return [link.requirement for link in NonconformityRequirement.objects.select_related("requirement__standard")
            .filter(nonconformity=nc, removed_at__isnull=True)]


def requirements_with_nonconformities(user, year: int) -> QuerySet:
    """Per requirement, how many NCs this user can see were detected in `year` against it; one query."""
    visible = nonconformities_visible_to(user).filter(detected_on__year=year).values("pk")
    return (NonconformityRequirement.objects.filter(removed_at__isnull=True, nonconformity__in=visible)
            .values("requirement__standard__name", "requirement__standard__code", "requirement__identifier",
                    "requirement__title", "requirement__position")
            .annotate(nonconformities=Count("nonconformity", distinct=True))
            .order_by("requirement__standard__name", "requirement__position"))
