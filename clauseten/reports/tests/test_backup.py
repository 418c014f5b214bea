"""Backup and restore: an empty database gets back every record, user and file; anything doubtful is refused."""

import hashlib
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from clauseten.accounts.services import api_token_create
from clauseten.events.models import Event
from clauseten.events.services import verify_chain
from clauseten.nonconformities import services
from clauseten.reports.backup import _file_names, backed_up_models, serialized_rows
from clauseten.reports.evidence_pack import PackFilter, evidence_pack_request


@pytest.fixture
def estate(make_nc, manager, auditor, django_capture_on_commit_callbacks):
    """Records in many states, a link, a comment, a token and a built evidence pack (a file of its own)."""
    closed = make_nc("closed")
    open_nc = make_nc("investigating", title="Clean desk policy ignored")
    services.nonconformity_link(actor=manager, nc=open_nc, target=closed, kind="recurrence")
    services.comment_add(actor=manager, nc=open_nc, body="Seen again on floor 3 — naïve fix didn't hold.")
    make_nc("reported")
    api_token_create(user=auditor, name="audit script")
    with django_capture_on_commit_callbacks(execute=True):
        evidence_pack_request(actor=auditor, filters=PackFilter())
    return closed


def full_dump() -> dict:
    """Every backed-up row as serialized (with password hashes), and the SHA-256 of every stored file."""
    rows = {m._meta.label_lower: list(serialized_rows(m, with_passwords=True)) for m in backed_up_models()}
    files = {}
    for model in backed_up_models():
        for name in _file_names(model):
            with default_storage.open(name, "rb") as stored:
                files[name] = hashlib.sha256(stored.read()).hexdigest()
    return {"rows": rows, "files": files}


def empty_the_database_and_storage(dump: dict) -> None:
    if connection.vendor == "postgresql":  # TRUNCATE inside the test's transaction needs no pending FK checks
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    for name in dump["files"]:
        default_storage.delete(name)


def rewrite(source, target, changes: dict[str, bytes]) -> None:
    """Copy an archive changing some members, with a MANIFEST.sha256 that matches (so only the change counts)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        hashes = {}
        for name in original.namelist():
            if name == "MANIFEST.sha256":
                continue
            data = changes.get(name, original.read(name))
            out.writestr(name, data)
            hashes[name] = hashlib.sha256(data).hexdigest()
        out.writestr("MANIFEST.sha256", "".join(f"{h}  {n}\n" for n, h in sorted(hashes.items())))


def refused(path) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), stdout=io.StringIO())
    message = str(error.value)
    assert error.value.returncode == 1 and "\n" not in message
    return message


def test_a_round_trip_restores_every_record_and_file_identically(estate, tmp_path):
    before = full_dump()
    assert before["files"] and len(before["rows"]["events.event"]) > 20
    call_command("backup", str(tmp_path / "backup.zip"), "--with-passwords", stdout=io.StringIO())
    empty_the_database_and_storage(before)
    assert not get_user_model().objects.exists() and not default_storage.exists(next(iter(before["files"])))

    out = io.StringIO()
    call_command("restore", str(tmp_path / "backup.zip"), stdout=out)
    assert "chain intact" in out.getvalue()
    assert full_dump() == before
    assert verify_chain().intact


def test_without_the_option_passwords_are_not_in_the_archive(estate, tmp_path, manager):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        users = [json.loads(line) for line in archive.read("data/accounts.user.jsonl").splitlines()]
        assert json.loads(archive.read("manifest.json"))["with_passwords"] is False
    assert {user["fields"]["password"] for user in users} == {"!"}
    assert manager.password not in (tmp_path / "backup.zip").read_bytes().decode("latin-1")


def test_the_archive_lists_every_member_in_a_checkable_manifest(estate, tmp_path):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        listed = dict(reversed(line.split("  ")) for line in archive.read("MANIFEST.sha256").decode().splitlines())
        assert set(listed) == set(archive.namelist()) - {"MANIFEST.sha256"}
        assert all(hashlib.sha256(archive.read(n)).hexdigest() == h for n, h in listed.items())
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["events.event"] == Event.objects.count()
    assert "nonconformities.0001_initial" in manifest["migrations"] and manifest["app_version"]


def test_it_refuses_a_database_that_is_not_empty(estate, tmp_path):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    events = Event.objects.count()
    assert "not empty" in refused(tmp_path / "backup.zip")
    assert Event.objects.count() == events


def test_it_refuses_a_truncated_archive(estate, tmp_path):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    content = (tmp_path / "backup.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(content[: len(content) // 2])
    empty_the_database_and_storage(full_dump())
    assert "corrupt or truncated" in refused(tmp_path / "cut.zip")
    assert not get_user_model().objects.exists()


def test_it_refuses_an_archive_whose_content_was_changed(estate, tmp_path):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "backup.zip") as original, zipfile.ZipFile(tmp_path / "edited.zip", "w") as out:
        for name in original.namelist():  # CRCs are right, MANIFEST.sha256 is not updated
            data = original.read(name)
            out.writestr(name, data.replace(b"Clean desk", b"Clear desk") if name.startswith("data/") else data)
    assert "does not match MANIFEST.sha256" in refused(tmp_path / "edited.zip")


def test_it_refuses_an_archive_from_another_version(estate, tmp_path):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["migrations"].append("nonconformities.9999_from_the_future")
    rewrite(tmp_path / "backup.zip", tmp_path / "future.zip", {"manifest.json": json.dumps(manifest).encode()})
    assert "another version" in refused(tmp_path / "future.zip")


def test_it_refuses_a_file_that_is_no_backup(db, tmp_path):
    (tmp_path / "notes.zip").write_bytes(b"not a zip at all")
    assert "not a whole Clause Ten backup" in refused(tmp_path / "notes.zip")
    assert "no such file" in refused(tmp_path / "missing.zip")


def test_a_restore_that_fails_half_way_leaves_the_database_empty(estate, tmp_path):
    call_command("backup", str(tmp_path / "backup.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "backup.zip") as archive:
        rows = archive.read("data/nonconformities.nonconformity.jsonl").splitlines()
    broken = json.loads(rows[-1])
    broken["fields"]["state"] = "lost"  # the database's check constraint refuses it, after users and events went in
    rewrite(tmp_path / "backup.zip", tmp_path / "broken.zip",
            {"data/nonconformities.nonconformity.jsonl": b"\n".join([*rows[:-1], json.dumps(broken).encode()])})
    empty_the_database_and_storage(full_dump())
    assert "Restore failed and was undone" in refused(tmp_path / "broken.zip")
    assert not get_user_model().objects.exists() and not Event.objects.exists()
