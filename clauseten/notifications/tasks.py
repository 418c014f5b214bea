"""Background tasks (django-tasks). A task only calls into the modules that do the work."""

from django_tasks import task

from .tick import run_tick


@task()
def follow_up_tick() -> str:
    """The periodic pass: reminders, escalations, digests, mail and webhook deliveries."""
    return str(run_tick())
