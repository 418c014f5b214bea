"""Register exports: exactly the register's rows for this user and these filters, as CSV and XLSX, streamed."""

import csv
import dataclasses
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from clauseten.accounts.services import api_token_create
from clauseten.nonconformities.scenarios import report

from .insight_fixtures import fresh_cache, login  # noqa: F401

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> list[dict]:
    assert isinstance(response, FileResponse)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)["Register"]
    header, *rows = list(sheet.values)
    return [dict(zip(header, row)) for row in rows]


def test_the_csv_has_every_row_the_register_shows_with_labels(client, manager, make_nc):
    major = make_nc("open", classification="major", title="Firewall rule review skipped")
    make_nc("reported")
    rows = csv_rows(login(client, manager).get("/reports/export/register.csv"))
    assert len(rows) == 2
    row = next(r for r in rows if r["Reference"] == major.reference)
    assert (row["Title"], row["State"], row["Classification"], row["Owner"]) == (
        "Firewall rule review skipped", "Open", "Major", "omar")
    assert row["Source"] == "Incident, near miss or weakness" and row["Management system"] == "ISMS"


def test_the_export_applies_the_register_filters_from_the_query_string(client, manager, make_nc):
    wanted = make_nc("open", classification="major")
    make_nc("open", classification="minor")
    still = make_nc("reported", title="Major in the title but still reported")
    rows = csv_rows(login(client, manager).get("/reports/export/register.csv?state=open&classification=major"))
    assert [r["Reference"] for r in rows] == [wanted.reference]
    assert [r["Reference"] for r in csv_rows(client.get("/reports/export/register.csv?q=still+reported"))] == [
        still.reference]


def test_a_reporter_exports_only_what_they_reported(client, cast, reporter, stranger):
    mine = report(cast, title="Mine")
    report(dataclasses.replace(cast, reporter=stranger), title="Someone else's")
    assert [r["Reference"] for r in csv_rows(login(client, reporter).get("/reports/export/register.csv"))] == [
        mine.reference]
    assert [r["Reference"] for r in xlsx_rows(client.get("/reports/export/register.xlsx"))] == [mine.reference]


def test_someone_with_nothing_of_their_own_exports_an_empty_register(client, stranger, make_nc):
    make_nc("open")
    assert csv_rows(login(client, stranger).get("/reports/export/register.csv")) == []


def test_exports_need_a_signed_in_user(client):
    assert client.get("/reports/export/register.csv").status_code == 302
    assert client.get("/api/v1/reports/export/register.xlsx").status_code == 401


def test_the_xlsx_has_the_same_rows_with_real_dates(client, auditor, make_nc):
    nc = make_nc("acting")
    rows = xlsx_rows(login(client, auditor).get("/reports/export/register.xlsx"))
    assert len(rows) == 1 and rows[0]["Reference"] == nc.reference and rows[0]["State"] == "Acting"
    assert rows[0]["Detected on"].date() == nc.detected_on and rows[0]["Closed at"] is None


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused(client, cast, manager):
    report(cast, title='=HYPERLINK("http://evil.example","click")', area="+1 area")
    rows = xlsx_rows(login(client, manager).get("/reports/export/register.xlsx"))
    assert rows[0]["Title"].startswith("'=HYPERLINK") and rows[0]["Area"] == "'+1 area"
    assert csv_rows(client.get("/reports/export/register.csv"))[0]["Title"].startswith("'=")


def test_the_api_exports_with_a_token_and_the_same_filters(client, cast, reporter, make_nc):
    mine = report(cast, title="Mine")
    make_nc("open")  # reported by the same reporter, but filtered out by state
    _, secret = api_token_create(user=reporter, name="sheet")
    response = client.get("/api/v1/reports/export/register.csv?state=reported",
                          HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and [r["Reference"] for r in csv_rows(response)] == [mine.reference]
    xlsx = client.get("/api/v1/reports/export/register.xlsx?state=reported", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [r["Reference"] for r in xlsx_rows(xlsx)] == [mine.reference]
