"""Shared by the insight tests: a cleared cache per test and helpers that set known timestamps."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from clauseten.nonconformities.models import Nonconformity


@pytest.fixture(autouse=True)
def fresh_cache():
    # Each test's database starts from the same event count: a figure cached by the last test must not leak.
    cache.clear()
    yield
    cache.clear()


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def set_fields(nc, **fields) -> Nonconformity:
    """Give a record known timestamps (a constructed data set), bypassing services on purpose: tests only."""
    Nonconformity.objects.filter(pk=nc.pk).update(**fields)
    nc.refresh_from_db()
    return nc


def login(client, user):
    client.force_login(user)
    return client
