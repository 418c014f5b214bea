"""Start the assignment reader at the newest event, so installing follow-up on a database with a history
does not mail everyone about every assignment ever made."""

from django.db import migrations


def start_at_head(apps, schema_editor):
    ChainHead = apps.get_model("events", "ChainHead")
    Cursor = apps.get_model("notifications", "Cursor")
    head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    Cursor.objects.get_or_create(name="assignments", defaults={"seq": head})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("events", "0001_initial")]
    operations = [migrations.RunPython(start_at_head, migrations.RunPython.noop)]
