"""Writing the history. Every service of every app calls `record` inside its own transaction."""

from dataclasses import dataclass
from datetime import UTC

from django.db import models, transaction
from django.utils import timezone

from .chain import GENESIS, canonical, event_hash
from .models import ChainHead, Event


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [before, after]} for the fields whose value changed (or that only one side names)."""
    before, after = canonical(before or {}), canonical(after or {})
    return {key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)}


def record(*, actor, subject: models.Model, verb: str, before: dict | None = None, after: dict | None = None,
           comment: str = "", record: str = "") -> Event:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events.record must run inside the business operation's transaction")
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    # Microsecond UTC timestamps survive every database round trip unchanged, so the hash stays checkable.
    event = Event(
        seq=head.seq + 1,
        at=timezone.now().astimezone(UTC),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None and actor.pk else "system"),
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        record=record or getattr(subject, "reference", "") or "",
        verb=verb,
        changes=diff(before, after),
        comment=comment or "",
        prev_hash=head.hash,
    )
    event.hash = event_hash(
        prev_hash=event.prev_hash, seq=event.seq, at=event.at, actor_id=event.actor_id,
        actor_name=event.actor_name, subject_type=event.subject_type, subject_id=event.subject_id,
        record=event.record, verb=event.verb, changes=event.changes, comment=event.comment,
    )
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    count: int
    intact: bool
    problem: str = ""
    seq: int | None = None

    def __str__(self) -> str:
        if self.intact:
            return f"{self.count} events, chain intact"
        return f"chain broken at event #{self.seq}: {self.problem}"

    def as_dict(self) -> dict:
        return {"count": self.count, "intact": self.intact, "problem": self.problem, "seq": self.seq,
                "summary": str(self)}


def chain_head() -> tuple[int, str]:
    """(seq, hash) of the newest event as the chain head names it; (0, GENESIS) before the first event."""
    return ChainHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS)


def verify_chain(chunk_size: int = 5000) -> ChainReport:
    """Walk every event in order and recompute its hash (ISO/IEC 27001 7.5.3: protection of records).

    Lock-free, so writers carry on: the head is read before and after the walk. Events appended meanwhile
    are fine; events beyond the head as it stands after the walk were not written by `record` (inserted),
    and a head naming an event the walk did not find means the newest events were removed.
    """
    fields = ("seq", "at", "actor_id", "actor_name", "subject_type", "subject_id", "record", "verb",
              "changes", "comment", "prev_hash", "hash")
    first_head = chain_head()
    prev_hash, expected_seq, count, hash_at_first_head = GENESIS, 1, 0, GENESIS
    for row in Event.objects.order_by("seq").values_list(*fields).iterator(chunk_size=chunk_size):
        seq, at, actor_id, actor_name, subject_type, subject_id, record_, verb, changes, comment, prev, stored = row
        if seq != expected_seq:
            # seq is unique, so a lower number than expected cannot happen; a higher one means a gap.
            return ChainReport(count, False, f"event #{expected_seq} before it was removed", seq)
        if prev != prev_hash:
            return ChainReport(count, False, "it does not follow the event before it (removed or inserted)", seq)
        computed = event_hash(prev_hash=prev, seq=seq, at=at.astimezone(UTC), actor_id=actor_id,
                              actor_name=actor_name, subject_type=subject_type, subject_id=subject_id,
                              record=record_, verb=verb, changes=changes, comment=comment)
        if computed != stored:
            return ChainReport(count, False, "its content was altered", seq)
        prev_hash, expected_seq, count = stored, expected_seq + 1, count + 1
        if seq == first_head[0]:
            hash_at_first_head = stored
    last_head = chain_head()
    if count < first_head[0]:
        return ChainReport(count, False, "it was removed: the chain head names it, the newest events are gone",
                           count + 1)
    if count > last_head[0]:
        return ChainReport(count, False, "it was inserted after the newest event the chain head names",
                           last_head[0] + 1)
    if hash_at_first_head != first_head[1] or (count == last_head[0] and prev_hash != last_head[1]):
        return ChainReport(count, False, "it does not match the chain head (altered or replaced)", first_head[0])
    return ChainReport(count, True)
