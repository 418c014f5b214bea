"""Mail: deciding a notification once (its row), sending it after commit, retrying what failed, digests.

A row is created inside the transaction that decides it; the UNIQUE key (kind, subject, recipient,
occasion) refuses a second one, so a tick run twice or two workers at once decide each mail once.
Sending happens after that transaction committed: a worker claims a row (pending -> sending, a single
UPDATE that only one worker can win), sends, and marks it sent, or puts it back with its next try.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clauseten.accounts.models import User

from . import config, subjects
from .models import Delivery, Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind


def render(kind: str, context: dict) -> tuple[str, str]:
    """A mail template's first line is the subject; the rest is the body."""
    text = render_to_string(f"notifications/mail/{kind}.txt", context).strip()
    subject_line, _, body = text.partition("\n")
    return subject_line.strip()[:200], body.strip() + "\n"


def queue(*, kind: str, subject_key: str, occasion: str, recipient: User, record: str = "",
          context: dict | None = None) -> Notification | None:
    """Decide one mail. Returns None if it was decided before (or the person has no address)."""
    if not recipient.is_active or not recipient.email:
        return None
    key = {"kind": kind, "subject_key": subject_key, "recipient": recipient, "occasion": occasion}
    if Notification.objects.filter(**key).exists():
        return None
    link = config.record_link(record) if record else ""
    subject_line, body = render(kind, {"recipient": recipient, "base_url": settings.BASE_URL, "link": link,
                                       "record": record, **(context or {})})
    immediate = recipient.digest == User.Digest.IMMEDIATE or kind == Kind.DIGEST
    try:
        # A savepoint, so a concurrent worker's identical decision only undoes this one row.
        with transaction.atomic():
            return Notification.objects.create(**key, record=record, subject_line=subject_line, body=body,
                                               status=Delivery.PENDING if immediate else Delivery.HELD)
    except IntegrityError:
        return None


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def send_due(*, limit: int = 500) -> SendReport:
    """Send every pending mail whose time has come. Outside any transaction: each row commits on its own."""
    now = timezone.now()
    report = SendReport()
    Notification.objects.filter(status=Delivery.SENDING,
                                claimed_at__lt=now - dt.timedelta(seconds=config.STALE_CLAIM_SECONDS)) \
        .update(status=Delivery.PENDING)
    due = list(Notification.objects.filter(status=Delivery.PENDING, next_attempt_at__lte=now)
               .select_related("recipient").order_by("next_attempt_at", "id")[:limit])
    connection = get_connection(fail_silently=False)
    try:
        for notification in due:
            claimed = Notification.objects.filter(pk=notification.pk, status=Delivery.PENDING) \
                .update(status=Delivery.SENDING, claimed_at=now)
            if not claimed:
                continue  # another worker has it
            if notification.kind != Kind.DIGEST and not subjects.is_open(notification.subject_key):
                _finish(notification, status=Delivery.SKIPPED)
                report.skipped += 1
                continue
            try:
                _message(notification, connection).send()
            except Exception as exc:  # noqa: BLE001 — SMTP, DNS, socket: all mean "try later", never "lost"
                _failed(notification, exc)
                report.failed += 1
                connection.close()
            else:
                _finish(notification, status=Delivery.SENT)
                report.sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a half-open SMTP session must not hide the report
            logger.debug("closing the mail connection failed", exc_info=True)
    return report


def _message(notification: Notification, connection) -> EmailMessage:
    return EmailMessage(subject=notification.subject_line, body=notification.body,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.recipient.email],
                        connection=connection,
                        headers={"X-ClauseTen-Notification": f"{notification.kind}/{notification.pk}"})


def _finish(notification: Notification, *, status: str) -> None:
    if status == Delivery.SENT:
        Notification.objects.filter(pk=notification.pk).update(
            status=status, sent_at=timezone.now(), attempts=notification.attempts + 1, last_error="")
    else:
        Notification.objects.filter(pk=notification.pk).update(status=status)


def _failed(notification: Notification, exc: Exception) -> None:
    attempts = notification.attempts + 1
    next_try = timezone.now() + dt.timedelta(seconds=config.retry_delay_seconds(attempts))
    logger.warning("mail %s to %s failed (attempt %s): %s", notification.pk, notification.recipient.email,
                   attempts, exc)
    Notification.objects.filter(pk=notification.pk).update(
        status=Delivery.PENDING, attempts=attempts, next_attempt_at=next_try, last_error=repr(exc)[:2000])


# --- digests ----------------------------------------------------------------------------------------------

def digest_period(user: User, today: dt.date) -> str:
    if user.digest == User.Digest.WEEKLY:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    return today.isoformat()


def queue_digests(today: dt.date) -> int:
    """One mail per period per digest person: what reached them since the last one, and what is late."""
    made = 0
    people = (User.objects.filter(is_active=True, digest__in=[User.Digest.DAILY, User.Digest.WEEKLY])
              .exclude(email=""))
    for user in people.iterator():
        period = digest_period(user, today)
        if Notification.objects.filter(kind=Kind.DIGEST, subject_key=f"user:{user.pk}", recipient=user,
                                       occasion=period).exists():
            continue
        with transaction.atomic():
            held = list(Notification.objects.select_for_update().filter(recipient=user, status=Delivery.HELD))
            still_open = [n for n in held if subjects.is_open(n.subject_key)]
            late = subjects.late_for(user, today)
            if not still_open and not late:
                continue
            digest = queue(kind=Kind.DIGEST, subject_key=f"user:{user.pk}", occasion=period, recipient=user,
                           context={"items": still_open, "late": late, "period": period, "today": today,
                                    "weekly": user.digest == User.Digest.WEEKLY})
            if digest is None:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in still_open]).update(status=Delivery.DIGESTED,
                                                                                   digest=digest)
            Notification.objects.filter(pk__in=[n.pk for n in held if n not in still_open]) \
                .update(status=Delivery.SKIPPED)
            made += 1
    return made
