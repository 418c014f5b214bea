from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from .accounts.urls import auth_urlpatterns
from .api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="nonconformities:register", permanent=False)),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("clauseten.accounts.urls")),
    path("ncs/", include("clauseten.nonconformities.urls")),
    path("improvements/", include("clauseten.improvements.urls")),
    path("catalog/", include("clauseten.catalog.urls")),
    path("reports/", include("clauseten.reports.urls")),
    path("notifications/", include("clauseten.notifications.urls")),
    path("history/", include("clauseten.events.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
