"""`clauseten verify-events`: recompute the history's hash chain; exit 1 at the first broken event."""

import sys

from django.core.management.base import BaseCommand

from clauseten.events.services import verify_chain


class Command(BaseCommand):
    help = "Check the hash chain of the history: prints 'N events, chain intact' or the first broken event."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.intact:
            self.stdout.write(str(report))
            return
        self.stderr.write(str(report))
        # A broken chain is a finding, not a crash: exit 1 without a traceback, so scripts and cron can act on it.
        sys.exit(1)
