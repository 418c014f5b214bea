from django.urls import path

from .views import audits, register, reviews

app_name = "improvements"
urlpatterns = [
    path("", register.register, name="register"),
    path("new/", register.propose, name="propose"),
    path("from-nc/<str:reference>/", register.from_nonconformity, name="from_nonconformity"),
    path("audits/", audits.programme, name="audits"),
    path("audits/new/", audits.plan, name="audit_plan"),
    path("audits/work-areas/", audits.work_areas, name="work_areas"),
    path("audits/<str:reference>/", audits.detail, name="audit"),
    path("audits/<str:reference>/findings/", audits.record_finding, name="audit_finding"),
    path("audits/<str:reference>/<str:outcome>/", audits.close, name="audit_close"),
    path("audits/<str:reference>/report", audits.report, name="audit_report"),
    path("audits/<str:reference>/report.pdf", audits.report_pdf, name="audit_report_pdf"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/new/", reviews.review_new, name="review_new"),
    path("reviews/<str:reference>/", reviews.review_detail, name="review"),
    path("reviews/<str:reference>/decisions/", reviews.review_decide, name="review_decide"),
    path("changes/", reviews.change_log, name="changes"),
    path("changes/new/", reviews.change_new, name="change_new"),
    path("<str:reference>/", register.detail, name="detail"),
    path("<str:reference>/steps/<str:name>/", register.transition, name="transition"),
    path("<str:reference>/nonconformities/", register.raise_nonconformity, name="raise_nonconformity"),
]
