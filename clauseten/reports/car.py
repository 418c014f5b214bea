"""The Corrective Action Report (CAR): one document per nonconformity with every step and sign-off (10.2).

One template is both the page (/reports/car/<reference>/) and, through WeasyPrint, the PDF, so the two never
disagree. The PDF is rendered without any URL: its stylesheet is read from the template directory.
"""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from clauseten.events.services import chain_head
from clauseten.improvements.selectors import changes_for_nonconformity, improvements_for_nonconformity
from clauseten.nonconformities import lifecycle
from clauseten.nonconformities.models import Nonconformity
from clauseten.nonconformities.selectors import nonconformity_detail, nonconformity_timeline

# Steps that are sign-offs: a named person took responsibility for the record at this point.
SIGN_OFF_LABELS = {
    "nonconformity.reported": "Reported",
    "nonconformity.approved_plan": "Action plan approved",
    "nonconformity.approved_closure": "Closure approved",
    **{transition.verb: transition.label for transition in lifecycle.TRANSITIONS},
}


def car_context(nc: Nonconformity) -> dict:
    """Everything the CAR shows, read once; `nc` comes from `nonconformity_detail` (its prefetches)."""
    attachments = list(nc.attachments.all())
    by_action = {key: list(group) for key, group in
                 groupby(sorted(attachments, key=lambda a: (a.action_id or 0, a.uploaded_at)),
                         key=lambda a: a.action_id)}
    events = list(nonconformity_timeline(nc))
    sign_offs = [
        {"step": SIGN_OFF_LABELS[event.verb], "by": event.actor or event.actor_name, "at": event.at,
         "comment": event.comment, "seq": event.seq}
        for event in events if event.verb in SIGN_OFF_LABELS
    ]
    head_seq, head_hash = chain_head()
    return {
        "nc": nc,
        "actions": [(action, by_action.get(action.pk, [])) for action in nc.actions.all()],
        "record_evidence": by_action.get(None, []),
        "links": list(nc.links.all()),
        "linked_from": list(nc.linked_from.all()),
        "duplicates": list(nc.duplicates.all()),
        "catalogue_links": list(nc.catalogue_links.filter(removed_at__isnull=True)
                                .select_related("requirement__standard")),
        "reviews": list(nc.reviews.all()),
        "approvals": list(nc.approvals.all()),
        "changes": list(changes_for_nonconformity(nc)),
        "improvements": list(improvements_for_nonconformity(nc)),
        "sign_offs": sign_offs,
        "events": events,
        "head_seq": head_seq,
        "head_hash": head_hash,
        "generated_at": timezone.now(),
    }


def render_car_pdf(nc: Nonconformity) -> bytes:
    """The CAR as PDF bytes. Imported lazily: WeasyPrint is heavy and most requests never need it."""
    from weasyprint import CSS, HTML

    html = render_to_string("reports/evidence/car_print.html", car_context(nc))
    css = CSS(string=render_to_string("reports/evidence/car_print.css"))
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[css])


def _visible_nc(user, reference: str) -> Nonconformity:
    """Same rule as the NC's own page: what you may not see does not exist (404, not 403)."""
    try:
        return nonconformity_detail(user, reference)
    except Nonconformity.DoesNotExist:
        raise Http404("No such nonconformity.") from None


@login_required
def car_page(request, reference: str):
    return render(request, "reports/evidence/car.html", car_context(_visible_nc(request.user, reference)))


@login_required
def car_pdf(request, reference: str):
    nc = _visible_nc(request.user, reference)
    response = HttpResponse(render_car_pdf(nc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="CAR-{nc.reference}.pdf"'
    return response
