from django.core.management.base import BaseCommand

from clauseten.notifications.tick import run_tick


class Command(BaseCommand):
    help = "Run one follow-up pass now: reminders, escalations, digests, mail, webhooks (for cron and tests)."

    def handle(self, *args, **options):
        report = run_tick()
        if options["verbosity"] > 0:
            self.stdout.write(str(report))
