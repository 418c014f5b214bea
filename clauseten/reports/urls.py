from django.urls import include, path

app_name = "reports"
# Two halves, two owners: records for auditors (CAR, evidence pack) and insight for managers (dashboard, packs).
urlpatterns = [
    path("", include("clauseten.reports.evidence_urls")),
    path("", include("clauseten.reports.insight_urls")),
]
