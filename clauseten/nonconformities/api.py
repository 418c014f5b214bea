"""/api/v1/nonconformities, /actions, /attachments, /me/work: the lifecycle of a nonconformity over HTTP.

Each endpoint parses, calls one service or selector, and shapes the answer. Errors are not caught here:
clauseten/api.py maps them (422, 403, 404, 409) once for every app. Records a user may not see are 404, not 403,
so the API cannot be used to probe which references exist.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import FileResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from clauseten.catalog.models import ManagementSystem

from . import lifecycle, selectors, services
from .models import Action, Attachment
from .schemas import (
    ActionCancelIn,
    ActionCompleteIn,
    ActionIn,
    ActionOut,
    ActionPatch,
    ApprovalIn,
    ApprovalOut,
    AttachmentOut,
    CommentIn,
    CommentOut,
    EventOut,
    LinkIn,
    LinkOut,
    MyWorkOut,
    NonconformityDetailOut,
    NonconformityIn,
    NonconformityOut,
    NonconformityPatch,
    RegisterPage,
    RegisterQuery,
    TransitionIn,
)

router = Router(tags=["nonconformities"])


# --- resolving names sent by the client -------------------------------------------------------------------

def _person(field: str, name: str):
    found = get_user_model().objects.filter(username=name, is_active=True).first()
    if found is None:
        raise ValidationError({field: f"No active user '{name}'."})
    return found


def _other_record(request, field: str, reference: str):
    """A record named in a body: only among those the user may see, so a body cannot probe references either."""
    found = selectors.nonconformities_visible_to(request.user).filter(reference=reference.strip().upper()).first()
    if found is None:
        raise ValidationError({field: f"No {reference} that you can see."})
    return found


def _with_people(changes: dict) -> dict:
    if changes.get("owner") is not None:
        changes["owner"] = _person("owner", changes["owner"])
    return changes


# --- reading records --------------------------------------------------------------------------------------

def _record(request, reference: str):
    """The record alone (for writes and the timeline); DoesNotExist -> 404 when the user may not see it."""
    return selectors.nonconformities_visible_to(request.user).get(reference=reference.upper())


def _detail(request, reference: str):
    nc = selectors.nonconformity_detail(request.user, reference.upper())
    nc.next_steps = lifecycle.allowed_for(request.user, nc)
    return nc


def _action(request, action_id: int) -> Action:
    # An action is visible exactly when its nonconformity is.
    visible = selectors.nonconformities_visible_to(request.user)
    return Action.objects.select_related("nonconformity", "owner").filter(nonconformity__in=visible).get(pk=action_id)


LIST_COLUMNS = (*(name for name in NonconformityOut.model_fields if name not in {"is_overdue", "management_system",
                                                                                  "owner", "reported_by"}),
                "management_system__name", "owner__username", "reported_by__username")


@router.get("/nonconformities", response=RegisterPage, summary="The register, filtered and paged")
def list_nonconformities(request, query: Query[RegisterQuery]):
    filters = selectors.RegisterFilter.from_query(request.GET)
    register = selectors.register(request.user, filters)
    count = register.count()  # cached until the next write; counted on the register itself, which names its key
    if query.cursor:
        # Keyset paging: following next_cursor, page 4 000 costs what page 1 costs.
        results, next_cursor = selectors.register_after(request.user, filters, query.cursor, query.page_size)
        return {"count": count, "page": query.page, "page_size": query.page_size,
                "next_cursor": next_cursor, "results": results}
    start = (query.page - 1) * query.page_size
    # Only the columns a row of the list shows: no long texts, and three names from the joined people/system.
    results = list(register.only(*LIST_COLUMNS)[start:start + query.page_size])
    more = filters.sort in selectors.KEYSET and results and start + len(results) < count
    return {"count": count, "page": query.page, "page_size": query.page_size, "results": results,
            "next_cursor": selectors.register_cursor(results[-1], filters.sort) if more else None}


@router.get("/nonconformities/{reference}", response=NonconformityDetailOut,
            summary="One record with its actions, evidence, reviews, approvals, links and next steps")
def get_nonconformity(request, reference: str):
    return _detail(request, reference)


@router.get("/nonconformities/{reference}/events", response=list[EventOut], summary="The record's timeline")
def list_events(request, reference: str):
    return list(selectors.nonconformity_timeline(_record(request, reference)))


@router.get("/me/work", response=MyWorkOut, summary="My open actions (overdue first) and the records I own")
def my_work(request):
    return {"actions": list(selectors.open_actions_of(request.user).select_related("owner")),
            "nonconformities": list(selectors.owned_nonconformities_of(request.user)
                                    .select_related("owner", "reported_by"))}


# --- writing records --------------------------------------------------------------------------------------

@router.post("/nonconformities", response={201: NonconformityDetailOut}, summary="Report a nonconformity")
def report_nonconformity(request, payload: NonconformityIn):
    values = payload.dict()
    system_id = values.pop("management_system")
    system = None
    if system_id is not None:
        system = ManagementSystem.objects.filter(pk=system_id).first()
        if system is None:
            raise ValidationError({"management_system": f"No management system {system_id}."})
    nc = services.nonconformity_report(actor=request.user, management_system=system, **values)
    return Status(201, _detail(request, nc.reference))


@router.patch("/nonconformities/{reference}", response=NonconformityDetailOut,
              summary="Edit a record's content (send the version you read; a stale one is 409)")
def update_nonconformity(request, reference: str, payload: NonconformityPatch):
    changes = _with_people(payload.dict(exclude_unset=True, exclude={"version"}))
    nc = services.nonconformity_update(actor=request.user, nc=_record(request, reference), version=payload.version,
                                       changes=changes)
    return _detail(request, nc.reference)


@router.post("/nonconformities/{reference}/transitions", response=NonconformityDetailOut,
             summary="Take a lifecycle step: {'to': state} or {'step': name}, with the step's fields")
def transition_nonconformity(request, reference: str, payload: TransitionIn):
    nc = _record(request, reference)
    step = _with_people(payload.step_fields())
    if step.get("duplicate_of") is not None:
        step["duplicate_of"] = _other_record(request, "duplicate_of", step["duplicate_of"])
    nc = services.nonconformity_transition(actor=request.user, nc=nc, to=payload.to, name=payload.step,
                                           comment=payload.comment, version=payload.version, **step)
    return _detail(request, nc.reference)


@router.post("/nonconformities/{reference}/approvals", response={201: ApprovalOut},
             summary="Sign off the action plan or the closure")
def approve_nonconformity(request, reference: str, payload: ApprovalIn):
    approval = services.nonconformity_approve(actor=request.user, nc=_record(request, reference), **payload.dict())
    return Status(201, approval)


@router.post("/nonconformities/{reference}/links", response={201: LinkOut},
             summary="Link a similar or earlier record (extent of condition)")
def link_nonconformity(request, reference: str, payload: LinkIn):
    nc = _record(request, reference)
    target = _other_record(request, "target", payload.target)
    link = services.nonconformity_link(actor=request.user, nc=nc, target=target, kind=payload.kind)
    return Status(201, {"reference": target.reference, "kind": link.kind, "direction": "to"})


@router.post("/nonconformities/{reference}/comments", response={201: CommentOut}, summary="Comment on a record")
def comment_nonconformity(request, reference: str, payload: CommentIn):
    comment = services.comment_add(actor=request.user, nc=_record(request, reference), body=payload.body)
    return Status(201, comment)


# --- corrective actions -----------------------------------------------------------------------------------

@router.post("/nonconformities/{reference}/actions", response={201: ActionOut}, summary="Plan a corrective action")
def plan_action(request, reference: str, payload: ActionIn):
    action = services.action_plan(actor=request.user, nc=_record(request, reference),
                                  description=payload.description, owner=_person("owner", payload.owner),
                                  due_date=payload.due_date)
    return Status(201, action)


@router.patch("/actions/{action_id}", response=ActionOut, summary="Reword, reassign or reschedule an open action")
def update_action(request, action_id: int, payload: ActionPatch):
    changes = _with_people(payload.dict(exclude_unset=True, exclude={"version"}))
    return services.action_update(actor=request.user, action=_action(request, action_id), version=payload.version,
                                  changes=changes)


@router.post("/actions/{action_id}/complete", response=ActionOut, summary="Record what was done (the action's owner)")
def complete_action(request, action_id: int, payload: ActionCompleteIn):
    return services.action_complete(actor=request.user, action=_action(request, action_id), note=payload.note,
                                    version=payload.version)


@router.post("/actions/{action_id}/cancel", response=ActionOut, summary="Withdraw an open action, with the reason")
def cancel_action(request, action_id: int, payload: ActionCancelIn):
    return services.action_cancel(actor=request.user, action=_action(request, action_id), reason=payload.reason,
                                  version=payload.version)


# --- evidence ---------------------------------------------------------------------------------------------

@router.post("/nonconformities/{reference}/attachments", response={201: AttachmentOut},
             summary="Upload evidence (multipart 'file'; 'action' to attach it to a corrective action)")
def add_attachment(request, reference: str, file: File[UploadedFile], action: Form[int | None] = None):
    nc = _record(request, reference)
    evidence_of = None
    if action is not None:
        evidence_of = nc.actions.filter(pk=action).first()
        if evidence_of is None:
            raise ValidationError({"action": f"{nc.reference} has no action {action}."})
    attachment = services.attachment_add(actor=request.user, nc=nc, upload=file, action=evidence_of)
    return Status(201, attachment)


@router.get("/attachments/{attachment_id}", url_name="attachment_download", summary="Download an evidence file")
def download_attachment(request, attachment_id: int):
    visible = selectors.nonconformities_visible_to(request.user)
    attachment = Attachment.objects.filter(nonconformity__in=visible).get(pk=attachment_id)
    # Always a download, never rendered inline: evidence is whatever people uploaded.
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
