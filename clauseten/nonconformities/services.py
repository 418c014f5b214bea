"""Every write to nonconformities, actions and evidence (ISO/IEC 27001 / 42001 / ISO 9001 clause 10.2).

One function per business operation, each in one transaction, each emitting its event.
Pages, API, CLI and import call these and never save a model themselves.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clauseten.catalog.models import ManagementSystem
from clauseten.events import services as events
from clauseten.lib.errors import check_version
from clauseten.lib.uploads import check_upload

from . import lifecycle, permissions
from .models import (
    Action,
    Approval,
    Attachment,
    Comment,
    EffectivenessReview,
    Nonconformity,
    NonconformityLink,
    State,
)
from .references import next_reference

# What the reporter describes; what the manager and owner add as the record is worked.
REPORT_FIELDS = ("title", "description", "requirement", "area", "detected_on", "source")
WORK_FIELDS = ("correction", "consequences", "root_cause", "root_cause_method", "cause_category",
               "extent_of_condition", "effectiveness_criteria", "effectiveness_review_due")
MANAGER_FIELDS = ("classification", "owner", "correction_due", "due_date")
EDITABLE_FIELDS = REPORT_FIELDS + MANAGER_FIELDS + WORK_FIELDS


def snapshot(instance, fields: Iterable[str]) -> dict:
    """Field values as they go into an event; related objects by their human name."""
    values = {}
    for name in fields:
        value = getattr(instance, name)
        if hasattr(value, "_meta"):
            value = getattr(value, "reference", None) or getattr(value, "username", None) or str(value)
        values[name] = value
    return values


def _lock(nc: Nonconformity) -> Nonconformity:
    return (Nonconformity.objects.select_for_update(of=("self",)).select_related("management_system")
            .get(pk=nc.pk))


def _validate(nc: Nonconformity) -> None:
    nc.full_clean(exclude=["reference", "management_system", "reported_by", "owner", "duplicate_of"],
                  validate_unique=False, validate_constraints=False)
    errors = dict(lifecycle.dates_in_order(nc, {}) or {})
    # The database refuses these too (nc_accepted_has_classification_and_owner); say it per field first.
    if nc.state not in (State.REPORTED, State.REJECTED, State.DUPLICATE, State.MOVED):
        if not nc.classification:
            errors.setdefault("classification", "An accepted nonconformity is classified major or minor.")
        if nc.owner_id is None:
            errors.setdefault("owner", "An accepted nonconformity has an owner.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def nonconformity_report(*, actor, title: str, description: str, requirement: str, area: str,
                         detected_on: dt.date, source: str, management_system: ManagementSystem | None = None,
                         files: Iterable = ()) -> Nonconformity:
    """Anyone in scope reports a suspected nonconformity; it waits in 'reported' for triage."""
    permissions.require(permissions.can_report(actor), "Auditors read the register; they do not report into it.")
    management_system = management_system or ManagementSystem.objects.order_by("pk").first()
    if management_system is None:
        raise ValidationError({"management_system": "No management system is set up yet: ask an admin."})
    nc = Nonconformity(management_system=management_system, title=title, description=description,
                       requirement=requirement, area=area, detected_on=detected_on, source=source,
                       reported_by=actor)
    _validate(nc)
    if detected_on > timezone.localdate():
        raise ValidationError({"detected_on": "The detection date cannot be in the future."})
    nc.reference = next_reference("NC")
    nc.save(force_insert=True)
    events.record(actor=actor, subject=nc, verb="nonconformity.reported",
                  after={"state": nc.state, **snapshot(nc, REPORT_FIELDS + ("management_system",))})
    for upload in files:
        attachment_add(actor=actor, nc=nc, upload=upload)
    return nc


@transaction.atomic
def nonconformity_update(*, actor, nc: Nonconformity, version: int | None, changes: dict) -> Nonconformity:
    """Edit the content of a record. Refused if someone saved first (stale version)."""
    nc = _lock(nc)
    permissions.require(permissions.can_edit(actor, nc), "You may not edit this nonconformity.")
    check_version(current=nc.version, expected=version)
    allowed = set(REPORT_FIELDS) if nc.state == State.REPORTED else set(EDITABLE_FIELDS)
    if not permissions.is_manager(actor):
        allowed -= set(MANAGER_FIELDS)
    refused = sorted(set(changes) - allowed)
    if refused:
        raise ValidationError({name: "This field cannot be changed here." for name in refused})
    before = snapshot(nc, changes)
    for name, value in changes.items():
        setattr(nc, name, value)
    _validate(nc)
    after = snapshot(nc, changes)
    if after == before:
        return nc
    nc.version += 1
    nc.save()
    events.record(actor=actor, subject=nc, verb="nonconformity.updated", before=before, after=after)
    return nc


@transaction.atomic
def nonconformity_transition(*, actor, nc: Nonconformity, to: str | None = None, name: str | None = None,
                             comment: str = "", version: int | None = None, **step) -> Nonconformity:
    """Move an NC along its lifecycle; refuses what the table, a role rule or a guard forbids."""
    nc = _lock(nc)
    check_version(current=nc.version, expected=version)
    transition = lifecycle.by_name(nc.state, name) if name else lifecycle.find(nc.state, to)
    permissions.require(permissions.may_transition(actor, transition, nc),
                        f"Your role may not '{transition.label}' this nonconformity.")
    unknown = sorted(set(step) - set(transition.fields))
    if unknown:
        raise ValidationError({field: f"'{transition.label}' does not take this field." for field in unknown})

    columns = [f for f in transition.fields if f not in lifecycle.STEP_ONLY_FIELDS]
    tracked = ["state", *columns]
    before = snapshot(nc, tracked)
    for field in columns:
        if field in step and step[field] not in (None, ""):
            setattr(nc, field, step[field])
    missing = {field: "This step needs this field." for field in transition.required
               if field in lifecycle.STEP_ONLY_FIELDS and not step.get(field)
               or field not in lifecycle.STEP_ONLY_FIELDS and getattr(nc, field) in (None, "")}
    if transition.comment_required and not comment.strip():
        missing["comment"] = "Give the reason."
    if missing:
        raise ValidationError(missing)
    _validate(nc)
    errors = transition.check_guards(nc, step)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    _step_effects(actor=actor, nc=nc, transition=transition, step=step, now=now)
    nc.state, nc.state_changed_at, nc.version = transition.target, now, nc.version + 1
    nc.save()
    events.record(actor=actor, subject=nc, verb=transition.verb, before=before,
                  after={**snapshot(nc, tracked), **{k: v for k, v in step.items() if k in lifecycle.STEP_ONLY_FIELDS}},
                  comment=comment)
    return nc


def _step_effects(*, actor, nc: Nonconformity, transition, step: dict, now) -> None:
    """What a step records besides the NC's own fields: a containment time, a review, an OFI."""
    if transition.name == "record_correction" and nc.contained_at is None:
        nc.contained_at = now
    elif transition.name in ("close", "reopen"):
        verdict = (EffectivenessReview.Verdict.EFFECTIVE if transition.name == "close"
                   else EffectivenessReview.Verdict.NOT_EFFECTIVE)
        EffectivenessReview.objects.create(nonconformity=nc, verdict=verdict, criteria=nc.effectiveness_criteria,
                                           notes=step.get("review_notes", ""), reviewed_by=actor, reviewed_at=now)
        nc.closed_at = now if transition.name == "close" else None
    elif transition.name == "move_to_improvements":
        from clauseten.improvements.services import improvement_from_nonconformity

        improvement_from_nonconformity(actor=actor, nc=nc, kind=step["improvement_kind"])


