"""The worker runs the pass from the task queue; ticks at once never send the same mail twice."""

import signal
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_tasks_db.models import DBTaskResult

from clauseten.cli import main as cli_main
from clauseten.notifications import mail
from clauseten.notifications.models import Delivery, Notification
from clauseten.notifications.tasks import follow_up_tick

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def keep_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_follow_up_pass_from_the_queue(settings, smtp, make_nc, keep_signal_handlers):
    settings.TASKS = DB_TASKS
    make_nc("open")
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert smtp.summary(smtp.new()) == {("omar@example.test", "assigned")}
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        (follow_up_tick.module_path, "SUCCESSFUL")]


@pytest.mark.django_db(transaction=True)
def test_clauseten_worker_is_the_worker_command(settings, smtp, make_nc, keep_signal_handlers):
    settings.TASKS = DB_TASKS
    make_nc("open")
    cli_main(["worker", "--batch", "--no-startup-delay", "--verbosity", "0"])
    assert smtp.summary(smtp.new()) == {("omar@example.test", "assigned")}


@pytest.mark.django_db(transaction=True)
def test_a_waiting_tick_is_not_enqueued_twice(settings):
    from clauseten.notifications.management.commands.worker import enqueue_tick

    settings.TASKS = DB_TASKS
    assert enqueue_tick() is True
    assert enqueue_tick() is False
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_send_each_mail_once(smtp, make_nc, reviewer):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite answers "table is locked" to a second writer instead of waiting;
        # the file database Clause Ten runs on (WAL, immediate transactions) and PostgreSQL queue writers.
        pytest.skip("needs PostgreSQL or a file SQLite test database (CLAUSETEN_TEST_DB_NAME=/tmp/x.sqlite3)")
    make_nc("open")
    errors = []

    def tick():
        try:
            call_command("tick", verbosity=0)
        except Exception as exc:  # surfaced below: a failing thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    messages = smtp.new()
    assert sorted((m["To"], m["X-ClauseTen-Notification"].split("/")[0]) for m in messages) == [
        ("omar@example.test", "assigned")]


def test_the_database_refuses_a_second_row_for_the_same_occasion(make_nc, owner):
    make_nc("open")
    key = {"kind": "overdue", "subject_key": "nc:1", "occasion": "2026-01-01", "recipient": owner}
    row = mail.queue(**key, record="NC-X")
    assert row is not None
    assert mail.queue(**key) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(**key, subject_line="x", body="x")


def test_a_mail_claimed_by_another_worker_is_left_to_it(smtp, make_nc):
    make_nc("open")
    call_command("tick", verbosity=0)  # decides and sends the assignment
    smtp.new()
    row = Notification.objects.get(kind="assigned")
    Notification.objects.filter(pk=row.pk).update(status=Delivery.PENDING)
    claimed = Notification.objects.filter(pk=row.pk, status=Delivery.PENDING).update(status=Delivery.SENDING)
    assert claimed == 1
    report = mail.send_due()
    assert report.sent == 0 and smtp.new() == []
