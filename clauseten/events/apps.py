from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "clauseten.events"
    label = "events"
