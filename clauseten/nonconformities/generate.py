"""Realistic register data at scale, for benchmarks and load tests (`clauseten generate --ncs 100000`).

The per-record services would take hours at 100 000 records, so this writes rows with `bulk_create` in
batches, each batch in one transaction. It still tells the truth the services would: every record has the
history its state implies, the events are chained in time order with `events.chain.event_hash` (so
`verify_chain()` says intact), references come from the same counters, and the model constraints hold.
Skewed like real registers: a few areas, requirements, owners and reporters carry most records (Zipf).
"""

import datetime as dt
import heapq
import itertools
import random
import time
from bisect import bisect
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from clauseten.accounts.models import User
from clauseten.accounts.roles import Role
from clauseten.catalog.models import ManagementSystem, Requirement
from clauseten.events.chain import event_hash
from clauseten.events.models import ChainHead, Event
from clauseten.events.services import diff
from clauseten.improvements.models import Improvement

from .models import (
    Action,
    Approval,
    Classification,
    Comment,
    EffectivenessReview,
    Nonconformity,
    ReferenceSequence,
    RootCauseMethod,
    Source,
    State,
)
from .services import REPORT_FIELDS, snapshot

DAY = dt.timedelta(days=1)
AREAS = ["IT operations", "Service desk", "HR / onboarding", "HR / offboarding", "Finance", "Procurement",
         "Reception", "Data centre", "Platform team", "Software development", "Data science", "Legal",
         "Facilities", "Customer support", "Sales", "Marketing", "Network", "Identity and access", "Payroll",
         "Warehouse", "Logistics", "Quality lab", "Production line 1", "Production line 2", "Suppliers",
         "Cloud hosting", "Mobile devices", "Records office", "Training", "Internal audit"]
FALLBACK_REQUIREMENTS = ["ISO/IEC 27001:2022 A.5.15 Access control", "ISO/IEC 27001:2022 A.5.18 Access rights",
                         "ISO/IEC 27001:2022 A.8.13 Information backup", "ISO/IEC 27001:2022 A.7.2 Physical entry",
                         "ISO/IEC 27001:2022 7.2 Competence", "ISO 9001:2015 8.4 Control of external providers",
                         "ISO/IEC 42001:2023 A.6.2.7 AI system documentation", "Clear desk and screen policy",
                         "Change management procedure CM-02", "GDPR Art. 32 Security of processing"]
WHAT = ["left unlocked", "not reviewed on time", "missing from the register", "shared between staff",
        "not tested", "approved by the requester", "without an owner", "kept after leaving", "not encrypted",
        "documented in an outdated version"]
THINGS = ["Laptop", "Access rights review", "Backup restore", "Supplier contract", "Firewall rule", "Visitor badge",
          "Model card", "Change request", "Admin account", "Risk assessment", "Training record", "Calibration"]
# Outcome of triage, and how often: most reports are real nonconformities.
TRIAGE = [("accept", 80), ("reject", 9), ("mark_duplicate", 5), ("move_to_improvements", 6)]


class RegisterNotEmpty(Exception):
    pass


@dataclass
class Summary:
    ncs: int = 0
    actions: int = 0
    events: int = 0
    users: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"{self.ncs} nonconformities, {self.actions} actions, {self.events} events, {self.users} people "
                f"in {self.seconds:.1f} s")


class Zipf:
    """Pick from a list with Zipf-like weights: the first items are much busier than the last."""

    def __init__(self, items, rng: random.Random, exponent: float = 1.1):
        self.items, self.rng = list(items), rng
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(len(self.items))))

    def pick(self):
        return self.items[bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]


