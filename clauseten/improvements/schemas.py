"""API shapes of the improvements app. People are named by username; records by reference."""

import datetime as dt

from ninja import Schema


def username(user) -> str | None:
    return user.username if user is not None else None


class ImprovementIn(Schema):
    kind: str = "ofi"
    title: str
    description: str
    source: str = "suggestion"
    management_system: int | None = None


class ImprovementOut(Schema):
    reference: str
    kind: str
    title: str
    description: str
    source: str
    state: str
    management_system: str
    origin_nonconformity: str | None
    raised_nonconformities: list[str]
    owner: str | None
    due_date: dt.date | None
    expected_benefit: str
    decline_reason: str
    implementation_note: str
    benefit_review: str
    created_by: str
    created_at: dt.datetime
    version: int
    next_steps: list[str] = []

    @staticmethod
    def resolve_management_system(obj) -> str:
        return str(obj.management_system)

    @staticmethod
    def resolve_origin_nonconformity(obj) -> str | None:
        return obj.origin_nonconformity.reference if obj.origin_nonconformity_id else None

    @staticmethod
    def resolve_raised_nonconformities(obj) -> list[str]:
        return [link.nonconformity.reference for link in obj.raised.all()]

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username(obj.owner)

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.username


class TransitionIn(Schema):
    name: str
    version: int | None = None
    comment: str = ""
    decline_reason: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    expected_benefit: str | None = None
    implementation_note: str | None = None
    benefit_review: str | None = None


class NonconformityFromImprovementIn(Schema):
    title: str
    description: str
    requirement: str
    area: str
    detected_on: dt.date | None = None


class CreatedOut(Schema):
    reference: str


class AuditIn(Schema):
    kind: str
    title: str
    scope: str
    areas: str
    starts_on: dt.date
    ends_on: dt.date
    lead_auditor: str
    team: list[str] = []
    management_system: int | None = None


class FindingOut(Schema):
    record: str
    type: str
    title: str
    state: str


class ConflictOut(Schema):
    auditor: str
    area: str


class AuditOut(Schema):
    reference: str
    kind: str
    title: str
    scope: str
    areas: str
    starts_on: dt.date
    ends_on: dt.date
    lead_auditor: str
    team: list[str]
    status: str
    conclusion: str
    version: int
    findings: list[FindingOut] = []
    independence_conflicts: list[ConflictOut] = []

    @staticmethod
    def resolve_lead_auditor(obj) -> str:
        return obj.lead_auditor.username

    @staticmethod
    def resolve_team(obj) -> list[str]:
        return [member.username for member in obj.team.all()]

    @staticmethod
    def resolve_findings(obj) -> list[dict]:
        return [{"record": f.record.reference, "type": "nonconformity" if f.nonconformity_id else f.improvement.kind,
                 "title": f.record.title, "state": f.record.state} for f in obj.findings.all()]


class FindingIn(Schema):
    outcome: str
    title: str
    description: str
    requirement: str = ""
    area: str = ""
    detected_on: dt.date | None = None


class ReviewIn(Schema):
    held_on: dt.date
    attendees: list[str]
    minutes: str
    inputs: str = ""
    management_system: int | None = None


class DecisionOut(Schema):
    text: str
    owner: str
    due_date: dt.date
    record: str
    state: str

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.username

    @staticmethod
    def resolve_record(obj) -> str:
        return obj.record.reference

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.record.state


class ReviewOut(Schema):
    reference: str
    held_on: dt.date
    management_system: str
    attendees: list[str]
    inputs: str
    minutes: str
    decisions: list[DecisionOut]
    previous_review: str | None = None
    previous_decisions: list[DecisionOut] = []

    @staticmethod
    def resolve_management_system(obj) -> str:
        return str(obj.management_system)

    @staticmethod
    def resolve_attendees(obj) -> list[str]:
        return [a.username for a in obj.attendees.all()]

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())


class DecisionIn(Schema):
    text: str
    owner: str
    due_date: dt.date
    title: str = ""
    nonconformity: str | None = None


class ChangeIn(Schema):
    kind: str
    what_changed: str
    reason: str
    approved_by: str
    effective_on: dt.date
    nonconformity: str | None = None
    improvement: str | None = None
    review: str | None = None


class ChangeOut(Schema):
    reference: str
    kind: str
    what_changed: str
    reason: str
    caused_by: str
    approved_by: str
    effective_on: dt.date
    recorded_by: str

    @staticmethod
    def resolve_caused_by(obj) -> str:
        return obj.cause.reference

    @staticmethod
    def resolve_approved_by(obj) -> str:
        return obj.approved_by.username

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.recorded_by.username
