from django.urls import path

from . import insight_views as views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("review-pack/", views.pack, name="review_pack"),
    path("review-pack/pdf/", views.pack_pdf, name="review_pack_pdf"),
    path("export/register.csv", views.register_csv, name="register_csv"),
    path("export/register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("oscal/poam.json", views.poam, name="oscal_poam"),
]
