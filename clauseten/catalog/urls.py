from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("with-nonconformities/", views.with_nonconformities, name="with_nonconformities"),
    path("nc/<str:reference>/requirements/", views.nonconformity_requirements, name="nonconformity_requirements"),
    path("<slug:standard>/<str:identifier>/", views.requirement, name="requirement"),
]
