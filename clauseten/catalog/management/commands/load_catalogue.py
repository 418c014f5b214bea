from django.core.management.base import BaseCommand
from django.db import transaction

from clauseten.catalog.loading import load_catalogue
from clauseten.catalog.models import Requirement, RequirementMapping, Standard


class Command(BaseCommand):
    help = "Load or refresh the requirement catalogue shipped with Clause Ten (migrate already does this once)."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_catalogue(Standard, Requirement, RequirementMapping)
        self.stdout.write(f"{counts['standards']} standards, {counts['requirements']} requirements, "
                          f"{counts['mappings']} mappings")
