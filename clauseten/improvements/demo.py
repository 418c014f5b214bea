"""Demo data for continual improvement: audits (one with an independence flag), findings, OFIs, a management
review with its decisions, and a change-log entry. Called from clauseten/demo.py after the register is built."""

import datetime as dt

from django.utils import timezone

from clauseten.catalog.demo import link_requirements
from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities.models import Nonconformity

from . import services
from .models import Audit
from .scenarios import walk


def load(people: dict) -> None:
    if Audit.objects.exists():
        return  # loaded already
    manager, reviewer, approver = people["manager"], people["reviewer"], people["approver"]
    owner, owner2 = people["owner"], people["owner2"]
    today = timezone.localdate()
    isms = ManagementSystem.objects.get(name="ISMS")

    link_requirements(manager)
    services.work_areas_set(actor=manager, user=owner, areas=["HR / IT offboarding", "Platform team"])
    services.work_areas_set(actor=manager, user=owner2, areas=["Data science"])

    # An internal audit where one team member works in an audited area: the audit page flags it.
    internal = services.audit_plan(
        actor=manager, kind=Audit.Kind.INTERNAL, title="Access control and offboarding",
        scope="A.5.15–A.5.18 and A.8.2 across HR and IT", areas="HR / IT offboarding, Finance",
        starts_on=today - dt.timedelta(days=20), ends_on=today - dt.timedelta(days=18),
        lead_auditor=owner2, team=[owner], management_system=isms)
    services.audit_record_finding(
        actor=owner2, audit=internal, outcome="nonconformity", title="Access reviews not evidenced for Q2",
        description="No record of the quarterly access review for the finance application.",
        requirement="ISO/IEC 27001:2022 A.5.18 Access rights", area="Finance",
        detected_on=today - dt.timedelta(days=19))
    audit_ofi = services.audit_record_finding(
        actor=owner2, audit=internal, outcome="ofi", title="Automate the quarterly access review",
        description="A script could export the access lists and open the review task for each owner.")
    services.audit_complete(actor=owner2, audit=internal, conclusion="Access control is largely effective; one "
                            "minor nonconformity and one opportunity for improvement.")
    services.audit_plan(
        actor=manager, kind=Audit.Kind.EXTERNAL, title="Surveillance audit (certification body)",
        scope="The whole ISMS", areas="All", starts_on=today + dt.timedelta(days=45),
        ends_on=today + dt.timedelta(days=46), lead_auditor=people["auditor"], management_system=isms)

    walk(audit_ofi.improvement, "planned", decider=manager, owner=owner2)
    services.improvement_propose(actor=people["reporter"], kind="ofi", title="Badge printer at reception",
                                 description="Printing visitor badges would make unreturned ones easy to spot.",
                                 management_system=isms)

    previous = services.review_record(
        actor=manager, held_on=today - dt.timedelta(days=100), attendees=[manager, reviewer, approver],
        minutes="Reviewed the audit results and the NC trend; agreed two improvements.", management_system=isms,
        inputs=f"from={(today - dt.timedelta(days=280)).isoformat()}&to={(today - dt.timedelta(days=100)).isoformat()}")
    decision = services.review_decide(actor=manager, review=previous, owner=owner,
                                      due_date=today + dt.timedelta(days=20),
                                      text="Train all team leads on the offboarding procedure.")
    walk(decision.improvement, "implemented", decider=manager, owner=owner)
    leaver = Nonconformity.objects.filter(title__startswith="Leaver kept VPN").first()
    if leaver is not None:
        services.review_decide(actor=manager, review=previous, owner=manager, due_date=today + dt.timedelta(days=10),
                               text="Report monthly on the leaver NC until it is closed.", nonconformity=leaver)
        services.change_record(
            actor=manager, kind="procedure", what_changed="Offboarding procedure HR-07 v3: IT access removal "
            "is a step of the leaver checklist, signed by IT.", reason="Leavers kept VPN access for weeks.",
            approved_by=approver, effective_on=today - dt.timedelta(days=30), nonconformity=leaver)
    services.review_record(
        actor=manager, held_on=today - dt.timedelta(days=5), attendees=[manager, reviewer],
        minutes="Followed up the previous decisions; the training is done, its benefit to be reviewed.",
        management_system=isms, inputs=f"from={(today - dt.timedelta(days=100)).isoformat()}&to={today.isoformat()}")
