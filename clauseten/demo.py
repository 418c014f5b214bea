"""The demo organisation `make run` loads: one person per role and a register with records in every state."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clauseten.accounts.models import User
from clauseten.accounts.roles import Role
from clauseten.accounts.services import user_create
from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities import services
from clauseten.nonconformities.models import State
from clauseten.nonconformities.scenarios import Cast, report, walk

DEMO_PASSWORD = "clauseten-demo"

# username, first name, last name, roles
PEOPLE = [
    ("reporter", "Rita", "Reyes", [Role.REPORTER]),
    ("manager", "Mona", "Meyer", [Role.MANAGER]),
    ("owner", "Omar", "Osei", [Role.ACTION_OWNER]),
    ("owner2", "Olga", "Olsen", [Role.ACTION_OWNER]),
    ("approver", "Arun", "Aziz", [Role.APPROVER]),
    ("reviewer", "Rosa", "Ruiz", [Role.REVIEW_TEAM]),
    ("auditor", "Aida", "Alvarez", [Role.AUDITOR]),
    ("admin", "Adam", "Adler", [Role.ADMIN]),
]

RECORDS = [
    # title, requirement, area, source, state, classification, days ago detected
    ("Visitor badge not returned", "ISO/IEC 27001:2022 A.7.2 Physical entry", "Reception", "incident",
     State.CLOSED, "minor", 80),
    ("Leaver kept VPN access for 3 weeks", "ISO/IEC 27001:2022 A.5.18 Access rights", "HR / IT offboarding",
     "internal_audit", State.VERIFYING, "major", 50),
    ("Backup restore never tested", "ISO/IEC 27001:2022 A.8.13 Information backup", "Data centre",
     "external_audit", State.ACTING, "major", 40),
    ("Supplier contract lacks security clauses", "ISO/IEC 27001:2022 A.5.20 Supplier agreements",
     "Procurement", "third_party_audit", State.INVESTIGATING, "minor", 25),
    ("Phishing simulation click rate above target", "Security awareness policy §4", "All staff",
     "monitoring", State.OPEN, "minor", 12),
    ("Model card missing for credit-scoring model", "ISO/IEC 42001:2023 A.6.2.7 AI system documentation",
     "Data science", "internal_audit", State.OPEN, "major", 9),
    ("Laptop left unlocked in meeting room", "Clear desk and screen policy", "Office 2nd floor",
     "incident", State.REPORTED, "", 3),
    ("Change deployed without approval", "Change management procedure CM-02", "Platform team",
     "change_management", State.REPORTED, "", 1),
    ("Password written on sticky note", "ISO/IEC 27001:2022 A.5.17 Authentication information",
     "Finance", "inspection", State.ACTING, "minor", 35),
]


def people() -> dict[str, User]:
    found = {}
    for username, first, last, roles in PEOPLE:
        user = User.objects.filter(username=username).first() or user_create(
            username=username, password=DEMO_PASSWORD, email=f"{username}@demo.clauseten.test",
            first_name=first, last_name=last, roles=roles)
        if Role.ADMIN in roles and not user.is_superuser:
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        found[username] = user
    return found


@transaction.atomic
def load() -> None:
    cast_of = people()
    ManagementSystem.objects.get_or_create(
        name="ISMS", defaults={"standards": "ISO/IEC 27001:2022", "scope": "All services of Example Ltd.",
                               "requires_closure_approval": True})
    ManagementSystem.objects.get_or_create(
        name="AIMS", defaults={"standards": "ISO/IEC 42001:2023", "scope": "AI systems of Example Ltd.",
                               "requires_closure_approval": True})
    cast = Cast(reporter=cast_of["reporter"], manager=cast_of["manager"], owner=cast_of["owner"],
                action_owner=cast_of["owner2"], approver=cast_of["approver"])
    today = timezone.localdate()
    for title, requirement, area, source, state, classification, days_ago in RECORDS:
        system = ManagementSystem.objects.get(name="AIMS" if "42001" in requirement else "ISMS")
        nc = report(cast, title=title, requirement=requirement, area=area, source=source,
                    detected_on=today - dt.timedelta(days=days_ago), management_system=system)
        walk(nc, cast, state, classification=classification or "minor")
    # One rejected and one duplicate, so the register shows every outcome of triage.
    rejected = report(cast, title="Printer out of toner", requirement="None", area="Office", source="other")
    services.nonconformity_transition(actor=cast.manager, nc=rejected, name="reject",
                                      comment="An IT request, not a nonconformity: raised with the service desk.")

    # Audits, OFIs, a management review and a change-log entry beside the register (continual improvement).
    from clauseten.improvements import demo as improvements_demo

    improvements_demo.load(cast_of)