@transaction.atomic
def nonconformity_approve(*, actor, nc: Nonconformity, kind: str, comment: str = "") -> Approval:
    """An approver signs off the plan or the closure; never on a record where they own the NC or an action."""
    nc = _lock(nc)
    if kind not in Approval.Kind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(Approval.Kind.values)}."})
    permissions.require(permissions.can_approve(actor, nc, kind),
                        "You may not approve this: you need the approver role, the step must be waiting for "
                        "approval, and you must own neither the nonconformity nor any of its actions.")
    approval = Approval.objects.create(nonconformity=nc, kind=kind, approver=actor, comment=comment)
    events.record(actor=actor, subject=nc, verb=f"nonconformity.approved_{kind}", after={"approval": kind},
                  comment=comment)
    return approval


@transaction.atomic
def nonconformity_link(*, actor, nc: Nonconformity, target: Nonconformity, kind: str = "similar") -> NonconformityLink:
    """Extent of condition (10.2 b): record that a similar NC exists elsewhere, or that this one recurs."""
    nc = _lock(nc)
    permissions.require(permissions.can_link(actor, nc), "You may not link records on this nonconformity.")
    if target.pk == nc.pk:
        raise ValidationError({"target": "A record cannot be linked to itself."})
    if kind not in NonconformityLink.Kind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(NonconformityLink.Kind.values)}."})
    if NonconformityLink.objects.filter(source=nc, target=target).exists():
        raise ValidationError({"target": f"{target.reference} is already linked."})
    link = NonconformityLink.objects.create(source=nc, target=target, kind=kind, created_by=actor)
    events.record(actor=actor, subject=nc, verb="nonconformity.linked", after={"link": target.reference, "kind": kind})
    return link


