"""The private calendar feed: exactly the person's open due dates and reviews; the secret is the key."""

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from clauseten.events.models import Event
from clauseten.nonconformities import services as nc_services
from clauseten.notifications import services
from clauseten.notifications.models import CalendarToken


def feed(client, url: str) -> Calendar:
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def entries(calendar: Calendar) -> list[tuple[dt.date, str]]:
    return sorted((e.decoded("dtstart"), str(e["summary"])) for e in calendar.walk("VEVENT"))


@pytest.fixture
def records(make_nc, cast):
    """olga: one open action (day 30), one cancelled, one done; omar: one open action and one review due."""
    today = timezone.localdate()
    acting = make_nc("acting")
    cancelled = nc_services.action_plan(actor=cast.manager, nc=acting, owner=cast.action_owner,
                                        due_date=today + dt.timedelta(days=10), description="Withdrawn idea")
    nc_services.action_cancel(actor=cast.manager, action=cancelled, reason="Not needed after all.")
    nc_services.action_plan(actor=cast.manager, nc=acting, owner=cast.owner,
                            due_date=today + dt.timedelta(days=12),
                            description="Omar's own action")
    verifying = make_nc("verifying", title="Second record")  # olga's action there is done
    return acting, verifying


def test_the_feed_holds_exactly_the_persons_open_due_dates(client, records, action_owner):
    acting, _ = records
    _, secret = services.calendar_token_create(actor=action_owner)
    calendar = feed(client, f"/notifications/calendar/{secret}.ics")
    assert entries(calendar) == [(timezone.localdate() + dt.timedelta(days=30),
                                  f"Due: {acting.reference} corrective action")]


def test_the_feed_holds_the_reviews_the_person_is_responsible_for(client, records, owner):
    acting, verifying = records
    _, secret = services.calendar_token_create(actor=owner)
    today = timezone.localdate()
    assert entries(feed(client, f"/notifications/calendar/{secret}.ics")) == [
        (today, f"Effectiveness review: {verifying.reference} {verifying.title}"),
        (today + dt.timedelta(days=12), f"Due: {acting.reference} corrective action"),
    ]


def test_the_calendar_page_shows_the_url_once_and_it_works(client, records, action_owner):
    client.force_login(action_owner)
    page = client.post("/notifications/calendar/", {"do": "create"})
    url = page.context["url"]
    assert url in page.content.decode()
    assert len(entries(feed(client, url))) == 1
    again = client.get("/notifications/calendar/")
    assert url not in again.content.decode() and b"A calendar URL is active" in again.content


def test_only_a_hash_of_the_secret_is_stored(db, action_owner):
    token, secret = services.calendar_token_create(actor=action_owner)
    stored = CalendarToken.objects.get(pk=token.pk)
    assert stored.digest == CalendarToken.digest_of(secret) and secret not in (stored.digest, stored.prefix)


def test_a_revoked_url_stops_working(client, records, action_owner):
    client.force_login(action_owner)
    url = client.post("/notifications/calendar/", {"do": "create"}).context["url"]
    client.post("/notifications/calendar/", {"do": "revoke"})
    client.logout()
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 404
    verbs = list(Event.objects.filter(subject_type="notifications.calendartoken")
                 .values_list("verb", flat=True))
    assert verbs == ["calendar_token.created", "calendar_token.revoked"]


def test_making_a_new_url_revokes_the_old_one(client, db, action_owner):
    _, old = services.calendar_token_create(actor=action_owner)
    _, new = services.calendar_token_create(actor=action_owner)
    assert client.get(f"/notifications/calendar/{old}.ics").status_code == 404
    assert client.get(f"/notifications/calendar/{new}.ics").status_code == 200


def test_an_unknown_token_is_not_found(client, db):
    assert client.get("/notifications/calendar/cal_guess.ics").status_code == 404


def test_a_deactivated_persons_feed_is_not_found(client, db, action_owner):
    _, secret = services.calendar_token_create(actor=action_owner)
    type(action_owner).objects.filter(pk=action_owner.pk).update(is_active=False)
    assert client.get(f"/notifications/calendar/{secret}.ics").status_code == 404


def test_the_calendar_page_needs_a_sign_in(client, db):
    response = client.get("/notifications/calendar/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
