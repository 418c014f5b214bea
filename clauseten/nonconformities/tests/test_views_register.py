"""The register page: filters in the URL, sorting, pagination, htmx partial, a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clauseten.nonconformities import services

URL = reverse("nonconformities:register")


def refs(response) -> list[str]:
    return [nc.reference for nc in response.context["page"].object_list]


@pytest.fixture
def records(make_nc, manager):
    badge = make_nc("reported", title="Visitor badge not returned")
    laptop = make_nc("acting", title="Unencrypted laptop found", classification="major", source="inspection",
                     area="Finance")
    late = make_nc("open", title="Backup restore test skipped")
    # Make one record overdue by moving its due date into the past (detected earlier so the dates stay in order).
    late = services.nonconformity_update(actor=manager, nc=late, version=late.version, changes={
        "detected_on": timezone.localdate() - dt.timedelta(days=40),
        "correction_due": timezone.localdate() - dt.timedelta(days=10),
        "due_date": timezone.localdate() - dt.timedelta(days=3)})
    return {"badge": badge, "laptop": laptop, "late": late}


def test_it_lists_what_the_manager_may_see_newest_first(client, manager, records):
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert refs(response) == [records["late"].reference, records["laptop"].reference, records["badge"].reference]
    assert b"overdue by 3 days" in response.content


def test_it_filters_by_state_source_classification_and_text(client, manager, records):
    client.force_login(manager)
    assert refs(client.get(URL, {"state": "reported"})) == [records["badge"].reference]
    assert refs(client.get(URL, {"source": "inspection"})) == [records["laptop"].reference]
    assert refs(client.get(URL, {"classification": "major"})) == [records["laptop"].reference]
    assert refs(client.get(URL, {"q": "laptop"})) == [records["laptop"].reference]
    assert refs(client.get(URL, {"q": records["badge"].reference})) == [records["badge"].reference]


def test_it_filters_overdue_and_by_owner(client, manager, owner, records):
    client.force_login(manager)
    assert refs(client.get(URL, {"overdue": "1"})) == [records["late"].reference]
    assert set(refs(client.get(URL, {"owner": owner.username}))) == {records["late"].reference,
                                                                     records["laptop"].reference}
    assert refs(client.get(URL, {"owner": "me"})) == []


def test_it_keeps_the_filters_in_the_form_and_the_sort_links(client, manager, records):
    client.force_login(manager)
    body = client.get(URL, {"state": "acting", "q": "laptop"}).content.decode()
    assert '<option value="acting" selected>' in body
    assert 'value="laptop"' in body
    assert "state=acting" in body and "sort=reference" in body


def test_it_sorts_by_a_column_and_reverses_it(client, manager, records):
    client.force_login(manager)
    ascending = refs(client.get(URL, {"sort": "reference"}))
    assert ascending == sorted(ascending)
    assert refs(client.get(URL, {"sort": "-reference"})) == ascending[::-1]
    dated = refs(client.get(URL, {"sort": "due", "owner": "omar"}))  # records with a due date
    assert dated == [records["late"].reference, records["laptop"].reference]


def test_it_ignores_unknown_filter_values_so_old_bookmarks_open(client, manager, records):
    client.force_login(manager)
    response = client.get(URL, {"state": "nonsense", "sort": "drop table", "page": "99"})
    assert response.status_code == 200 and len(refs(response)) == 3


def test_it_pages_by_25_and_page_links_keep_the_filters(client, manager, cast):
    from clauseten.nonconformities.scenarios import report

    for n in range(27):
        report(cast, title=f"Clean desk finding {n}")
    client.force_login(manager)
    first = client.get(URL, {"q": "clean desk"})
    assert len(refs(first)) == 25 and first.context["page"].paginator.num_pages == 2
    assert "q=clean+desk&amp;page=2" in first.content.decode()
    assert len(refs(client.get(URL, {"q": "clean desk", "page": "2"}))) == 2


def test_an_htmx_request_gets_only_the_table(client, manager, records):
    client.force_login(manager)
    response = client.get(URL, {"state": "reported"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "<table" in body and records["badge"].reference in body
    assert 'hx-swap-oob="true"' in body  # the form's sort field follows the table
    assert "HX-Request" in response["Vary"]
    restore = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_a_reporter_sees_only_their_own_records(client, reporter, stranger, records):
    client.force_login(reporter)
    assert len(refs(client.get(URL))) == 3  # the cast's reporter reported them all
    client.force_login(stranger)
    assert refs(client.get(URL)) == []


def test_it_needs_a_signed_in_person(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_runs_the_same_number_of_queries_for_5_rows_as_for_50(client, manager, cast):
    from clauseten.nonconformities.scenarios import report, walk

    def add(count):
        for n in range(count):
            nc = report(cast, title=f"Record {n}")
            if n % 2:
                walk(nc, cast, "open")  # with an owner, so the owner column is filled

    def queries_for_page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"per_page": "50"})
        return len(refs(response)), len(queries)

    client.force_login(manager)
    add(5)
    rows, few = queries_for_page()
    assert rows == 5
    add(45)
    rows, many = queries_for_page()
    assert rows == 50 and many == few
