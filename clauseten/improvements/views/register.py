"""The improvement register: list, propose, one OFI's page with its next steps, and its links to NCs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clauseten.nonconformities.selectors import nonconformities_visible_to

from .. import forms, lifecycle, permissions, selectors, services
from ..models import Improvement
from .common import run

FILTER_STATES = Improvement.State.values


def url_of(improvement) -> str:
    return reverse("improvements:detail", args=[improvement.reference])


def _detail_or_404(user, reference):
    try:
        return selectors.improvement_detail(user, reference)
    except Improvement.DoesNotExist:
        raise Http404("No such improvement.") from None


@login_required
def register(request):
    state = [s for s in request.GET.getlist("state") if s in FILTER_STATES]
    kind = request.GET.get("kind") if request.GET.get("kind") in Improvement.Kind.values else ""
    q = (request.GET.get("q") or "").strip()[:200]
    return render(request, "improvements/register.html", {
        "rows": selectors.improvement_register(request.user, state=state, kind=kind, q=q)[:500],
        "states": Improvement.State.choices, "kinds": Improvement.Kind.choices, "chosen_states": state,
        "kind": kind, "q": q, "can_propose": permissions.can_propose(request.user),
    })


@login_required
def propose(request):
    if not permissions.can_propose(request.user):
        raise PermissionDenied("Your role only reads the register.")
    form = forms.ImprovementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run(request, form, lambda: services.improvement_propose(actor=request.user, **form.cleaned_data),
                   success="{result.reference} proposed.", then=url_of)
        if done:
            return done
    return render(request, "improvements/form.html", {"form": form, "title": "Propose an improvement",
                                                      "submit": "Propose"})


def _steps(user, improvement, bound=None):
    """The steps this user may take now, each with its form (the one just posted keeps its input and errors)."""
    steps = []
    for transition in lifecycle.allowed_for(user, improvement):
        form = bound if bound is not None and bound.prefix == transition.name else lifecycle_form(transition,
                                                                                                  improvement)
        steps.append((transition, form))
    return steps


def lifecycle_form(transition, improvement):
    return forms.transition_form(transition, initial={"version": improvement.version})


@login_required
def detail(request, reference):
    improvement = _detail_or_404(request.user, reference)
    return _render_detail(request, improvement)


def _render_detail(request, improvement, bound=None, raise_form=None, status=200):
    return render(request, "improvements/detail.html", {
        "ofi": improvement, "steps": _steps(request.user, improvement, bound),
        "raise_form": raise_form or forms.RaiseNonconformityForm(initial={"title": improvement.title}),
        "can_raise": permissions.can_raise_nonconformity(request.user, improvement),
        "raised": [link.nonconformity for link in improvement.raised.all()],
        "changes": improvement.management_system_changes.all(),
    }, status=status)


@login_required
@require_POST
def transition(request, reference, name):
    improvement = _detail_or_404(request.user, reference)
    step = next((t for t in lifecycle.from_state(improvement.state) if t.name == name), None)
    if step is None or not permissions.may_transition(request.user, step, improvement):
        raise PermissionDenied("You may not take this step now.")
    form = forms.transition_form(step, request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("comment", "version")}
        done = run(request, form, lambda: services.improvement_transition(
            actor=request.user, improvement=improvement, name=name, version=form.cleaned_data["version"],
            comment=form.cleaned_data["comment"], **values),
            success=f"{improvement.reference}: {step.label.lower()} done.", then=url_of,
            back=url_of(improvement))
        if done:
            return done
    return _render_detail(request, improvement, bound=form, status=422)


@login_required
@require_POST
def raise_nonconformity(request, reference):
    improvement = _detail_or_404(request.user, reference)
    if not permissions.can_raise_nonconformity(request.user, improvement):
        raise PermissionDenied("Only a manager or the review team may raise a nonconformity from an OFI.")
    form = forms.RaiseNonconformityForm(request.POST)
    if form.is_valid():
        done = run(request, form, lambda: services.improvement_raise_nonconformity(
            actor=request.user, improvement=improvement, **form.cleaned_data),
            success="{result.reference} reported from " + improvement.reference + ".",
            then=url_of(improvement))
        if done:
            return done
    return _render_detail(request, improvement, raise_form=form, status=422)


@login_required
def from_nonconformity(request, reference):
    """Raise an OFI from any NC (the NC's page links here)."""
    nc = get_object_or_404(nonconformities_visible_to(request.user), reference=reference)
    if not permissions.can_spawn_from_nonconformity(request.user, nc):
        raise PermissionDenied("Only the NC's owner, a manager or the review team may raise an OFI from it.")
    form = forms.SpawnForm(request.POST or None, initial={"title": nc.title})
    if request.method == "POST" and form.is_valid():
        done = run(request, form, lambda: services.improvement_spawn_from_nonconformity(
            actor=request.user, nc=nc, **form.cleaned_data),
            success="{result.reference} raised from " + nc.reference + ".",
            then=url_of)
        if done:
            return done
    return render(request, "improvements/form.html", {
        "form": form, "title": f"Raise an improvement from {nc.reference}", "submit": "Raise improvement",
        "intro": f"{nc.reference} {nc.title}"})
