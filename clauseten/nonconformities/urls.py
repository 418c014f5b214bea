from django.urls import path

from . import views

app_name = "nonconformities"
urlpatterns = [
    path("", views.register, name="register"),
    path("my-work/", views.my_work, name="my_work"),
    path("new/", views.report, name="report"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/edit/", views.edit, name="edit"),
    path("<str:reference>/step/<str:name>/", views.transition, name="transition"),
    path("<str:reference>/approve/<str:kind>/", views.approve, name="approve"),
    path("<str:reference>/actions/new/", views.action_plan, name="action_plan"),
    path("<str:reference>/actions/<int:action_id>/complete/", views.action_complete, name="action_complete"),
    path("<str:reference>/actions/<int:action_id>/cancel/", views.action_cancel, name="action_cancel"),
    path("<str:reference>/attachments/new/", views.attachment_add, name="attachment_add"),
    path("<str:reference>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<str:reference>/comments/new/", views.comment_add, name="comment_add"),
    path("<str:reference>/links/new/", views.link_add, name="link_add"),
]
