from .models import Event


def timeline(record: str):
    """Events of one record, oldest first, with their actors in the same query."""
    return Event.objects.filter(record=record).select_related("actor").order_by("seq")
