from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clauseten.nonconformities.selectors import nonconformities_visible_to

from . import permissions, selectors, services
from .models import Requirement, Standard


@login_required
def browse(request):
    code = request.GET.get("standard", "")
    q = (request.GET.get("q") or "").strip()[:100]
    standard = Standard.objects.filter(code=code).first() if code else None
    rows = selectors.requirements(standard=standard, q=q)
    return render(request, "catalog/browse.html", {
        "standards": selectors.standards(), "standard": standard, "q": q,
        "grouped": [(name, list(items)) for name, items in groupby(rows, key=lambda r: r.standard.name)],
    })


@login_required
def requirement(request, standard: str, identifier: str):
    try:
        found = selectors.requirement_detail(standard, identifier)
    except Requirement.DoesNotExist:
        raise Http404("No such requirement.") from None
    return render(request, "catalog/requirement.html", {
        "requirement": found, "mapped": selectors.mapped_requirements(found),
        "nonconformities": selectors.nonconformities_failing(request.user, found),
    })


@login_required
def with_nonconformities(request):
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    rows = selectors.requirements_with_nonconformities(request.user, year)
    grouped = [(name, list(items)) for name, items in groupby(rows, key=lambda r: r["requirement__standard__name"])]
    return render(request, "catalog/with_nonconformities.html", {"year": year, "grouped": grouped})


class RequirementsForm(forms.Form):
    requirements = forms.ModelMultipleChoiceField(
        queryset=Requirement.objects.select_related("standard").order_by("standard__name", "position"),
        required=False, widget=forms.SelectMultiple(attrs={"size": 18}),
        help_text="Hold Ctrl (or ⌘) to choose several. The free-text requirement of the record stays as it is.")


@login_required
def nonconformity_requirements(request, reference: str):
    nc = get_object_or_404(nonconformities_visible_to(request.user).select_related("management_system"),
                           reference=reference)
    if not permissions.can_set_requirements(request.user, nc):
        raise PermissionDenied("You may not change the requirements of this nonconformity.")
    current = selectors.requirements_of_nonconformity(nc)
    form = RequirementsForm(request.POST or None, initial={"requirements": current})
    if request.method == "POST" and form.is_valid():
        services.nonconformity_requirements_set(actor=request.user, nc=nc,
                                                requirements=form.cleaned_data["requirements"])
        messages.success(request, f"Requirements of {nc.reference} saved.")
        return redirect("catalog:nonconformity_requirements", reference=nc.reference)
    return render(request, "catalog/nonconformity_requirements.html", {"nc": nc, "form": form, "current": current})
