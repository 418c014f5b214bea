"""The evidence pack: one ZIP that `sha256sum -c` checks offline, built in the background, for auditors."""

import csv
import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.utils import timezone

from clauseten.events.chain import event_hash
from clauseten.events.models import Event
from clauseten.nonconformities.models import Attachment
from clauseten.reports.models import EvidencePack

PAGE = "/reports/evidence-pack/"
API = "/api/v1/reports/evidence-pack"


@pytest.fixture
def records(make_nc):
    """Two closed NCs with evidence and one just reported."""
    return [make_nc("closed"), make_nc("closed", title="Server room door propped open"), make_nc("reported")]


def request_pack(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, data)
    assert response.status_code == 302, response.content
    return EvidencePack.objects.latest("id")


def download(client, pack) -> bytes:
    response = client.get(f"/reports/evidence-pack/{pack.pk}.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def unzip(content: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(folder)
        return sorted(archive.namelist())


def sha256sum_check(folder):
    if not shutil.which("sha256sum"):
        pytest.skip("sha256sum (coreutils) is missing")
    return subprocess.run(["sha256sum", "--strict", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, check=False,
                          text=True)


def test_an_auditor_downloads_a_pack_that_sha256sum_verifies_and_tampering_fails(
        client, auditor, records, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    pack = request_pack(client, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    assert pack.status == "ready" and pack.nc_count == 3 and pack.chain_intact is True

    names = unzip(download(client, pack), tmp_path)
    references = sorted(nc.reference for nc in records)
    evidence = Attachment.objects.filter(nonconformity=records[0]).get()
    assert {"register.csv", "events.jsonl", "chain.json", "MANIFEST.sha256"} <= set(names)
    assert {f"car/{ref}.pdf" for ref in references} <= set(names)
    assert f"attachments/{records[0].reference}/{evidence.sha256}-{evidence.name}" in names

    checked = sha256sum_check(tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(names) - 1  # every file but the manifest itself

    (tmp_path / "register.csv").write_text("reference\nNC-0000-0000\n")
    tampered = sha256sum_check(tmp_path)
    assert tampered.returncode != 0 and "register.csv: FAILED" in tampered.stdout


def test_the_pack_holds_the_register_the_chain_head_and_checkable_events(
        client, auditor, records, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    pack = request_pack(client, django_capture_on_commit_callbacks)
    unzip(download(client, pack), tmp_path)

    rows = list(csv.DictReader(io.StringIO((tmp_path / "register.csv").read_text("utf-8-sig"))))
    assert sorted(row["reference"] for row in rows) == sorted(nc.reference for nc in records)
    chain = json.loads((tmp_path / "chain.json").read_text())
    newest = Event.objects.order_by("seq").last()
    assert chain["head"] == {"seq": newest.seq, "hash": newest.hash}
    assert chain["verify"]["intact"] is True and chain["evidence_mismatches"] == []

    lines = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert {line["record"] for line in lines} == {nc.reference for nc in records}
    for line in lines:  # the offline recomputation docs/evidence.md describes
        at = timezone.datetime.fromisoformat(line["at"])
        fields = {k: v for k, v in line.items() if k not in ("hash", "at", "prev_hash")}
        assert event_hash(prev_hash=line["prev_hash"], at=at, **fields) == line["hash"]


def test_the_filter_picks_by_state_management_system_and_reported_date(
        client, manager, records, django_capture_on_commit_callbacks):
    client.force_login(manager)
    today = timezone.localdate().isoformat()
    pack = request_pack(client, django_capture_on_commit_callbacks, state=["closed"], reported_from=today,
                        reported_to=today, management_system=records[0].management_system_id)
    pack.refresh_from_db()
    assert pack.nc_count == 2
    with zipfile.ZipFile(io.BytesIO(download(client, pack))) as archive:
        assert f"car/{records[2].reference}.pdf" not in archive.namelist()
    empty = request_pack(client, django_capture_on_commit_callbacks, reported_to="2000-01-01")
    empty.refresh_from_db()
    assert empty.status == "ready" and empty.nc_count == 0


def test_the_page_shows_building_until_the_worker_has_built_it(client, auditor, records):
    client.force_login(auditor)
    client.post(PAGE, {})  # the build is enqueued on commit, which has not happened yet
    page = client.get(PAGE).content.decode()
    assert "building…" in page and 'hx-trigger="every 2s"' in page
    assert "building…" in client.get("/reports/evidence-pack/list/").content.decode()


def test_a_bad_date_is_a_field_error_and_no_pack(client, auditor, db):
    client.force_login(auditor)
    response = client.post(PAGE, {"reported_from": "31/12/2025", "reported_to": "2025-01-01"})
    assert response.status_code == 422
    assert "Give a date as YYYY-MM-DD." in response.content.decode()
    assert not EvidencePack.objects.exists()


def test_a_failed_build_says_so(client, auditor, records, django_capture_on_commit_callbacks):
    Attachment.objects.filter(nonconformity=records[0]).update(file="evidence/missing/file")
    client.force_login(auditor)
    pack = request_pack(client, django_capture_on_commit_callbacks)
    pack.refresh_from_db()
    assert pack.status == "failed" and pack.error
    assert "failed" in client.get(PAGE).content.decode()
    assert client.get(f"/reports/evidence-pack/{pack.pk}.zip").status_code == 404


def test_the_api_builds_in_the_background_then_answers_the_zip(
        client, auditor, records, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.get(API, {"state": "closed"})
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == "building"
    status = client.get(body["status_url"]).json()
    assert status["status"] == "ready" and status["nc_count"] == 2
    again = client.get(API, {"state": "closed"})  # nothing recorded since: the same pack, ready
    assert again.status_code == 200 and again["Content-Type"] == "application/zip"
    assert EvidencePack.objects.count() == 1
    zipped = client.get(status["download_url"])
    assert zipped.status_code == 200


def test_the_api_refuses_a_bad_filter_with_422(client, auditor, db):
    client.force_login(auditor)
    response = client.get(API, {"reported_from": "soon", "state": "sleeping"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"reported_from", "state"}


@pytest.mark.parametrize("persona", ["reporter", "owner", "approver", "stranger"])
def test_others_may_not_ask_for_a_pack(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {}).status_code == 403
    assert client.get(API).status_code == 403
    assert not EvidencePack.objects.exists()


def test_a_pack_is_downloaded_only_by_who_asked_for_it(
        client, auditor, manager, records, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    pack = request_pack(client, django_capture_on_commit_callbacks)
    client.force_login(manager)
    assert client.get(f"/reports/evidence-pack/{pack.pk}.zip").status_code == 404
    assert client.get(f"/api/v1/reports/evidence-packs/{pack.pk}").status_code == 404
    assert client.get(f"/api/v1/reports/evidence-packs/{pack.pk}/zip").status_code == 404


def test_asking_for_a_pack_is_in_the_history(client, auditor, db, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    request_pack(client, django_capture_on_commit_callbacks)
    event = Event.objects.order_by("seq").last()
    assert (event.verb, event.actor_id) == ("evidence_pack.requested", auditor.pk)


def test_an_evidence_file_changed_in_storage_is_named_in_chain_json(
        client, auditor, records, tmp_path, django_capture_on_commit_callbacks):
    evidence = Attachment.objects.filter(nonconformity=records[0]).get()
    with evidence.file.storage.open(evidence.file.name, "wb") as stored:
        stored.write(b"swapped after upload\n")
    client.force_login(auditor)
    unzip(download(client, request_pack(client, django_capture_on_commit_callbacks)), tmp_path)
    mismatches = json.loads((tmp_path / "chain.json").read_text())["evidence_mismatches"]
    assert [m["recorded"] for m in mismatches] == [evidence.sha256]
