from django.urls import path

from . import car

# Records for auditors: the Corrective Action Report and the evidence pack (names under the "reports" namespace).
urlpatterns = [
    path("car/<str:reference>/", car.car_page, name="car"),
    path("car/<str:reference>.pdf", car.car_pdf, name="car_pdf"),
]
