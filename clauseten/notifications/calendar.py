"""A person's private calendar: due dates of their open actions and the effectiveness reviews they own."""

from django.utils import timezone
from icalendar import Calendar, Event

from clauseten.nonconformities.models import State

from . import config, subjects


def _entry(*, uid: str, day, summary: str, description: str, link: str) -> Event:
    entry = Event()
    entry.add("uid", uid)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", day)  # a date: an all-day entry on the due date
    entry.add("summary", summary)
    entry.add("description", f"{description}\n\n{link}")
    entry.add("url", link)
    return entry


def feed_for(user) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Clause Ten//Follow-up//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Clause Ten: {user}")
    for action in subjects.open_actions().filter(owner=user).order_by("due_date", "id"):
        nc = action.nonconformity
        calendar.add_component(_entry(
            uid=f"action-{action.pk}@clauseten", day=action.due_date,
            summary=f"Due: {nc.reference} corrective action", description=action.description,
            link=config.record_link(nc.reference)))
    reviews = subjects.open_nonconformities().filter(owner=user, state=State.VERIFYING,
                                                     effectiveness_review_due__isnull=False)
    for nc in reviews.order_by("effectiveness_review_due", "id"):
        calendar.add_component(_entry(
            uid=f"review-{nc.pk}@clauseten", day=nc.effectiveness_review_due,
            summary=f"Effectiveness review: {nc.reference} {nc.title}", description=nc.effectiveness_criteria,
            link=config.record_link(nc.reference)))
    return calendar.to_ical()
