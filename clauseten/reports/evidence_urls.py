from django.urls import path

from . import car, evidence_views

# Records for auditors: the Corrective Action Report and the evidence pack (names under the "reports" namespace).
urlpatterns = [
    path("car/<str:reference>/", car.car_page, name="car"),
    path("car/<str:reference>.pdf", car.car_pdf, name="car_pdf"),
    path("evidence-pack/", evidence_views.evidence_pack_page, name="evidence_pack"),
    path("evidence-pack/list/", evidence_views.evidence_pack_list, name="evidence_pack_list"),
    path("evidence-pack/<int:pack_id>.zip", evidence_views.evidence_pack_download, name="evidence_pack_download"),
]
