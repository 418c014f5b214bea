"""Follow-up pages: your private calendar URL, the calendar feed itself, and the admins' webhooks page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import calendar as calendar_feed
from . import permissions, selectors, services
from .forms import EndpointForm, show_service_errors

RECENT_DELIVERIES = 100


def feed_url(secret: str) -> str:
    return settings.BASE_URL + reverse("notifications:calendar_feed", args=[secret])


@login_required
def calendar(request):
    secret = None
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            services.calendar_token_revoke(actor=request.user)
            messages.success(request, "Your calendar URL no longer works.")
            return redirect("notifications:calendar")
        _, secret = services.calendar_token_create(actor=request.user)
    return render(request, "notifications/calendar.html", {
        "token": selectors.live_calendar_token(request.user), "url": feed_url(secret) if secret else None})


@require_GET
def calendar_ics(request, token: str):
    """No sign-in: the secret in the URL is the credential (calendar apps cannot log in)."""
    user = selectors.calendar_owner(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar_feed.feed_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="clauseten.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def webhooks(request):
    permissions.require(permissions.can_manage_webhooks(request.user), "Only admins manage webhooks.")
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, f"Endpoint {endpoint.url} added.")
            return redirect("notifications:webhooks")
    return render(request, "notifications/webhooks.html", {
        "form": form,
        "endpoints": selectors.webhook_endpoints_visible_to(request.user),
        "deliveries": selectors.webhook_deliveries_visible_to(request.user)[:RECENT_DELIVERIES],
    })


@login_required
@require_POST
def webhook_toggle(request, endpoint_id: int):
    permissions.require(permissions.can_manage_webhooks(request.user), "Only admins manage webhooks.")
    endpoint = get_object_or_404(selectors.webhook_endpoints_visible_to(request.user), pk=endpoint_id)
    services.webhook_endpoint_update(actor=request.user, endpoint=endpoint,
                                     changes={"active": not endpoint.active})
    messages.success(request, f"Endpoint {endpoint.url} {'disabled' if endpoint.active else 'enabled'}.")
    return redirect("notifications:webhooks")
