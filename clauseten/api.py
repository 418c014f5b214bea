"""The API under /api/v1/: mounts each app's router and turns domain errors into HTTP answers, once."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

from clauseten.accounts.api import router as accounts_router
from clauseten.accounts.auth import API_AUTH
from clauseten.catalog.api import router as catalog_router
from clauseten.events.api import router as events_router
from clauseten.improvements.api import router as improvements_router
from clauseten.lib.errors import Conflict, StaleVersion
from clauseten.nonconformities.api import router as nonconformities_router
from clauseten.notifications.api import router as notifications_router
from clauseten.reports.api import router as reports_router

api = NinjaAPI(
    title="Clause Ten API",
    version="1",
    description="Nonconformities, corrective actions and continual improvement (ISO clause 10).",
    auth=API_AUTH,
    urls_namespace="api",
)
api.add_router("/", nonconformities_router)
api.add_router("/", accounts_router)
api.add_router("/events", events_router)
api.add_router("/catalog", catalog_router)
api.add_router("/improvements", improvements_router)
api.add_router("/reports", reports_router)
api.add_router("/notifications", notifications_router)


def field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(DjangoValidationError)
def on_invalid(request, exc):
    return api.create_response(request, {"detail": "Some fields need attention.", "errors": field_errors(exc)},
                               status=422)


@api.exception_handler(SchemaValidationError)
def on_schema_invalid(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # Drop where ninja read the value from (body, query, multipart file…) and the body's wrapper: the field's
        # own name remains, even when it is also called "file".
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "form", "path", "file", "header", "cookie"):
            loc = loc[1:]
        if len(loc) > 1 and loc[0] == "payload":
            loc = loc[1:]
        errors.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "Invalid value."))
    return api.create_response(request, {"detail": "Some fields need attention.", "errors": errors}, status=422)


@api.exception_handler(Conflict)
def on_conflict(request, exc):
    body = {"detail": str(exc), "code": "stale_version" if isinstance(exc, StaleVersion) else "conflict"}
    if isinstance(exc, StaleVersion):
        body["current_version"] = exc.current
    return api.create_response(request, body, status=409)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(ObjectDoesNotExist)
@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Sign in, or send a personal API token as 'Authorization: "
                                                   "Bearer <token>'."}, status=401)
