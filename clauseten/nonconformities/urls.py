from django.urls import path

from . import views

app_name = "nonconformities"
urlpatterns = [
    path("", views.register, name="register"),
    path("my-work/", views.my_work, name="my_work"),
    path("new/", views.report, name="report"),
]
