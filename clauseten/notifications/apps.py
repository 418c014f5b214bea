from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "clauseten.notifications"
    label = "notifications"
