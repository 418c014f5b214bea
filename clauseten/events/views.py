from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from . import permissions
from .services import chain_head, verify_chain


@login_required
def verify(request):
    """The same check as `clauseten verify-events`, for admins and auditors."""
    if not permissions.can_verify(request.user):
        raise PermissionDenied("Only admins and auditors check the history.")
    report = verify_chain()
    head_seq, head_hash = chain_head()
    return render(request, "events/verify.html", {"report": report, "head_seq": head_seq, "head_hash": head_hash})
