"""/api/v1/notifications/: webhook endpoints and their deliveries (admins), and your calendar URL."""

from django.shortcuts import get_object_or_404
from ninja import Router

from . import permissions, selectors, services
from .schemas import CalendarOut, DeliveryOut, EndpointIn, EndpointOut, EndpointPatch, RevokedOut
from .views import feed_url

router = Router(tags=["notifications"])
MAX_DELIVERIES = 500


def _admin(request) -> None:
    permissions.require(permissions.can_manage_webhooks(request.user), "Only admins manage webhooks.")


def _endpoint(request, endpoint_id: int):
    _admin(request)
    return get_object_or_404(selectors.webhook_endpoints_visible_to(request.user), pk=endpoint_id)


@router.get("/webhooks", response=list[EndpointOut])
def webhook_list(request):
    _admin(request)
    return list(selectors.webhook_endpoints_visible_to(request.user))


@router.post("/webhooks", response={201: EndpointOut})
def webhook_create(request, payload: EndpointIn):
    return 201, services.webhook_endpoint_create(actor=request.user, url=payload.url,
                                                 event_kinds=payload.event_kinds, secret=payload.secret)


@router.get("/webhooks/{endpoint_id}", response=EndpointOut)
def webhook_detail(request, endpoint_id: int):
    return _endpoint(request, endpoint_id)


@router.patch("/webhooks/{endpoint_id}", response=EndpointOut)
def webhook_update(request, endpoint_id: int, payload: EndpointPatch):
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    return services.webhook_endpoint_update(actor=request.user, endpoint=_endpoint(request, endpoint_id),
                                            changes=changes, version=version)


@router.delete("/webhooks/{endpoint_id}", response=EndpointOut)
def webhook_disable(request, endpoint_id: int):
    """Nothing is hard-deleted: the endpoint is disabled and its delivery log kept."""
    return services.webhook_endpoint_disable(actor=request.user, endpoint=_endpoint(request, endpoint_id))


@router.get("/webhooks/{endpoint_id}/deliveries", response=list[DeliveryOut])
def webhook_deliveries(request, endpoint_id: int):
    endpoint = _endpoint(request, endpoint_id)
    deliveries = selectors.webhook_deliveries_visible_to(request.user, endpoint_id=endpoint.pk)
    return list(deliveries[:MAX_DELIVERIES])


@router.get("/deliveries", response=list[DeliveryOut])
def delivery_list(request):
    _admin(request)
    return list(selectors.webhook_deliveries_visible_to(request.user)[:MAX_DELIVERIES])


@router.get("/calendar", response=CalendarOut)
def calendar_status(request):
    token = selectors.live_calendar_token(request.user)
    return CalendarOut(active=token is not None, prefix=token.prefix if token else "",
                       created_at=token.created_at if token else None)


@router.post("/calendar", response={201: CalendarOut})
def calendar_create(request):
    """A new private calendar URL; the previous one stops working."""
    token, secret = services.calendar_token_create(actor=request.user)
    return 201, CalendarOut(active=True, prefix=token.prefix, created_at=token.created_at,
                            url=feed_url(secret))


@router.delete("/calendar", response=RevokedOut)
def calendar_revoke(request):
    return RevokedOut(revoked=services.calendar_token_revoke(actor=request.user))
