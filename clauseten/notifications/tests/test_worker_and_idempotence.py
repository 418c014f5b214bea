"""The worker runs the pass from the task queue; ticks at once never send the same mail twice."""

import os
import signal
import sqlite3
import subprocess
import sys
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


def ticks_in_threads(count: int) -> list[Exception]:
    errors = []

    def tick():
        try:
            call_command("tick", verbosity=0)
        except Exception as exc:  # noqa: BLE001 — surfaced by the caller: a failing thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_ticks_at_once_on_the_test_database_send_each_mail_once(smtp, make_nc, reviewer):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Shared-cache in-memory SQLite answers "table is locked" to a second writer instead of waiting; the
        # next test runs separate processes on a file database, as Clause Ten runs on SQLite.
        return
    make_nc("open")
    assert ticks_in_threads(4) == []
    messages = smtp.new()
    assert sorted((m["To"], m["X-ClauseTen-Notification"].split("/")[0]) for m in messages) == [
        ("omar@example.test", "assigned")]


# People without passwords (hashing is slow by design) and three records in 'acting', in a fresh database.
SETUP_RECORDS = """
import django
django.setup()
from clauseten.accounts.services import user_create
from clauseten.catalog.models import ManagementSystem
from clauseten.nonconformities.scenarios import Cast, report, walk
ManagementSystem.objects.create(name="ISMS", standards="ISO/IEC 27001:2022")
people = {name: user_create(username=name, email=f"{name}@example.test", roles=[role]) for name, role in
          [("rita", "reporter"), ("mona", "manager"), ("omar", "action_owner"), ("olga", "action_owner")]}
cast = Cast(reporter=people["rita"], manager=people["mona"], owner=people["omar"],
            action_owner=people["olga"])
for number in range(3):
    walk(report(cast, title=f"Record {number}"), cast, "acting")
"""


def test_workers_in_separate_processes_on_sqlite_send_each_mail_once(smtp, tmp_path):
    env = {**os.environ, "CLAUSETEN_DEBUG": "true", "CLAUSETEN_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "clauseten.settings", "CLAUSETEN_EMAIL_HOST": "127.0.0.1",
           "CLAUSETEN_EMAIL_PORT": str(smtp.port),
           "CLAUSETEN_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "clauseten.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run([sys.executable, "-c", SETUP_RECORDS], env=env, check=True, timeout=120)
    workers = [subprocess.Popen([*cli, "tick", "-v0"], env=env) for _ in range(3)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0]
    subprocess.run([*cli, "tick", "-v0"], env=env, check=True, timeout=120)
    ids = [m["X-ClauseTen-Notification"] for m in smtp.new()]
    assert len(ids) == 6 and len(ids) == len(set(ids))  # three NCs: their owner and their action's owner
    decided = sqlite3.connect(tmp_path / "clauseten.sqlite3").execute(
        "SELECT COUNT(*), SUM(status = 'sent') FROM notifications_notification WHERE status != 'held'"
    ).fetchone()
    assert decided == (len(ids), len(ids))


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
