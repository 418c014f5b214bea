"""Writes that tie nonconformities to catalogue requirements (ISO/IEC 27001 10.2: which requirement was not met)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from clauseten.events import services as events
from clauseten.nonconformities.models import Nonconformity

from . import permissions
from .models import NonconformityRequirement, Requirement


def _labels(requirements: Iterable[Requirement]) -> list[str]:
    return sorted(f"{r.standard.name} {r.identifier}" for r in requirements)


@transaction.atomic
def nonconformity_requirements_set(*, actor, nc: Nonconformity, requirements: Iterable[Requirement]) -> list[Requirement]:
    """Make `requirements` the catalogue requirements this NC fails. The free-text requirement stays as it is."""
    nc = Nonconformity.objects.select_for_update().get(pk=nc.pk)
    permissions.require(permissions.can_set_requirements(actor, nc),
                        "You may not change the requirements of this nonconformity.")
    wanted = {r.pk: r for r in Requirement.objects.select_related("standard").filter(
        pk__in=[r.pk for r in requirements])}
    current = {link.requirement_id: link for link in
               NonconformityRequirement.objects.select_related("requirement__standard")
               .filter(nonconformity=nc, removed_at__isnull=True)}
    before = _labels(link.requirement for link in current.values())
    now = timezone.now()
    for requirement_id, link in current.items():
        if requirement_id not in wanted:
            link.removed_by, link.removed_at = actor, now
            link.save(update_fields=["removed_by", "removed_at"])
    for requirement_id, requirement in wanted.items():
        if requirement_id not in current:
            NonconformityRequirement.objects.create(nonconformity=nc, requirement=requirement, added_by=actor,
                                                    added_at=now)
    after = _labels(wanted.values())
    if after != before:
        events.record(actor=actor, subject=nc, verb="nonconformity.requirements_set",
                      before={"requirements": before}, after={"requirements": after})
    return sorted(wanted.values(), key=lambda r: (r.standard.name, r.position))
