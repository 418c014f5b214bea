"""Open nonconformities and their corrective actions as a NIST OSCAL 1.2.1 Plan of Action and Milestones.

Each open NC becomes an observation (what was seen), a finding against the broken requirement, a risk (status,
deadline, the correction and each corrective action as remediations with a due-date task, and the NC's events
as the risk log) and the poam-item that ties them together. UUIDs are version 5, derived from the NC's
reference, so the same record keeps the same UUIDs across exports (OSCAL asks for per-subject UUIDs).

`read_poam` reads any POA&M (NIST's own example included) into plain dataclasses and `write_poam` writes it
back: what we do not model travels in `rest`, so a read/write round trip loses nothing.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from clauseten.events.models import ChainHead, Event
from clauseten.nonconformities.models import (
    FINAL_STATES,
    Action,
    Classification,
    Nonconformity,
    Source,
    State,
)

OSCAL_VERSION = "1.2.1"
# Our namespace for UUIDv5, itself derived from the site's address so two installations never collide.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://clauseten.example/oscal")
RISK_STATUS = {State.REPORTED: "open", State.OPEN: "open", State.INVESTIGATING: "investigating",
               State.ACTING: "remediating", State.VERIFYING: "remediating", State.CLOSED: "closed",
               State.REJECTED: "closed", State.DUPLICATE: "closed", State.MOVED: "closed"}
# Plain dicts: get_FOO_display() costs more than the rest of an item when there are tens of thousands.
LABELS = {"source": dict(Source.choices), "state": dict(State.choices), "classification": dict(Classification.choices)}
AUDIT_SOURCES = {"internal_audit", "external_audit", "third_party_audit", "inspection"}


def uid(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join([settings.BASE_URL, *map(str, parts)])))


def line(text: str, fallback: str = "(not given)") -> str:
    """OSCAL titles and property values are one line without outer whitespace."""
    return " ".join(str(text or "").split()) or fallback


def token(text: str) -> str:
    """An NCName token (letters, digits, '.', '-', '_'; starting with a letter or '_') from free text."""
    cleaned = re.sub(r"[^\w.\-]+", "-", line(text, "requirement"), flags=re.UNICODE).strip("-") or "requirement"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else "_" + cleaned


def stamp(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    end_of_day = dt.datetime.combine(value, dt.time(23, 59, 59))
    return timezone.make_aware(end_of_day).isoformat(timespec="seconds")


def prop(name: str, value) -> dict:
    return {"name": name, "value": line(value)}


def open_nonconformities(management_system: int | None = None) -> QuerySet[Nonconformity]:
    rows = Nonconformity.objects.exclude(state__in=FINAL_STATES)
    if management_system:
        rows = rows.filter(management_system_id=management_system)
    return (rows.select_related("management_system", "owner")
            .prefetch_related("actions__owner").order_by("reported_at", "id"))


def _remediations(nc: Nonconformity) -> list[dict]:
    remediations = []
    if nc.correction:
        remediations.append({
            "uuid": uid(nc.reference, "correction"), "lifecycle": "completed", "title": "Correction",
            "description": nc.correction, "props": [prop("type", "correction")]})
    for number, action in enumerate(nc.actions.all(), start=1):
        remediations.append({
            "uuid": uid(nc.reference, "action", action.pk),
            "lifecycle": "completed" if action.status == Action.Status.DONE else "planned",
            "title": f"Corrective action {number}", "description": action.description,
            "props": [prop("type", "corrective-action"), prop("status", action.status),
                      prop("owner", action.owner.get_username())],
            "tasks": [{"uuid": uid(nc.reference, "action", action.pk, "due"), "type": "milestone",
                       "title": f"Corrective action {number} due", "timing": {"on-date": {"date": stamp(action.due_date)}}}],
        })
    return remediations


def _risk_log(events: list[Event]) -> dict:
    entries = []
    for event in events:
        entry = {"uuid": uid("event", event.hash), "title": line(event.verb), "start": stamp(event.at),
                 "description": f"{event.actor_name}: {event.verb}" + (f" ({event.comment})" if event.comment else ""),
                 "props": [prop("event-seq", event.seq)]}
        new_state = (event.changes or {}).get("state", [None, None])[1]
        if new_state in RISK_STATUS:
            entry["status-change"] = RISK_STATUS[new_state]
        entries.append(entry)
    return {"entries": entries} if entries else {}


def build_poam(management_system: int | None = None) -> dict:
    """The POA&M of every open nonconformity (in one management system, if given)."""
    ncs = list(open_nonconformities(management_system))
    history: dict[str, list[Event]] = {}
    for event in Event.objects.filter(record__in=Subquery(open_nonconformities(management_system)
                                                          .values("reference"))).order_by("seq"):
        history.setdefault(event.record, []).append(event)
    observations, findings, risks, items = [], [], [], []
    for nc in ncs:
        ids = {part: uid(nc.reference, part) for part in ("observation", "finding", "risk", "item")}
        props = [prop("reference", nc.reference), prop("source", LABELS["source"][nc.source]), prop("area", nc.area),
                 prop("management-system", nc.management_system.name)]
        observations.append({
            "uuid": ids["observation"], "title": line(nc.title), "description": nc.description, "props": props,
            "methods": ["EXAMINE" if nc.source in AUDIT_SOURCES else "UNKNOWN"], "types": ["finding"],
            "collected": stamp(nc.reported_at)})
        findings.append({
            "uuid": ids["finding"], "title": line(f"{nc.reference}: {nc.requirement} not fulfilled"),
            "description": nc.description,
            "target": {"type": "statement-id", "target-id": token(nc.requirement), "title": line(nc.requirement),
                       "status": {"state": "not-satisfied", "reason": "fail"}},
            "related-observations": [{"observation-uuid": ids["observation"]}],
            "related-risks": [{"risk-uuid": ids["risk"]}]})
        risk = {
            "uuid": ids["risk"], "title": line(f"{nc.reference}: {nc.title}"), "description": nc.description,
            "statement": nc.consequences or nc.description, "status": RISK_STATUS[nc.state],
            "props": [prop("reference", nc.reference), prop("state", LABELS["state"][nc.state]),
                      prop("classification", LABELS["classification"].get(nc.classification) or "not yet classified")],
            "related-observations": [{"observation-uuid": ids["observation"]}]}
        if nc.due_date:
            risk["deadline"] = stamp(nc.due_date)
        if remediations := _remediations(nc):
            risk["remediations"] = remediations
        if log := _risk_log(history.get(nc.reference, [])):
            risk["risk-log"] = log
        risks.append(risk)
        items.append({
            "uuid": ids["item"], "title": line(nc.title), "description": nc.description,
            "props": [prop("reference", nc.reference)],
            "related-findings": [{"finding-uuid": ids["finding"]}],
            "related-observations": [{"observation-uuid": ids["observation"]}],
            "related-risks": [{"risk-uuid": ids["risk"]}]})
    head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    poam = {
        "uuid": uid("poam", management_system or "all"),
        "metadata": {"title": "Clause Ten: open nonconformities and corrective actions",
                     "last-modified": stamp(timezone.now()), "version": f"events-{head}",
                     "oscal-version": OSCAL_VERSION},
        # OSCAL requires at least one poam-item; an empty register says so in one item of its own.
        "poam-items": items or [{"uuid": uid("poam", "empty"), "title": "No open nonconformities",
                                 "description": "Nothing is open in the register at the time of export."}],
    }
    for name, values in (("observations", observations), ("risks", risks), ("findings", findings)):
        if values:
            poam[name] = values
    return {"plan-of-action-and-milestones": poam}


# --- reading ----------------------------------------------------------------------------------------------

@dataclass
class Part:
    """An OSCAL object we read: its uuid, title and description, and every other key as it came."""

    uuid: str
    title: str
    description: str
    rest: dict = field(default_factory=dict)

    @classmethod
    def read(cls, source: dict) -> "Part":
        rest = {k: v for k, v in source.items() if k not in ("uuid", "title", "description")}
        return cls(uuid=source.get("uuid", ""), title=source.get("title", ""),
                   description=source.get("description", ""), rest=rest)

    def write(self) -> dict:
        out = {"uuid": self.uuid} if self.uuid else {}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        return {**out, **self.rest}


@dataclass
class Risk(Part):
    status: str = ""
    deadline: str = ""
    remediations: list[Part] = field(default_factory=list)

    @classmethod
    def read(cls, source: dict) -> "Risk":
        base = Part.read(source)
        rest = {k: v for k, v in base.rest.items() if k not in ("status", "deadline", "remediations")}
        return cls(uuid=base.uuid, title=base.title, description=base.description, rest=rest,
                   status=source.get("status", ""), deadline=source.get("deadline", ""),
                   remediations=[Part.read(r) for r in source.get("remediations", [])])

    def write(self) -> dict:
        out = super().write()
        out.update({k: v for k, v in (("status", self.status), ("deadline", self.deadline)) if v})
        if self.remediations:
            out["remediations"] = [r.write() for r in self.remediations]
        return out


@dataclass
class Poam:
    uuid: str
    title: str
    items: list[Part]
    risks: list[Risk]
    observations: list[Part]
    findings: list[Part]
    rest: dict

    def write(self) -> dict:
        body = dict(self.rest)
        body["uuid"] = self.uuid
        body["metadata"] = {**body.get("metadata", {}), "title": self.title}
        for name, values in (("poam-items", self.items), ("risks", self.risks), ("observations", self.observations),
                             ("findings", self.findings)):
            if values:
                body[name] = [value.write() for value in values]
        return {"plan-of-action-and-milestones": body}


def read_poam(document: dict) -> Poam:
    """Read a POA&M document (the parsed JSON) into our representation."""
    body = document["plan-of-action-and-milestones"]
    known = ("uuid", "poam-items", "risks", "observations", "findings")
    return Poam(uuid=body["uuid"], title=body["metadata"]["title"],
                items=[Part.read(x) for x in body.get("poam-items", [])],
                risks=[Risk.read(x) for x in body.get("risks", [])],
                observations=[Part.read(x) for x in body.get("observations", [])],
                findings=[Part.read(x) for x in body.get("findings", [])],
                rest={k: v for k, v in body.items() if k not in known})


def write_poam(poam: Poam) -> dict:
    return poam.write()
