"""Reminders via a real SMTP server, the date moved by time_machine: each mail once, to the right people."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from clauseten.accounts.services import user_set_digest
from clauseten.nonconformities import services as nc_services
from clauseten.notifications.models import Delivery, Notification

DAY0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # a Monday


def at(days: int, minutes: int = 0):
    return time_machine.travel(DAY0 + dt.timedelta(days=days, minutes=minutes), tick=False)


def tick_twice():
    call_command("tick", verbosity=0)
    call_command("tick", verbosity=0)


@pytest.fixture
def acting_nc(make_nc):
    """Accepted on day 0 (owner omar, due day 60); an action for olga due on day 30."""
    with at(0):
        return make_nc("acting")


def test_each_step_of_the_ladder_mails_the_right_people_once(smtp, acting_nc, reviewer, manager):
    with at(0):
        tick_twice()
        assert smtp.summary(smtp.new()) == {("omar@example.test", "assigned"),
                                            ("olga@example.test", "assigned")}
    with at(26):
        tick_twice()
        assert smtp.new() == []
    with at(27):
        tick_twice()
        assert smtp.summary(smtp.new()) == {("olga@example.test", "due_soon")}
    with at(31):
        tick_twice()
        assert smtp.summary(smtp.new()) == {("olga@example.test", "overdue")}
    with at(37):
        tick_twice()
        assert smtp.summary(smtp.new()) == {("mona@example.test", "escalation_manager")}
    with at(51):
        tick_twice()
        assert smtp.summary(smtp.new()) == {("rosa@example.test", "escalation_review_team")}
    with at(52):
        tick_twice()
        assert smtp.new() == []


def test_each_mail_links_to_its_record(smtp, acting_nc, settings):
    settings.BASE_URL = "https://clauseten.example.org"
    with at(31):
        call_command("tick", verbosity=0)
    bodies = [m.get_payload(decode=True).decode() for m in smtp.new()]
    assert bodies and all(f"https://clauseten.example.org/ncs/{acting_nc.reference}/" in b for b in bodies)


def test_a_worker_back_after_a_long_stop_sends_each_step_once(smtp, acting_nc, reviewer):
    with at(60):
        tick_twice()
    sent = sorted((m["To"], m["X-ClauseTen-Notification"].split("/")[0]) for m in smtp.new())
    assert sent == sorted([
        ("omar@example.test", "assigned"), ("olga@example.test", "assigned"),
        ("olga@example.test", "overdue"), ("mona@example.test", "escalation_manager"),
        ("rosa@example.test", "escalation_review_team"),
        ("omar@example.test", "due_soon"),  # the NC's own closure date is day 60
    ])


def test_nothing_is_sent_for_a_cancelled_action(smtp, acting_nc, manager):
    with at(0):
        tick_twice()
        smtp.new()
        action = acting_nc.actions.get()
        nc_services.action_cancel(actor=manager, action=action, reason="Replaced by a better action.")
    with at(40):
        tick_twice()
    assert ("olga@example.test", "overdue") not in smtp.summary(smtp.new())


def test_a_mail_decided_before_the_action_was_done_is_not_sent_after(smtp, acting_nc, action_owner):
    with at(27):
        smtp.stop()
        call_command("tick", verbosity=0)  # decided, but the server is down
        action = acting_nc.actions.get()
        nc_services.action_complete(actor=action_owner, action=action, note="Done early.")
        smtp.start()
    with at(27, minutes=5):
        call_command("tick", verbosity=0)
    assert ("olga@example.test", "due_soon") not in smtp.summary(smtp.new())
    assert Notification.objects.get(kind="due_soon", recipient=action_owner).status == Delivery.SKIPPED


def test_a_failed_mail_is_retried_on_the_next_tick_and_delivered_once(smtp, acting_nc):
    smtp.stop()
    with at(0):
        call_command("tick", verbosity=0)
    pending = Notification.objects.filter(kind="assigned")
    assert {n.status for n in pending} == {Delivery.PENDING}
    assert all(n.attempts == 1 and n.last_error for n in pending)
    smtp.start()
    with at(0, minutes=2):
        tick_twice()
    assert smtp.summary(smtp.new()) == {("omar@example.test", "assigned"),
                                        ("olga@example.test", "assigned")}
    assert {(n.status, n.attempts) for n in pending.all()} == {(Delivery.SENT, 2)}


def test_a_failed_mail_waits_for_its_backoff(smtp, acting_nc):
    smtp.stop()
    with at(0):
        call_command("tick", verbosity=0)
    smtp.start()
    with at(0, minutes=0):
        call_command("tick", verbosity=0)
    assert smtp.new() == []


def test_digest_people_get_one_digest_instead_of_each_mail(smtp, acting_nc, action_owner):
    user_set_digest(user=action_owner, digest="daily")
    with at(0):
        tick_twice()
        assert smtp.summary(smtp.new()) == {("omar@example.test", "assigned"),
                                            ("olga@example.test", "digest")}
    with at(1):
        tick_twice()
        assert smtp.new() == []  # nothing new, nothing late: no empty digest
    with at(31):
        tick_twice()
        digests = smtp.new()
    assert smtp.summary(digests) == {("olga@example.test", "digest")}
    body = digests[0].get_payload(decode=True).decode()
    assert "overdue" in body and acting_nc.reference in body


def test_weekly_digest_people_get_one_mail_per_week(smtp, acting_nc, action_owner):
    user_set_digest(user=action_owner, digest="weekly")
    with at(31):  # Thursday: the week's digest goes at the first pass
        tick_twice()
    with at(32):
        tick_twice()
    assert [kind for to, kind in smtp.summary(smtp.new()) if to == "olga@example.test"] == ["digest"]
    with at(35):  # the next Monday
        tick_twice()
    assert smtp.summary(smtp.new()) >= {("olga@example.test", "digest")}


def test_reassigning_an_action_tells_the_new_owner(smtp, acting_nc, manager, owner):
    with at(0):
        tick_twice()
        smtp.new()
        action = acting_nc.actions.get()
        nc_services.action_update(actor=manager, action=action, version=action.version,
                                  changes={"owner": owner})
        tick_twice()
    assert smtp.summary(smtp.new()) == {("omar@example.test", "assigned")}


def test_the_effectiveness_review_falls_due_for_the_owner_and_managers(smtp, make_nc):
    with at(0):
        make_nc("verifying")
        tick_twice()
    review = {m for m in smtp.summary(smtp.new()) if m[1] == "review_due"}
    assert review == {("omar@example.test", "review_due"), ("mona@example.test", "review_due")}
