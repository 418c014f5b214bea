"""`clauseten worker`: django-tasks-db's worker, plus a clock that enqueues the follow-up pass every tick.

The worker loop itself is django-tasks-db's own (`db_worker`); we only add a thread that enqueues the
periodic task. Several workers may run at once: the pass is idempotent, and a tick is not enqueued
while one is already waiting.
"""

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from clauseten.notifications import config
from clauseten.notifications.tasks import follow_up_tick

logger = logging.getLogger(__name__)
TICK_PATH = follow_up_tick.module_path


def enqueue_tick() -> bool:
    """Enqueue the pass unless one is already waiting (a slow worker must not pile ticks up)."""
    close_old_connections()
    try:
        if DBTaskResult.objects.filter(task_path=TICK_PATH, status="READY").exists():
            return False
        follow_up_tick.enqueue()
        return True
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def clock(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            enqueue_tick()
        except Exception:  # a database hiccup must not stop the clock; the next tick tries again
            logger.exception("could not enqueue the follow-up tick")


class Command(DbWorkerCommand):
    help = "Run background tasks, and enqueue the follow-up pass (reminders, mail, webhooks) every tick."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--tick-seconds", type=float, default=None,
                            help="Seconds between follow-up passes (default: CLAUSETEN_TICK_SECONDS or 60).")
        parser.set_defaults(reload=False)

    def handle(self, *args, tick_seconds=None, **options):
        seconds = tick_seconds if tick_seconds is not None else config.tick_seconds()
        enqueue_tick()  # one pass at start, so a restarted worker catches up at once
        stop = threading.Event()
        if seconds > 0 and not options.get("batch"):
            threading.Thread(target=clock, args=(seconds, stop), name="follow-up-clock", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