def _people(count: int, rng: random.Random) -> dict[str, list[User]]:
    """Users by role, created once (`gen-<role>-<n>`), reused by --append; unusable passwords (log in via admin)."""
    plan = {Role.MANAGER: 4, Role.APPROVER: 4, Role.REVIEW_TEAM: 3, Role.AUDITOR: 2,
            Role.ACTION_OWNER: max(8, count * 2 // 5)}
    plan[Role.REPORTER] = max(8, count - sum(plan.values()))
    password = make_password(None)
    existing = set(User.objects.filter(username__startswith="gen-").values_list("username", flat=True))
    new_users, memberships = [], []
    for role, how_many in plan.items():
        for n in range(1, how_many + 1):
            username = f"gen-{role.value.replace('_', '-')}-{n}"
            if username not in existing:
                new_users.append((role, User(username=username, password=password, first_name=role.label,
                                             last_name=str(n), email=f"{username}@example.test")))
    User.objects.bulk_create([user for _, user in new_users], batch_size=500)
    ids = dict(User.objects.filter(username__in=[u.username for _, u in new_users]).values_list("username", "id"))
    for role, user in new_users:
        group, _ = Group.objects.get_or_create(name=role.value)
        memberships.append(User.groups.through(user_id=ids[user.username], group_id=group.pk))
    User.groups.through.objects.bulk_create(memberships, batch_size=500)
    by_role = {role: list(User.objects.filter(username__startswith=f"gen-{role.value.replace('_', '-')}-")
                          .order_by("id")) for role in plan}
    for users in by_role.values():
        rng.shuffle(users)  # so the busiest owner is not always number 1
    return by_role


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


class Writer:
    """Collects rows and events; writes a batch per transaction, events in time order, chained."""

    MODELS = (Nonconformity, Improvement, Action, Comment, Approval, EffectivenessReview)

    def __init__(self):
        self.rows = {model: [] for model in self.MODELS}
        self.ids = {model: _next_id(model) for model in self.MODELS}
        self.pending: list = []  # heap of (at, tie, event fields)
        self.tie = itertools.count()
        head = ChainHead.objects.filter(pk=1).first()
        self.seq, self.prev_hash = (head.seq, head.hash) if head else (0, "0" * 64)
        self.written_events = 0

    def new_id(self, model) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value

    def add(self, row) -> None:
        self.rows[type(row)].append(row)

    def event(self, at, actor: User, subject_type: str, subject_id, record: str, verb: str,
              before=None, after=None, comment: str = "") -> None:
        heapq.heappush(self.pending, (at, next(self.tie), (actor, subject_type, str(subject_id), record, verb,
                                                           diff(before, after), comment)))

    def flush(self, until=None) -> None:
        """Write the collected rows, and the events dated before `until` (all of them if None)."""
        events = []
        while self.pending and (until is None or self.pending[0][0] < until):
            at, _, (actor, subject_type, subject_id, record, verb, changes, comment) = heapq.heappop(self.pending)
            self.seq += 1
            digest = event_hash(prev_hash=self.prev_hash, seq=self.seq, at=at, actor_id=actor.pk,
                                actor_name=actor.username, subject_type=subject_type, subject_id=subject_id,
                                record=record, verb=verb, changes=changes, comment=comment)
            events.append(Event(seq=self.seq, at=at, actor_id=actor.pk, actor_name=actor.username,
                                subject_type=subject_type, subject_id=subject_id, record=record, verb=verb,
                                changes=changes, comment=comment, prev_hash=self.prev_hash, hash=digest))
            self.prev_hash = digest
        with transaction.atomic():
            for model in self.MODELS:
                model.objects.bulk_create(self.rows[model], batch_size=1000)
                self.rows[model] = []
            Event.objects.bulk_create(events, batch_size=1000)
            ChainHead.objects.update_or_create(pk=1, defaults={"seq": self.seq, "hash": self.prev_hash})
        self.written_events += len(events)

    def finish(self) -> None:
        self.flush()
        # Rows were written with their ids; PostgreSQL's sequences must move past them.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.MODELS))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # Fresh statistics and visibility map now, not whenever autovacuum wakes: the planner needs
                # them to choose the register's indexes, and index-only scans need the visibility map.
                tables = [model._meta.db_table for model in (*self.MODELS, Event)]
                cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


class References:
    """NC-2026-0042 and OFI-2026-0007, numbered per year from the same counters the services use."""

    def __init__(self):
        self.last = Counter(dict(ReferenceSequence.objects.values_list("key", "last")))

    def next(self, prefix: str, year: int) -> str:
        key = f"{prefix}-{year}"
        self.last[key] += 1
        return f"{key}-{self.last[key]:04d}"

    def save(self) -> None:
        for key, last in self.last.items():
            ReferenceSequence.objects.update_or_create(key=key, defaults={"last": last})


NC, ACTION, COMMENT, OFI = ("nonconformities.nonconformity", "nonconformities.action", "nonconformities.comment",
                            "improvements.improvement")


class Story:
    """One nonconformity's life, told up to now: its row, its parts and the events its state implies.

    Mirrors what the services record (same verbs, same before/after fields), so pages and history read alike.
    """

    def __init__(self, *, rng, now, system, people, writer, references, areas, requirements):
        self.rng, self.now, self.system, self.writer, self.references = rng, now, system, writer, references
        self.areas, self.requirements = areas, requirements
        self.managers, self.approvers = people[Role.MANAGER], people[Role.APPROVER]
        self.owners = Zipf(people[Role.ACTION_OWNER], rng)
        self.reporters = Zipf(people[Role.REPORTER] + people[Role.ACTION_OWNER], rng)
        self.originals: list[tuple[int, str]] = []  # accepted records a later report may duplicate
        self.actions = 0

    def later(self, at, mean_days: float, slow: float = 1):
        """`at` plus an exponential delay; None once it would be in the future (the story stops there)."""
        at = at + dt.timedelta(days=self.rng.expovariate(1 / mean_days) * slow)
        return at if at <= self.now else None

    def transition(self, nc, at, actor, name: str, target: str, fields: dict | None = None, step: dict | None = None,
                   comment: str = "") -> None:
        tracked = ["state", *(fields or {})]
        before = snapshot(nc, tracked)
        for field, value in (fields or {}).items():
            setattr(nc, field, value)
        nc.state, nc.state_changed_at, nc.version = target, at, nc.version + 1
        self.writer.event(at, actor, NC, nc.id, nc.reference, f"nonconformity.{name}", before,
                          {**snapshot(nc, tracked), **(step or {})}, comment)

    def tell(self, reported_at) -> None:
        rng, writer = self.rng, self.writer
        reporter, manager = self.reporters.pick(), rng.choice(self.managers)
        area, source = self.areas.pick(), rng.choice(Source.values)
        title = f"{rng.choice(THINGS)} {rng.choice(WHAT)}"
        nc = Nonconformity(
            id=writer.new_id(Nonconformity), reference=self.references.next("NC", reported_at.year),
            management_system=self.system, title=title, area=area, requirement=self.requirements.pick(),
            description=f"{title} in {area.lower()}; noticed through {Source(source).label.lower()}.",
            detected_on=(reported_at - dt.timedelta(days=rng.randint(0, 6))).date(), source=source,
            reported_by=reporter, reported_at=reported_at, state=State.REPORTED, state_changed_at=reported_at)
        writer.add(nc)
        writer.event(reported_at, reporter, NC, nc.id, nc.reference, "nonconformity.reported",
                     after={"state": State.REPORTED, **snapshot(nc, REPORT_FIELDS + ("management_system",))})
        for _ in range(rng.choice((0, 0, 0, 1, 1))):
            self.comment(nc, rng.choice((reporter, manager)), reported_at)
        slow = 10 if rng.random() < 0.04 else 1  # stalled records: the overdue tail of a real register
        at = self.later(reported_at, 3, slow)
        if at is None:
            return
        outcome = rng.choices([name for name, _ in TRIAGE], [weight for _, weight in TRIAGE])[0]
        if outcome == "mark_duplicate" and self.originals:
            original_id, original_reference = rng.choice(self.originals[-300:])
            self.transition(nc, at, manager, outcome, State.DUPLICATE,
                            {"duplicate_of": Nonconformity(id=original_id, reference=original_reference)})
        elif outcome == "reject":
            self.transition(nc, at, manager, outcome, State.REJECTED,
                            comment="Not a nonconformity: handled as a service request.")
        elif outcome == "move_to_improvements":
            self.move_to_improvements(nc, at, manager)
        else:
            self.work(nc, at, manager, slow)

    def comment(self, nc, author, after) -> None:
        at = self.later(after, 20)
        if at is not None:
            comment = Comment(id=self.writer.new_id(Comment), nonconformity_id=nc.id, author=author, created_at=at,
                              body=self.rng.choice(["Same thing seen last week.", "Who is looking into this?",
                                                    "Attached the log extract to the ticket.", "Thanks, noted."]))
            self.writer.add(comment)
            self.writer.event(at, author, COMMENT, comment.id, nc.reference, "comment.added",
                              after={"body": comment.body})

    def move_to_improvements(self, nc, at, manager) -> None:
        kind = self.rng.choice(Improvement.Kind.values)
        improvement = Improvement(
            id=self.writer.new_id(Improvement), reference=self.references.next("OFI", at.year), kind=kind,
            management_system=self.system, title=nc.title, description=nc.description, source=nc.source,
            state_changed_at=at, origin_nonconformity_id=nc.id, created_by=manager, created_at=at)
        self.writer.add(improvement)
        self.writer.event(at, manager, OFI, improvement.id, improvement.reference, "improvement.proposed",
                          after={**snapshot(improvement, ("kind", "title", "description", "source",
                                                          "management_system")), "origin": nc.reference})
        self.transition(nc, at, manager, "move_to_improvements", State.MOVED, step={"improvement_kind": kind})

    def approve(self, nc, at, kind: str) -> None:
        approver = self.rng.choice(self.approvers)  # approvers own no actions, so never approve their own work
        self.writer.add(Approval(nonconformity_id=nc.id, kind=kind, approver=approver, approved_at=at,
                                 id=self.writer.new_id(Approval)))
        self.writer.event(at, approver, NC, nc.id, nc.reference, f"nonconformity.approved_{kind}",
                          after={"approval": kind})

    def work(self, nc, at, manager, slow: float) -> None:
        """Accepted: correction, investigation, actions, effectiveness review; a failed review goes round again."""
        rng, writer = self.rng, self.writer
        major = rng.random() < 0.2
        owner = self.owners.pick()
        self.transition(nc, at, manager, "accept", State.OPEN, {
            "classification": Classification.MAJOR if major else Classification.MINOR, "owner": owner,
            "correction_due": at.date() + dt.timedelta(days=7),
            "due_date": at.date() + dt.timedelta(days=45 if major else 90)})
        self.originals.append((nc.id, nc.reference))
        if (at := self.later(at, 7, slow)) is None:
            return
        nc.contained_at = at
        self.transition(nc, at, owner, "record_correction", State.INVESTIGATING, {
            "correction": "Contained: access removed and the affected items checked.",
            "consequences": "No information was disclosed (logs reviewed)."})
        for round_ in range(3):
            actions = []
            for _ in range(1 if round_ else max(1, min(6, round(rng.gauss(3, 1.2))))):
                if (at := self.later(at, 2, slow)) is None:
                    return
                action = Action(id=writer.new_id(Action), nonconformity_id=nc.id, owner=self.owners.pick(),
                                description=f"Update the procedure for {nc.area.lower()} and brief the team.",
                                due_date=at.date() + dt.timedelta(days=rng.choice((14, 30, 45, 60))),
                                created_by=owner, created_at=at)
                writer.add(action)
                actions.append(action)
                self.actions += 1
                writer.event(at, owner, ACTION, action.id, nc.reference, "action.planned",
                             after=snapshot(action, ("description", "owner", "due_date")))
            if (at := self.later(at, 5, slow)) is None:
                return
            if self.system.requires_plan_approval:
                self.approve(nc, at, Approval.Kind.PLAN)
            self.transition(nc, at, owner, "start_actions", State.ACTING, {
                "root_cause": "The procedure did not cover this case, so nobody checked it.",
                "root_cause_method": rng.choice(RootCauseMethod.values), "cause_category": "process",
                "extent_of_condition": "Checked the other sites and teams: two similar cases, linked."})
            finished = at
            for action in actions:
                if (done := self.later(at, 20, slow)) is None:
                    continue
                action.version, finished = 2, max(finished, done)
                if rng.random() < 0.05:
                    action.status, action.cancel_reason = Action.Status.CANCELLED, "Superseded by a wider change."
                    writer.event(done, owner, ACTION, action.id, nc.reference, "action.cancelled",
                                 {"status": "planned"}, {"status": "cancelled"}, action.cancel_reason)
                else:
                    action.status, action.completed_at = Action.Status.DONE, done
                    action.completion_note = "Done: procedure updated, team briefed, evidence filed."
                    writer.event(done, action.owner, ACTION, action.id, nc.reference, "action.completed",
                                 {"status": "planned"}, {"status": "done", "note": action.completion_note})
            if any(action.status == Action.Status.PLANNED for action in actions):
                return
            if (at := self.later(finished, 3, slow)) is None:
                return
            review_due = at.date() + dt.timedelta(days=rng.choice((14, 30, 60)))
            self.transition(nc, at, manager, "request_review", State.VERIFYING, {
                "effectiveness_criteria": "No recurrence in the next two monthly checks.",
                "effectiveness_review_due": review_due})
            start_of_due_day = dt.datetime.combine(review_due, dt.time(8), tzinfo=dt.UTC)
            if (at := self.later(start_of_due_day, 4, slow)) is None:
                return
            effective = round_ == 2 or rng.random() > 0.1
            verdict = EffectivenessReview.Verdict.EFFECTIVE if effective else EffectivenessReview.Verdict.NOT_EFFECTIVE
            notes = "Two monthly checks clean." if effective else "The same problem came back in the second check."
            writer.add(EffectivenessReview(id=writer.new_id(EffectivenessReview), nonconformity_id=nc.id,
                                           verdict=verdict, criteria=nc.effectiveness_criteria, notes=notes,
                                           reviewed_by=manager, reviewed_at=at))
            if not effective:
                self.transition(nc, at, manager, "reopen", State.INVESTIGATING, step={"review_notes": notes})
                continue
            if self.system.requires_closure_approval:
                self.approve(nc, at - dt.timedelta(hours=rng.uniform(1, 8)), Approval.Kind.CLOSURE)
            nc.closed_at = at
            self.transition(nc, at, manager, "close", State.CLOSED, step={"verdict": "effective", "review_notes": notes})
            return


def generate(*, ncs: int, seed: int = 0, append: bool = False, years: int = 5, batch: int = 2000,
             progress=None) -> Summary:
    """Write `ncs` nonconformities dated over the last `years` years, with their actions and history."""
    if Nonconformity.objects.exists() and not append:
        raise RegisterNotEmpty("The register already holds nonconformities: generate into an empty database, "
                               "or pass --append to add to it.")
    started, rng = time.monotonic(), random.Random(seed)
    now = timezone.now().astimezone(dt.UTC)
    system = ManagementSystem.objects.order_by("pk").first() or ManagementSystem.objects.create(
        name="ISMS", standards="ISO/IEC 27001:2022", scope="All services (generated data).")
    people = _people(min(1500, max(30, ncs // 60)), rng)
    requirements = [str(r.standard.name) + " " + r.label for r in
                    Requirement.objects.select_related("standard").order_by("standard__name", "position")[:300]]
    story = Story(rng=rng, now=now, system=system, people=people, writer=Writer(), references=References(),
                  areas=Zipf(AREAS, rng), requirements=Zipf(requirements or FALLBACK_REQUIREMENTS, rng))
    span = years * 365 * DAY
    # Volume grows over the years (u ** 0.8 leans towards the recent end).
    moments = sorted(now - span + span * rng.random() ** 0.8 for _ in range(ncs))
    for number, reported_at in enumerate(moments, 1):
        story.writer.flush(until=reported_at) if number % batch == 0 else None
        story.tell(reported_at)
        if progress and number % (batch * 5) == 0:
            progress(f"{number} nonconformities…")
    story.writer.finish()
    story.references.save()
    return Summary(ncs=ncs, actions=story.actions, events=story.writer.written_events,
                   users=sum(len(users) for users in people.values()), seconds=time.monotonic() - started)

