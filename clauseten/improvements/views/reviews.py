"""Management reviews (with the follow-up of the previous review's decisions) and the change log."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clauseten.nonconformities.selectors import nonconformities_visible_to

from .. import forms, permissions, selectors, services
from ..models import ManagementReview, ManagementSystemChange
from .common import run


def url_of(review) -> str:
    return reverse("improvements:review", args=[review.reference])


def _review_or_404(user, reference):
    try:
        return selectors.review_detail(user, reference)
    except ManagementReview.DoesNotExist:
        raise Http404("No such management review.") from None


def _by_reference(form, field, rows):
    """Turn a typed reference into the record the user may see, or a field error."""
    reference = (form.cleaned_data.get(field) or "").strip().upper()
    if not reference:
        return None
    found = rows.filter(reference=reference).first()
    if found is None:
        form.add_error(field, f"No {reference} that you can see.")
    return found


@login_required
def review_list(request):
    return render(request, "improvements/reviews.html", {
        "reviews": selectors.review_list(request.user), "can_hold": permissions.can_hold_review(request.user)})


@login_required
def review_new(request):
    if not permissions.can_hold_review(request.user):
        raise PermissionDenied("Only a manager or the review team records reviews.")
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run(request, form, lambda: services.review_record(actor=request.user, **form.cleaned_data),
                   success="{result.reference} recorded.", then=url_of)
        if done:
            return done
    return render(request, "improvements/form.html", {"form": form, "title": "Record a management review",
                                                      "submit": "Record review"})


def _review_context(request, review, decision_form=None):
    return {"review": review, "previous": selectors.previous_review(review),
            "decision_form": decision_form or forms.DecisionForm(),
            "can_decide": permissions.can_hold_review(request.user)}


@login_required
def review_detail(request, reference):
    review = _review_or_404(request.user, reference)
    return render(request, "improvements/review.html", _review_context(request, review))


@login_required
@require_POST
def review_decide(request, reference):
    review = _review_or_404(request.user, reference)
    if not permissions.can_hold_review(request.user):
        raise PermissionDenied("Only a manager or the review team records decisions.")
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        nc = _by_reference(form, "nonconformity", nonconformities_visible_to(request.user))
        if not form.errors:
            values = {**form.cleaned_data, "nonconformity": nc}
            done = run(request, form, lambda: services.review_decide(actor=request.user, review=review, **values),
                       success="Decision recorded: {result.record.reference}.", then=url_of(review))
            if done:
                return done
    return render(request, "improvements/review.html", _review_context(request, review, decision_form=form),
                  status=422)


@login_required
def change_log(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in ManagementSystemChange.Kind.values else ""
    return render(request, "improvements/changes.html", {
        "changes": selectors.change_log(request.user, kind=kind), "kind": kind,
        "kinds": ManagementSystemChange.Kind.choices, "can_record": permissions.can_record_change(request.user),
        "sees_log": request.user.sees_everything})


@login_required
def change_new(request):
    if not permissions.can_record_change(request.user):
        raise PermissionDenied("Only a manager records changes to the management system.")
    initial = {field: request.GET.get(field, "") for field in ("nonconformity", "improvement", "review")}
    form = forms.ChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        causes = {
            "nonconformity": _by_reference(form, "nonconformity", nonconformities_visible_to(request.user)),
            "improvement": _by_reference(form, "improvement", selectors.improvements_visible_to(request.user)),
            "review": _by_reference(form, "review", selectors.reviews_visible_to(request.user)),
        }
        if not form.errors:
            values = {**form.cleaned_data, **causes}
            done = run(request, form, lambda: services.change_record(actor=request.user, **values),
                       success="{result.reference} logged.", then=reverse("improvements:changes"))
            if done:
                return done
    return render(request, "improvements/form.html", {"form": form, "title": "Log a management system change",
                                                      "submit": "Log change"})
