"""The evidence pack: one ZIP an auditor can check offline (ISO/IEC 27001 7.5.3, 9.2; clause 10.2 f/g).

    register.csv                               the register rows of the chosen NCs
    car/<reference>.pdf                        one Corrective Action Report per NC
    events.jsonl                               every event of those NCs, with the hashes that chain them
    attachments/<reference>/<sha256>-<name>    the evidence files, named by their recorded SHA-256
    chain.json                                 the chain head (seq, hash) and the verify result when built
    MANIFEST.sha256                            `sha256sum -c` over every other file

Built by a background task (django-tasks) into Django storage, because a register with years of
evidence takes longer than a request may. The EvidencePack row is the status the page shows.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from clauseten.accounts.roles import Role
from clauseten.events import services as events
from clauseten.events.models import Event
from clauseten.nonconformities.models import Attachment, Nonconformity, State
from clauseten.nonconformities.selectors import nonconformities_visible_to, nonconformity_detail

from .car import render_car_pdf
from .models import EvidencePack

logger = logging.getLogger(__name__)

REGISTER_COLUMNS = ("reference", "title", "management_system", "source", "classification", "state", "detected_on",
                    "reported_at", "reported_by", "owner", "due_date", "closed_at", "requirement", "area",
                    "root_cause_method", "root_cause", "effectiveness_criteria")
EVENT_FIELDS = ("seq", "at", "actor_id", "actor_name", "subject_type", "subject_id", "record", "verb", "changes",
                "comment", "prev_hash", "hash")


def app_version() -> str:
    try:
        return version("clauseten")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def can_request_pack(user) -> bool:
    """Auditors export evidence; managers and admins prepare it for them."""
    return user.is_authenticated and user.is_active and user.has_role(Role.AUDITOR, Role.MANAGER, Role.ADMIN)


@dataclass
class PackFilter:
    """Which NCs go into a pack: reported between two dates, of a management system, in some states."""

    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    management_system: int | None = None
    state: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query) -> "PackFilter":
        """From a page's or the API's query string; a malformed date is a field error, not a 500."""
        errors, dates = {}, {}
        for name in ("reported_from", "reported_to"):
            raw = (query.get(name) or "").strip()
            try:
                dates[name] = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[name] = "Give a date as YYYY-MM-DD."
        system = str(query.get("management_system") or "").strip()
        if system and not system.isdigit():
            errors["management_system"] = "Choose a management system."
        states = query.getlist("state") if hasattr(query, "getlist") else list(query.get("state") or [])
        unknown = [s for s in states if s not in State.values]
        if unknown:
            errors["state"] = f"Unknown state(s): {', '.join(unknown)}."
        if not errors and dates["reported_from"] and dates["reported_to"] and \
                dates["reported_from"] > dates["reported_to"]:
            errors["reported_to"] = "The period ends before it starts."
        if errors:
            raise ValidationError(errors)
        return cls(management_system=int(system) if system else None, state=sorted(set(states)), **dates)

    def as_json(self) -> dict:
        return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in asdict(self).items()}

    def describe(self) -> str:
        """For people: 'reported 2026-01-01 to 2026-03-31; ISMS; closed, verifying' (or 'everything')."""
        parts = []
        if self.reported_from or self.reported_to:
            parts.append(f"reported {self.reported_from or '…'} to {self.reported_to or '…'}")
        if self.management_system:
            from clauseten.catalog.models import ManagementSystem

            parts.append(str(ManagementSystem.objects.filter(pk=self.management_system).first() or "unknown system"))
        if self.state:
            parts.append(", ".join(self.state))
        return "; ".join(parts) or "everything"

    @classmethod
    def from_json(cls, values: dict) -> "PackFilter":
        return cls.from_query({**values, "reported_from": values.get("reported_from") or "",
                               "reported_to": values.get("reported_to") or ""})


def nonconformities_for_pack(user, filters: PackFilter) -> QuerySet[Nonconformity]:
    rows = nonconformities_visible_to(user)
    if filters.reported_from:
        rows = rows.filter(reported_at__date__gte=filters.reported_from)
    if filters.reported_to:
        rows = rows.filter(reported_at__date__lte=filters.reported_to)
    if filters.management_system:
        rows = rows.filter(management_system_id=filters.management_system)
    if filters.state:
        rows = rows.filter(state__in=filters.state)
    return rows.select_related("management_system", "reported_by", "owner").order_by("reference")


def packs_of(user) -> QuerySet[EvidencePack]:
    """A pack is seen by the one who asked for it, while they still may ask."""
    if not can_request_pack(user):
        return EvidencePack.objects.none()
    return EvidencePack.objects.filter(requested_by=user)


# --- writes -------------------------------------------------------------------------------------------------

@transaction.atomic
def evidence_pack_request(*, actor, filters: PackFilter) -> EvidencePack:
    """Ask for a pack; it is built once the request is committed. The request itself is in the history."""
    if not can_request_pack(actor):
        raise PermissionDenied("Evidence packs are for auditors, managers and admins.")
    pack = EvidencePack.objects.create(requested_by=actor, filters=filters.as_json())
    events.record(actor=actor, subject=pack, verb="evidence_pack.requested", after={"filters": pack.filters})
    transaction.on_commit(lambda: build_evidence_pack.enqueue(pack.pk))
    return pack


def fresh_pack(user, filters: PackFilter) -> EvidencePack | None:
    """The user's pack for the same filters that nothing has happened since (same chain head), if any.

    Building and failing packs count as well, so asking twice does not build twice.
    """
    head_seq, _ = events.chain_head()
    for pack in packs_of(user).filter(filters=filters.as_json())[:5]:
        if pack.status == EvidencePack.Status.BUILDING or (pack.status == EvidencePack.Status.READY
                                                           and pack.chain_seq == head_seq):
            return pack
    return None


@task()
def build_evidence_pack(pack_id: int) -> str:
    """Background task: build the ZIP into storage and mark the pack ready (or failed, with the reason)."""
    pack = EvidencePack.objects.select_related("requested_by").get(pk=pack_id)
    try:
        with tempfile.TemporaryFile() as spool:
            summary = write_pack(pack, spool)
            spool.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: spool.read(1 << 20), b""):
                digest.update(chunk)
            spool.seek(0)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            # Not an event: the pack is derived from records already in the history; its request is the event.
            pack.file.save(f"evidence-pack-{pack.pk}-{stamp}.zip", File(spool), save=False)
            pack.size, pack.sha256 = pack.file.size, digest.hexdigest()
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=EvidencePack.Status.READY, file=pack.file.name, size=pack.size, sha256=pack.sha256,
            nc_count=summary["nonconformities"], chain_seq=summary["head"]["seq"],
            chain_intact=summary["verify"]["intact"], finished_at=timezone.now())
        return EvidencePack.Status.READY
    except Exception as exc:  # the page must say it failed, not spin for ever
        logger.exception("Evidence pack %s failed", pack_id)
        EvidencePack.objects.filter(pk=pack.pk).update(status=EvidencePack.Status.FAILED, error=str(exc)[:2000],
                                                       finished_at=timezone.now())
        return EvidencePack.Status.FAILED


# --- the ZIP --------------------------------------------------------------------------------------------------

class _ManifestZip:
    """A ZIP writer that remembers the SHA-256 of every member, for MANIFEST.sha256."""

    def __init__(self, fileobj):
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)
        self.hashes: dict[str, str] = {}

    def write(self, name: str, content: bytes) -> None:
        self.zip.writestr(name, content)
        self.hashes[name] = hashlib.sha256(content).hexdigest()

    def write_chunks(self, name: str, chunks) -> str:
        digest = hashlib.sha256()
        with self.zip.open(name, "w") as member:
            for chunk in chunks:
                digest.update(chunk)
                member.write(chunk)
        self.hashes[name] = digest.hexdigest()
        return self.hashes[name]

    def close(self) -> None:
        manifest = "".join(f"{sha}  {name}\n" for name, sha in sorted(self.hashes.items()))
        self.zip.writestr("MANIFEST.sha256", manifest)
        self.zip.close()


def write_pack(pack: EvidencePack, fileobj) -> dict:
    """Write the pack for `pack.requested_by` and `pack.filters` into `fileobj`; return what chain.json says."""
    user = pack.requested_by
    ncs = nonconformities_for_pack(user, PackFilter.from_json(pack.filters))
    out = _ManifestZip(fileobj)
    try:
        summary = _write_contents(out, user, ncs, pack.filters)
    finally:
        out.close()
    return summary


def _write_contents(out: "_ManifestZip", user, ncs, filters: dict) -> dict:
    out.write("register.csv", _register_csv(ncs))
    count = 0
    for reference in ncs.values_list("reference", flat=True).iterator():
        out.write(f"car/{reference}.pdf", render_car_pdf(nonconformity_detail(user, reference)))
        count += 1
    out.write("events.jsonl", _events_jsonl(ncs))
    mismatches = _write_attachments(out, ncs)
    head_seq, head_hash = events.chain_head()
    summary = {
        "generated_at": timezone.now().isoformat(), "app_version": app_version(),
        "requested_by": user.get_username(), "filters": filters, "nonconformities": count,
        "head": {"seq": head_seq, "hash": head_hash},
        "verify": events.verify_chain().as_dict(),
        "evidence_mismatches": mismatches,
    }
    out.write("chain.json", json.dumps(summary, indent=2, sort_keys=True).encode())
    return summary


def _register_csv(ncs) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REGISTER_COLUMNS)
    for nc in ncs.iterator():
        writer.writerow([nc.reference, nc.title, nc.management_system.name, nc.get_source_display(),
                         nc.classification, nc.state, nc.detected_on, nc.reported_at.isoformat(),
                         nc.reported_by.get_username(), nc.owner.get_username() if nc.owner else "",
                         nc.due_date or "", nc.closed_at.isoformat() if nc.closed_at else "", nc.requirement,
                         nc.area, nc.root_cause_method, nc.root_cause, nc.effectiveness_criteria])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def _events_jsonl(ncs) -> bytes:
    """Every event of the pack's NCs, exactly as hashed: each line's hash can be recomputed offline."""
    rows = Event.objects.filter(record__in=ncs.values("reference")).order_by("seq").values_list(*EVENT_FIELDS)
    lines = []
    for row in rows.iterator(chunk_size=2000):
        values = dict(zip(EVENT_FIELDS, row, strict=True))
        values["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
        lines.append(json.dumps(values, sort_keys=True, ensure_ascii=False))
    return ("\n".join(lines) + "\n" if lines else "").encode()


def _write_attachments(out: _ManifestZip, ncs) -> list[dict]:
    """Copy every evidence file; list those whose content no longer has the SHA-256 recorded at upload."""
    mismatches, seen = [], set()
    files = (Attachment.objects.filter(nonconformity__in=ncs.values("pk")).select_related("nonconformity")
             .order_by("nonconformity__reference", "uploaded_at", "id"))
    for attachment in files.iterator():
        name = f"attachments/{attachment.nonconformity.reference}/{attachment.sha256}-{attachment.name}"
        if name in seen:  # the same file attached twice is one file in the pack
            continue
        seen.add(name)
        with attachment.file.open("rb") as source:
            actual = out.write_chunks(name, source.chunks())
        if actual != attachment.sha256:
            mismatches.append({"file": name, "recorded": attachment.sha256, "actual": actual})
    return mismatches
