"""`make bench` must not rot: its quick form runs end to end and prints the table with the budgets.

Also the generator's promises at small size: a chain that verifies, unique references with their counters
moved on, every state present, and a refusal to write into a register that has records.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clauseten.events.services import verify_chain
from clauseten.nonconformities import selectors, services
from clauseten.nonconformities.generate import generate
from clauseten.nonconformities.models import Action, Nonconformity, ReferenceSequence, State

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_generated_history_verifies_and_later_reports_do_not_collide(manager):
    summary = generate(ncs=400, seed=3, years=1)
    assert summary.ncs == Nonconformity.objects.count() == 400
    report = verify_chain()
    assert report.intact, report
    assert report.count >= summary.events >= 400 * 5  # the fixtures' own users add a few events
    assert set(Nonconformity.objects.values_list("state", flat=True)) >= {
        State.REPORTED, State.CLOSED, State.REJECTED, State.DUPLICATE, State.MOVED, State.ACTING}
    assert Action.objects.count() == summary.actions > 400
    newest = Nonconformity.objects.order_by("-reported_at").first().reference
    key = newest.rsplit("-", 1)[0]
    assert ReferenceSequence.objects.get(key=key).last == int(newest.rsplit("-", 1)[1])
    nc = services.nonconformity_report(actor=manager, title="After the generator", description="x",
                                       requirement="A.5.1", area="IT", detected_on=Nonconformity.objects
                                       .order_by("-reported_at").first().detected_on, source="other")
    assert nc.reference not in set(Nonconformity.objects.exclude(pk=nc.pk).values_list("reference", flat=True))
    assert verify_chain().intact


@pytest.mark.django_db
def test_the_generator_refuses_a_register_with_records_unless_asked_to_append(make_nc):
    make_nc(State.REPORTED)
    with pytest.raises(CommandError, match="already holds"):
        call_command("generate", ncs=5)
    call_command("generate", ncs=20, append=True)
    assert Nonconformity.objects.count() == 21
    assert verify_chain().intact


@pytest.fixture
def generated(db):
    generate(ncs=700, seed=5, years=2)


def test_a_deep_page_is_the_same_rows_in_one_query(generated, manager):
    rows = selectors.register(manager, selectors.RegisterFilter(sort="newest"))
    expected = list(rows.values_list("reference", flat=True))[600:625]
    with CaptureQueriesContext(connection) as queries:
        page = rows[600:625]
    assert [nc.reference for nc in page] == expected
    assert len(queries) == 1


@pytest.mark.parametrize("sort", ["newest", "oldest", "reference", "-reference"])
def test_keyset_pages_walk_the_whole_register_in_order(generated, manager, sort):
    filters = selectors.RegisterFilter(sort=sort, state=["closed", "acting"])
    expected = list(selectors.register(manager, filters).values_list("reference", flat=True))
    walked, cursor = [], ""
    for _ in range(100):
        page, cursor = selectors.register_after(manager, filters, cursor, size=50)
        walked += [nc.reference for nc in page]
        if cursor is None:
            break
    assert walked == expected


def test_keyset_refuses_a_sort_with_empty_keys_and_ignores_a_foreign_cursor(generated, manager):
    with pytest.raises(ValidationError, match="cannot be paged by cursor"):
        selectors.register_after(manager, selectors.RegisterFilter(sort="due"))
    first, _ = selectors.register_after(manager, selectors.RegisterFilter(), "not-a-cursor", size=3)
    assert first == list(selectors.register(manager, selectors.RegisterFilter())[:3])


def test_the_owner_filter_offers_only_owners_of_records_the_user_sees(make_nc, owner, reporter, manager, stranger):
    make_nc("open")
    assert list(selectors.register_owners(manager)) == [owner]
    assert list(selectors.register_owners(reporter)) == [owner]  # the reporter of that record
    assert list(selectors.register_owners(stranger)) == []


@pytest.mark.django_db(transaction=True)
def test_the_count_is_cached_until_the_next_write(make_nc, manager):
    make_nc("reported")
    rows = selectors.register(manager, selectors.RegisterFilter())
    assert rows.count() == 1
    with CaptureQueriesContext(connection) as queries:
        assert selectors.register(manager, selectors.RegisterFilter()).count() == 1
    assert ["COUNT" in query["sql"] for query in queries.captured_queries] == [False]  # the chain head only
    make_nc("reported")
    assert selectors.register(manager, selectors.RegisterFilter()).count() == 2
    assert selectors.register(manager, selectors.RegisterFilter()).filter(state="closed").count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_cached_count_is_never_shared_between_people_who_see_different_rows(make_nc, manager, reporter, stranger):
    make_nc("reported")
    assert selectors.register(manager, selectors.RegisterFilter()).count() == 1
    assert selectors.register(reporter, selectors.RegisterFilter()).count() == 1
    assert selectors.register(stranger, selectors.RegisterFilter()).count() == 0
    assert selectors.register(stranger, selectors.RegisterFilter(owner="me")).count() == 0


def test_quick_bench_prints_the_table_with_budgets(tmp_path):
    out = tmp_path / "quick.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for expected in ("| what | p50 ms | p95 ms | floor p50 ms |", "list API", "register page", "## Budgets",
                     "verify-events", "load, list API", "budgets met"):
        assert expected in done.stdout, expected
    assert "## Budgets" in out.read_text()
