"""Pages for nonconformities: plain function views that read through selectors and write through services.

Each view looks the record up among those the user may see (else 404) and lets the service decide whether
the write is allowed (PermissionDenied → Django's 403), so a forged POST gets the same answer as the API.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import model_to_dict
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from clauseten.catalog.models import ManagementSystem
from clauseten.improvements import permissions as improvement_permissions
from clauseten.improvements import selectors as improvement_selectors
from clauseten.lib.errors import Conflict

from . import forms, lifecycle, permissions, selectors, services
from .models import Action, Approval, Attachment, Nonconformity, Source, State

PAGE_SIZE = 25


def _record(request, reference: str) -> Nonconformity:
    """The record with everything its page shows, if this user may see it; otherwise 404."""
    try:
        return selectors.nonconformity_detail(request.user, reference)
    except Nonconformity.DoesNotExist:
        raise Http404("No such record, or not one you may see.") from None


def _saved(request, form, write, aliases=None) -> bool:
    """Run `write(cleaned_data)` for a valid POSTed form; the service's refusals become form errors."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        forms.add_service_errors(form, error, aliases)
        return False
    except Conflict as conflict:  # a stale version, or the record moved on meanwhile
        form.add_error(None, str(conflict))
        return False
    return True


def _form_page(request, nc, form, *, title, submit, intro="", status=200, danger=False):
    return render(request, "nonconformities/form_page.html",
                  {"nc": nc, "form": form, "title": title, "submit": submit, "intro": intro, "danger": danger},
                  status=status if request.method == "GET" or not form.errors else 422)


def _is_partial(request) -> bool:
    # A history restore asks for the whole page; any other htmx request wants only the table.
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def _page_size(request) -> int:
    size = request.GET.get("per_page", "")
    return min(max(int(size), 5), 100) if size.isdigit() else PAGE_SIZE


# --- the register and my work -----------------------------------------------------------------------------

