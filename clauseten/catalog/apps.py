from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "clauseten.catalog"
    label = "catalog"
