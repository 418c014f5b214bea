from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clauseten.reports"
    label = "reports"
