"""One pass of follow-up: decide what is due (in transactions), then send it (after they committed).

Safe to run as often as you like, from several workers at once: every decision is a row with a UNIQUE key
and every send first claims its row.
"""

from dataclasses import dataclass

from django.utils import timezone

from . import mail, reminders, webhooks


@dataclass
class TickReport:
    assignments: int
    reminders: int
    digests: int
    mail: mail.SendReport
    deliveries_created: int
    deliveries: webhooks.DeliveryReport

    def __str__(self) -> str:
        return (f"decided {self.assignments} assignment, {self.reminders} reminder and {self.digests} digest "
                f"mails; "
                f"mail sent {self.mail.sent}, failed {self.mail.failed}, skipped {self.mail.skipped}; "
                f"webhook deliveries new {self.deliveries_created}, delivered {self.deliveries.delivered}, "
                f"failed {self.deliveries.failed}")


def run_tick() -> TickReport:
    today = timezone.localdate()
    assignments = reminders.queue_assignments()
    due = reminders.queue_reminders(today)
    digests = mail.queue_digests(today)
    sent = mail.send_due()
    created = webhooks.collect()
    delivered = webhooks.deliver_due()
    return TickReport(assignments, due, digests, sent, created, delivered)
