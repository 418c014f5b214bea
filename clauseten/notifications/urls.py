from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_ics, name="calendar_feed"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/toggle", views.webhook_toggle, name="webhook_toggle"),
]
