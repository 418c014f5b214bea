from django.apps import AppConfig


class ImprovementsConfig(AppConfig):
    name = "clauseten.improvements"
    label = "improvements"
