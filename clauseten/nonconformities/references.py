from django.utils import timezone

from .models import ReferenceSequence


def next_reference(prefix: str) -> str:
    """NC-2026-0042: unique and never reused, because the counter only goes up and nothing is deleted.

    Must run inside the caller's transaction: the row lock makes concurrent reports wait their turn.
    """
    key = f"{prefix}-{timezone.localdate().year}"
    sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(key=key)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{key}-{sequence.last:04d}"
