from django.apps import AppConfig


class NonconformitiesConfig(AppConfig):
    name = "clauseten.nonconformities"
    label = "nonconformities"
