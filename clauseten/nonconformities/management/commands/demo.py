from django.core.management.base import BaseCommand, CommandError

from clauseten import demo
from clauseten.nonconformities.models import Nonconformity


class Command(BaseCommand):
    help = "Load the demo organisation: one login per role (password in the README) and sample records."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the register has records.")

    def handle(self, *args, if_empty=False, **options):
        if Nonconformity.objects.exists():
            if if_empty:
                self.stdout.write("The register already has records; demo not loaded.")
                return
            raise CommandError("The register already has records: the demo loads only into an empty database.")
        demo.load()
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded: {Nonconformity.objects.count()} records. Sign in as manager / {demo.DEMO_PASSWORD}."))