@transaction.atomic
def comment_add(*, actor, nc: Nonconformity, body: str) -> Comment:
    permissions.require(permissions.can_comment(actor, nc), "You may not comment on this nonconformity.")
    if not body.strip():
        raise ValidationError({"body": "Write something."})
    comment = Comment(nonconformity=nc, author=actor, body=body.strip())
    comment.full_clean(exclude=["nonconformity", "author"])
    comment.save()
    events.record(actor=actor, subject=comment, verb="comment.added", after={"body": comment.body})
    return comment


# --- corrective actions -----------------------------------------------------------------------------------

def _lock_action(action: Action) -> Action:
    return Action.objects.select_for_update(of=("self",)).select_related("nonconformity").get(pk=action.pk)


@transaction.atomic
def action_plan(*, actor, nc: Nonconformity, description: str, owner, due_date: dt.date) -> Action:
    """Plan a corrective action (10.2 c) with an owner and a due date."""
    nc = _lock(nc)
    permissions.require(permissions.can_plan_action(actor, nc), "You may not plan actions on this nonconformity.")
    action = Action(nonconformity=nc, description=description, owner=owner, due_date=due_date, created_by=actor)
    action.full_clean(exclude=["nonconformity", "owner", "created_by"])
    if owner is None:
        raise ValidationError({"owner": "Name who carries out the action."})
    if due_date < nc.detected_on:
        raise ValidationError({"due_date": "The action is due before the nonconformity was detected."})
    action.save()
    events.record(actor=actor, subject=action, verb="action.planned",
                  after=snapshot(action, ("description", "owner", "due_date")))
    return action


@transaction.atomic
def action_update(*, actor, action: Action, version: int | None, changes: dict) -> Action:
    """Reassign, reschedule or reword an open action."""
    action = _lock_action(action)
    permissions.require(permissions.can_cancel_action(actor, action), "You may not change this action.")
    check_version(current=action.version, expected=version)
    refused = sorted(set(changes) - {"description", "owner", "due_date"})
    if refused:
        raise ValidationError({name: "This field cannot be changed here." for name in refused})
    before = snapshot(action, changes)
    for name, value in changes.items():
        setattr(action, name, value)
    action.full_clean(exclude=["nonconformity", "owner", "created_by"])
    after = snapshot(action, changes)
    if after != before:
        action.version += 1
        action.save()
        events.record(actor=actor, subject=action, verb="action.updated", before=before, after=after)
    return action


@transaction.atomic
def action_complete(*, actor, action: Action, note: str, files: Iterable = (), version: int | None = None) -> Action:
    """The action's owner records what was done, with evidence."""
    action = _lock_action(action)
    permissions.require(permissions.can_complete_action(actor, action),
                        "Only the action's owner completes it, while it is open.")
    check_version(current=action.version, expected=version)
    if not note.strip():
        raise ValidationError({"note": "Say what was done."})
    action.status, action.completion_note, action.completed_at = Action.Status.DONE, note.strip(), timezone.now()
    action.version += 1
    action.full_clean(exclude=["nonconformity", "owner", "created_by"])
    action.save()
    for upload in files:
        attachment_add(actor=actor, nc=action.nonconformity, upload=upload, action=action)
    events.record(actor=actor, subject=action, verb="action.completed", before={"status": "planned"},
                  after={"status": "done", "note": action.completion_note})
    return action


@transaction.atomic
def action_cancel(*, actor, action: Action, reason: str, version: int | None = None) -> Action:
    """Withdraw an action, with the reason; it stays in the record."""
    action = _lock_action(action)
    permissions.require(permissions.can_cancel_action(actor, action), "You may not cancel this action.")
    check_version(current=action.version, expected=version)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for cancelling."})
    action.status, action.cancel_reason = Action.Status.CANCELLED, reason.strip()
    action.version += 1
    action.save()
    events.record(actor=actor, subject=action, verb="action.cancelled", before={"status": "planned"},
                  after={"status": "cancelled"}, comment=action.cancel_reason)
    return action


# --- evidence ---------------------------------------------------------------------------------------------

@transaction.atomic
def attachment_add(*, actor, nc: Nonconformity, upload, action: Action | None = None) -> Attachment:
    """Store an evidence file with its SHA-256. Never replaces a file: a new version is a new attachment."""
    permissions.require(permissions.can_attach(actor, nc), "You may not add evidence to this nonconformity.")
    if action is not None and action.nonconformity_id != nc.pk:
        raise ValidationError({"action": f"{nc.reference} has no action {action.pk}."})
    checked = check_upload(upload)
    attachment = Attachment(nonconformity=nc, action=action, name=checked.name, content_type=checked.content_type,
                            size=checked.size, sha256=checked.sha256, uploaded_by=actor)
    # If the transaction later fails, the stored file is an orphan named by its hash: harmless, never served.
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    events.record(actor=actor, subject=attachment, verb="attachment.added",
                  after={"name": attachment.name, "sha256": attachment.sha256, "size": attachment.size,
                         "action": action.pk if action else None})
    return attachment
