"""GET /nonconformities: the register's filters (the same parser as the pages), paging, and a fixed query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clauseten.nonconformities.models import State
from clauseten.nonconformities.scenarios import report, walk

from .test_api_support import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(cast, make_nc):
    """Three records: an old overdue major one owned by omar, a fresh open minor one, one only reported."""
    old = make_nc("open", classification="major", title="Firewall rule review skipped",
                  detected_on=timezone.localdate() - dt.timedelta(days=200), source="internal_audit")
    old.due_date = timezone.localdate() - dt.timedelta(days=3)
    old.save(update_fields=["due_date"])  # test set-up only: an NC whose due date has passed
    fresh = make_nc("open", title="Visitor badge not returned")
    reported = make_nc("reported", title="Laptop left unlocked", source="policy_deviation")
    return old, fresh, reported


def _references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def test_the_register_filters_by_repeatable_state_and_source(register, manager):
    old, fresh, reported = register
    mona = Api(manager)
    assert set(_references(mona.get("/nonconformities", state=["open", "reported"]))) == {
        old.reference, fresh.reference, reported.reference}
    assert _references(mona.get("/nonconformities", state="reported")) == [reported.reference]
    assert _references(mona.get("/nonconformities", source="internal_audit")) == [old.reference]
    assert _references(mona.get("/nonconformities", classification="major")) == [old.reference]


def test_the_register_filters_by_owner_overdue_and_text(register, manager, owner):
    old, fresh, reported = register
    mona = Api(manager)
    assert set(_references(mona.get("/nonconformities", owner="omar"))) == {old.reference, fresh.reference}
    assert set(_references(Api(owner).get("/nonconformities", owner="me"))) == {old.reference, fresh.reference}
    assert _references(mona.get("/nonconformities", overdue="true")) == [old.reference]
    assert _references(mona.get("/nonconformities", q="laptop")) == [reported.reference]
    assert _references(mona.get("/nonconformities", q=fresh.reference)) == [fresh.reference]


def test_unknown_filter_values_are_dropped_so_old_links_still_work(register, manager):
    assert len(_references(Api(manager).get("/nonconformities", state="lost", sort="sideways"))) == 3


def test_the_register_sorts(register, manager):
    old, fresh, _ = register
    mona = Api(manager)
    assert _references(mona.get("/nonconformities", sort="due", state="open")) == [old.reference, fresh.reference]
    # Records without a due date (not triaged yet) come last both ways, on SQLite as on PostgreSQL.
    assert _references(mona.get("/nonconformities", sort="due"))[-1] == register[2].reference
    assert _references(mona.get("/nonconformities", sort="-due"))[-1] == register[2].reference
    assert _references(mona.get("/nonconformities", sort="reference")) == sorted(r.reference for r in register)


def test_the_register_pages(register, manager):
    mona = Api(manager)
    first = mona.get("/nonconformities", page_size=2, sort="reference").json()
    second = mona.get("/nonconformities", page_size=2, page=2, sort="reference").json()
    assert (first["count"], first["page"], first["page_size"]) == (3, 1, 2)
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert mona.get("/nonconformities", page=9).json()["results"] == []


def test_the_register_pages_by_cursor_to_the_end(register, manager):
    mona = Api(manager)
    seen, cursor = [], ""
    for _ in range(5):  # bounded: 3 records at 2 a page is 2 pages
        body = mona.get("/nonconformities", page_size=2, sort="reference", cursor=cursor).json()
        seen += [row["reference"] for row in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(nc.reference for nc in register)
    # The newest-first default pages the same way, with no row twice.
    first = mona.get("/nonconformities", page_size=2).json()
    rest = mona.get("/nonconformities", page_size=2, cursor=first["next_cursor"]).json()
    assert rest["next_cursor"] is None
    assert len({row["reference"] for row in first["results"] + rest["results"]}) == 3


def test_a_cursor_on_a_sort_without_one_is_422(register, manager):
    response = Api(manager).get("/nonconformities", sort="due", cursor="abc")
    assert response.status_code == 422 and "cursor" in response.json()["errors"]


@pytest.mark.parametrize("query", [{"page_size": 101}, {"page_size": 0}, {"page": 0}, {"page": "two"}])
def test_paging_out_of_bounds_is_422(query, manager):
    response = Api(manager).get("/nonconformities", **query)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(query)


def test_the_register_runs_a_fixed_number_of_queries_whatever_the_page_size(cast, manager):
    records = [report(cast, title=f"Finding {n:02}") for n in range(50)]
    for nc in records[:10]:  # some with an owner, so every joined column is filled somewhere
        walk(nc, cast, State.OPEN)
    mona = Api(manager)
    counts = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = mona.get("/nonconformities", page_size=size, sort="title")
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6


def test_the_detail_runs_a_fixed_number_of_queries_whatever_its_parts(make_nc, manager):
    from clauseten.nonconformities import services

    # Same kinds of parts, different numbers of them: an empty part costs no query, so both have each kind.
    small, large = make_nc("acting"), make_nc("acting")
    services.comment_add(actor=manager, nc=small, body="One comment")
    for n in range(5):
        services.action_plan(actor=manager, nc=large, owner=large.owner, description=f"Step {n}",
                             due_date=large.detected_on)
        services.comment_add(actor=manager, nc=large, body=f"Comment {n}")
    mona = Api(manager)
    counts = []
    for nc in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert mona.get(f"/nonconformities/{nc.reference}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
