from django.db import migrations


def load(apps, schema_editor):
    from clauseten.catalog.loading import load_catalogue

    load_catalogue(apps.get_model("catalog", "Standard"), apps.get_model("catalog", "Requirement"),
                   apps.get_model("catalog", "RequirementMapping"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_catalogue")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