@login_required
def register(request):
    filters = selectors.RegisterFilter.from_query(request.GET)
    rows = selectors.register(request.user, filters)
    page = Paginator(rows, _page_size(request)).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "today": timezone.localdate(), "partial": _is_partial(request)}
    if context["partial"]:
        response = render(request, "nonconformities/_register_table.html", context)
    else:
        systems = list(ManagementSystem.objects.all())
        context.update(states=State.choices, sources=Source.choices, systems=systems if len(systems) > 1 else [],
                       owners=selectors.register_owners(request.user),
                       classifications=Nonconformity._meta.get_field("classification").choices)
        response = render(request, "nonconformities/register.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def my_work(request):
    user, today = request.user, timezone.localdate()
    context = {"actions": selectors.open_actions_of(user), "owned": selectors.owned_nonconformities_of(user),
               "today": today, "is_manager": permissions.is_manager(user)}
    if context["is_manager"]:
        visible = selectors.nonconformities_visible_to(user).select_related("reported_by")
        context["triage"] = visible.filter(state=State.REPORTED).order_by("reported_at", "id")
        context["reviews_due"] = (visible.filter(state=State.VERIFYING, effectiveness_review_due__lte=today)
                                  .select_related("owner").order_by("effectiveness_review_due", "id"))
    return render(request, "nonconformities/my_work.html", context)


# --- reporting, reading and editing a record --------------------------------------------------------------

@login_required
def report(request):
    permissions.require(permissions.can_report(request.user), "Auditors read the register; they do not report.")
    form = forms.ReportForm(request.POST or None, request.FILES or None,
                            initial={"detected_on": timezone.localdate()})
    created = []

    def write(data):
        system = data.get("management_system") or ManagementSystem.objects.order_by("pk").first()
        created.append(services.nonconformity_report(
            actor=request.user, management_system=system, files=data["files"],
            **{name: data[name] for name in services.REPORT_FIELDS}))

    if _saved(request, form, write, aliases={"file": "files"}):
        messages.success(request, f"Reported as {created[0].reference}. A manager will triage it.")
        return redirect("nonconformities:detail", reference=created[0].reference)
    return render(request, "nonconformities/report.html", {"form": form},
                  status=422 if form.errors else 200)


@login_required
def detail(request, reference):
    nc = _record(request, reference)
    user = request.user
    evidence = {}  # the record's attachments are loaded once; each action shows its own
    for attachment in nc.attachments.all():
        evidence.setdefault(attachment.action_id, []).append(attachment)
    actions = [(action, evidence.get(action.pk, []), permissions.can_complete_action(user, action),
                permissions.can_cancel_action(user, action)) for action in nc.actions.all()]
    approvals = [(Approval.Kind(kind), lifecycle.current_approval(nc, kind), permissions.can_approve(user, nc, kind))
                 for kind, step in lifecycle.APPROVALS.items() if step.state == nc.state and step.required_for(nc)]
    allowed = lifecycle.allowed_for(user, nc)
    waiting = [t for t in lifecycle.from_state(nc.state) if t not in allowed]
    context = {
        "nc": nc, "transitions": allowed, "waiting": waiting, "actions": actions, "approvals": approvals,
        "timeline": selectors.nonconformity_timeline(nc), "today": timezone.localdate(),
        "may": {"edit": permissions.can_edit(user, nc), "plan": permissions.can_plan_action(user, nc),
                "attach": permissions.can_attach(user, nc), "comment": permissions.can_comment(user, nc),
                "link": permissions.can_link(user, nc)},
        "comment_form": forms.CommentForm(), "attachment_form": forms.AttachmentForm(),
        # Continual improvement (10.1) and management-system changes (10.2 e) that came from this record.
        "improvements": improvement_selectors.improvements_for_nonconformity(nc),
        "changes": improvement_selectors.changes_for_nonconformity(nc),
        "may_raise_ofi": improvement_permissions.can_spawn_from_nonconformity(user, nc),
    }
    return render(request, "nonconformities/detail.html", context)


def _editable_fields(user, nc) -> list[str]:
    # The same split the service enforces: a reported record has only its report; triage fields are the manager's.
    names = services.REPORT_FIELDS if nc.state == State.REPORTED else services.EDITABLE_FIELDS
    return [n for n in names if permissions.is_manager(user) or n not in services.MANAGER_FIELDS]


@login_required
def edit(request, reference):
    nc = _record(request, reference)
    permissions.require(permissions.can_edit(request.user, nc), "You may not edit this nonconformity.")
    names = _editable_fields(request.user, nc)
    form = forms.edit_form(names, request.POST or None, initial={**model_to_dict(nc, names), "version": nc.version})
    for name in {"classification", "owner"} & set(form.fields):
        form.fields[name].required = True  # past triage a record always has both (a database rule too)

    def write(data):
        changes = {name: data[name] for name in form.changed_data if name in names}
        services.nonconformity_update(actor=request.user, nc=nc, version=data["version"], changes=changes)

    if _saved(request, form, write):
        messages.success(request, "Saved.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title=f"Edit {nc.reference}", submit="Save")


@login_required
def transition(request, reference, name):
    nc = _record(request, reference)
    try:
        step = lifecycle.by_name(nc.state, name)
    except Conflict:
        raise Http404("This step is not available for the record as it stands.") from None
    permissions.require(permissions.may_transition(request.user, step, nc),
                        f"Your role may not '{step.label}' this nonconformity.")
    initial = {**model_to_dict(nc, [f for f in step.fields if f not in lifecycle.STEP_ONLY_FIELDS]),
               "version": nc.version}
    form = forms.transition_form(step, request.POST or None, initial=initial)

    def write(data):
        values = {f: data[f] for f in step.fields if data.get(f) not in (None, "")}
        services.nonconformity_transition(actor=request.user, nc=nc, name=step.name, version=data["version"],
                                          comment=data.get("comment", ""), **values)

    if _saved(request, form, write):
        messages.success(request, f"{nc.reference}: {step.label}.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title=step.label, submit=step.label,
                      danger=step.name in ("reject", "reopen"))


@login_required
@require_POST
def approve(request, reference, kind):
    nc = _record(request, reference)
    if kind not in Approval.Kind.values:
        raise Http404("No such approval.")
    form = forms.ApproveForm(request.POST)
    if _saved(request, form, lambda data: services.nonconformity_approve(
            actor=request.user, nc=nc, kind=kind, comment=data["comment"])):
        messages.success(request, f"{Approval.Kind(kind).label} approved.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title=f"Approve: {Approval.Kind(kind).label}", submit="Approve")


# --- corrective actions -----------------------------------------------------------------------------------

def _action(request, reference, action_id) -> tuple[Nonconformity, Action]:
    nc = _record(request, reference)
    return nc, get_object_or_404(Action.objects.select_related("nonconformity", "owner"), pk=action_id,
                                 nonconformity=nc)


@login_required
def action_plan(request, reference):
    nc = _record(request, reference)
    permissions.require(permissions.can_plan_action(request.user, nc), "You may not plan actions here.")
    form = forms.ActionPlanForm(request.POST or None)
    if _saved(request, form, lambda data: services.action_plan(actor=request.user, nc=nc, **data)):
        messages.success(request, "Corrective action planned.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title="Plan a corrective action", submit="Plan action",
                      intro="A corrective action removes the cause so the nonconformity does not recur.")


@login_required
def action_complete(request, reference, action_id):
    nc, action = _action(request, reference, action_id)
    permissions.require(permissions.can_complete_action(request.user, action),
                        "Only the action's owner completes it, while it is open.")
    form = forms.ActionCompleteForm(request.POST or None, request.FILES or None, initial={"version": action.version})

    def write(data):
        services.action_complete(actor=request.user, action=action, note=data["note"], files=data["files"],
                                 version=data["version"])

    if _saved(request, form, write, aliases={"file": "files"}):
        messages.success(request, "Action completed.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title="Complete the action", submit="Complete action",
                      intro=action.description)


@login_required
def action_cancel(request, reference, action_id):
    nc, action = _action(request, reference, action_id)
    permissions.require(permissions.can_cancel_action(request.user, action), "You may not cancel this action.")
    form = forms.ActionCancelForm(request.POST or None, initial={"version": action.version})
    if _saved(request, form, lambda data: services.action_cancel(actor=request.user, action=action,
                                                                   reason=data["reason"], version=data["version"])):
        messages.success(request, "Action cancelled; it stays in the record with its reason.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title="Cancel the action", submit="Cancel action", intro=action.description,
                      danger=True)


# --- evidence, comments and links -------------------------------------------------------------------------

@login_required
@require_POST
def attachment_add(request, reference):
    nc = _record(request, reference)
    form = forms.AttachmentForm(request.POST, request.FILES)

    def write(data):
        for upload in data["files"]:
            services.attachment_add(actor=request.user, nc=nc, upload=upload)

    if _saved(request, form, write, aliases={"file": "files"}):
        messages.success(request, "Evidence added.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title="Add evidence", submit="Upload")


@login_required
def attachment_download(request, reference, attachment_id):
    nc = _record(request, reference)
    attachment = get_object_or_404(Attachment, pk=attachment_id, nonconformity=nc)
    # Served through this check only, never from a public media URL, and never shown inline.
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type)


@login_required
@require_POST
def comment_add(request, reference):
    nc = _record(request, reference)
    form = forms.CommentForm(request.POST)
    if _saved(request, form, lambda data: services.comment_add(actor=request.user, nc=nc, body=data["body"])):
        return redirect(reverse("nonconformities:detail", args=[nc.reference]) + "#comments")
    return _form_page(request, nc, form, title="Comment", submit="Add comment")


@login_required
def link_add(request, reference):
    nc = _record(request, reference)
    permissions.require(permissions.can_link(request.user, nc), "You may not link records on this nonconformity.")
    form = forms.LinkForm(request.POST or None)
    # Only records this person may see can be named, so the form cannot be used to probe references.
    form.fields["target"].queryset = selectors.nonconformities_visible_to(request.user).filter(~Q(pk=nc.pk))
    if _saved(request, form, lambda data: services.nonconformity_link(actor=request.user, nc=nc, **data)):
        messages.success(request, "Linked.")
        return redirect("nonconformities:detail", reference=nc.reference)
    return _form_page(request, nc, form, title="Link a similar record (extent of condition)", submit="Link",
                      intro="Record that a similar nonconformity exists or could occur elsewhere.")
