from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
