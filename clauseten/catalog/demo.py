"""Demo data for the catalogue: tie the demo NCs whose free-text requirement names a catalogue entry to it."""

import re

from clauseten.nonconformities.models import Nonconformity

from .models import Requirement
from .services import nonconformity_requirements_set

STANDARDS = {"ISO/IEC 27001:2022": "iso27001-2022", "ISO/IEC 42001:2023": "iso42001-2023", "ISO 9001:2015": "iso9001-2015"}
NAMED = re.compile(r"^(?P<standard>ISO(?:/IEC)? \d+:\d{4}) (?P<identifier>A?\.?[\d.]+)")


def link_requirements(manager) -> int:
    linked = 0
    for nc in Nonconformity.objects.filter(catalogue_links__isnull=True).order_by("pk"):
        match = NAMED.match(nc.requirement)
        code = STANDARDS.get(match["standard"]) if match else None
        requirement = Requirement.objects.filter(standard__code=code, identifier=match["identifier"]).first() \
            if code else None
        if requirement is not None:
            nonconformity_requirements_set(actor=manager, nc=nc, requirements=[requirement])
            linked += 1
    return linked
