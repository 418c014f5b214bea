"""The audit programme: the year's audits, one audit with its independence flags and findings, its report (page
and PDF from the same template), and the areas people work in."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import forms, permissions, selectors, services
from ..models import Audit
from .common import run, year_from


def url_of(audit) -> str:
    return reverse("improvements:audit", args=[audit.reference])


def _audit_or_404(user, reference):
    try:
        return selectors.audit_detail(user, reference)
    except Audit.DoesNotExist:
        raise Http404("No such audit.") from None


@login_required
def programme(request):
    year = year_from(request, timezone.localdate().year)
    return render(request, "improvements/audits.html", {
        "year": year, "audits": selectors.audit_programme(request.user, year),
        "can_plan": permissions.can_plan_audit(request.user),
    })


@login_required
def plan(request):
    if not permissions.can_plan_audit(request.user):
        raise PermissionDenied("Only a manager plans audits.")
    form = forms.AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run(request, form, lambda: services.audit_plan(actor=request.user, **form.cleaned_data),
                   success="{result.reference} planned.", then=url_of)
        if done:
            return done
    return render(request, "improvements/form.html", {"form": form, "title": "Plan an audit", "submit": "Plan audit"})


def _audit_context(request, audit, finding_form=None, close_form=None):
    return {
        "audit": audit, "conflicts": selectors.independence_conflicts(audit),
        "findings": list(audit.findings.all()),
        "finding_form": finding_form or forms.FindingForm(),
        "close_form": close_form or forms.CloseAuditForm(initial={"version": audit.version}),
        "can_record": permissions.can_record_finding(request.user, audit),
        "can_complete": permissions.can_complete_audit(request.user, audit),
        "can_cancel": permissions.can_cancel_audit(request.user, audit),
    }


@login_required
def detail(request, reference):
    audit = _audit_or_404(request.user, reference)
    return render(request, "improvements/audit.html", _audit_context(request, audit))


@login_required
@require_POST
def record_finding(request, reference):
    audit = _audit_or_404(request.user, reference)
    if not permissions.can_record_finding(request.user, audit):
        raise PermissionDenied("Only the audit team or a manager records findings, while the audit is open.")
    form = forms.FindingForm(request.POST)
    if form.is_valid():
        done = run(request, form, lambda: services.audit_record_finding(actor=request.user, audit=audit,
                                                                        **form.cleaned_data),
                   success="Finding recorded as {result.record.reference}.", then=url_of(audit))
        if done:
            return done
    return render(request, "improvements/audit.html", _audit_context(request, audit, finding_form=form), status=422)


@login_required
@require_POST
def close(request, reference, outcome):
    """Complete (with the conclusion) or cancel (with the reason) an open audit."""
    audit = _audit_or_404(request.user, reference)
    allowed = {"complete": permissions.can_complete_audit, "cancel": permissions.can_cancel_audit}
    if outcome not in allowed or not allowed[outcome](request.user, audit):
        raise PermissionDenied("You may not do this to this audit.")
    form = forms.CloseAuditForm(request.POST)
    if form.is_valid():
        text, version = form.cleaned_data["text"], form.cleaned_data["version"]
        if outcome == "complete":
            call = lambda: services.audit_complete(actor=request.user, audit=audit, conclusion=text,
                                                   version=version)
        else:
            call = lambda: services.audit_cancel(actor=request.user, audit=audit, reason=text,
                                                 version=version)
        done = run(request, form, call, success=f"{audit.reference} {outcome}d.", then=url_of(audit), back=url_of(audit))
        if done:
            return done
    return render(request, "improvements/audit.html", _audit_context(request, audit, close_form=form), status=422)


def _report_context(request, audit):
    return {"audit": audit, "findings": list(audit.findings.all()), "conflicts": selectors.independence_conflicts(audit),
            "printed_at": timezone.now()}


@login_required
def report(request, reference):
    audit = _audit_or_404(request.user, reference)
    return render(request, "improvements/audit_report.html", _report_context(request, audit))


@login_required
def report_pdf(request, reference):
    """The same report template, rendered by WeasyPrint."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    audit = _audit_or_404(request.user, reference)
    html = render_to_string("improvements/audit_report_print.html", _report_context(request, audit), request=request)
    # The project's own static folder is not an app's, so the finders may not know it.
    stylesheet = finders.find("clauseten/clauseten.css") or settings.BASE_DIR / "static/clauseten/clauseten.css"
    pdf = HTML(string=html, base_url=None).write_pdf(
        stylesheets=[CSS(filename=str(stylesheet))])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{audit.reference}-report.pdf"'
    return response


@login_required
def work_areas(request):
    """Who works in which area, so that an auditor auditing their own area is flagged."""
    if not permissions.can_set_work_areas(request.user):
        raise PermissionDenied("Only a manager or admin sets work areas.")
    form = forms.WorkAreasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run(request, form, lambda: services.work_areas_set(
            actor=request.user, user=form.cleaned_data["user"], areas=form.cleaned_data["areas"].split(",")),
            success="Work areas saved.", then=reverse("improvements:work_areas"))
        if done:
            return done
    areas = selectors.work_areas()
    rows = [(person, areas.get(person.pk, [])) for person in forms.people()]
    return render(request, "improvements/work_areas.html", {"form": form, "rows": rows})
