"""Backup and restore: every record of every Clause Ten app, the users and roles, and the evidence files, in one ZIP.

    manifest.json          format, app version, migration state, row counts, chain head, options
    data/<app.model>.jsonl one serialized record per line (Django's serializer; full-precision timestamps)
    files/<storage name>   every file a FileField names (evidence, evidence packs)
    MANIFEST.sha256        `sha256sum -c` over every other member

A restore goes into an EMPTY, migrated database of the same version, in one transaction: a refused or failed
restore leaves the database as it was. Moving from SQLite to PostgreSQL is a backup, then a restore.
"""

import datetime as dt
import decimal
import hashlib
import json
import os
import uuid
import zipfile
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from clauseten.events import services as events
from clauseten.events.models import Event
from clauseten.nonconformities.models import Nonconformity

from .evidence_pack import app_version

FORMAT = "clauseten-backup"
FORMAT_VERSION = 1
OUR_APPS = ("accounts", "events", "catalog", "nonconformities", "improvements", "reports", "notifications")
BATCH = 2000
NO_PASSWORD = "!"  # Django's mark for an unusable password


class RestoreRefused(Exception):
    """A one-line reason why the archive was not restored; nothing was written."""


def backed_up_models() -> list[type[models.Model]]:
    """Groups first (users name them), then our apps in dependency order (accounts first: everyone names users)."""
    chosen: list[type[models.Model]] = [Group]
    for label in OUR_APPS:
        if label in {config.label for config in apps.get_app_configs()}:
            chosen += [m for m in apps.get_app_config(label).get_models() if m._meta.managed and not m._meta.proxy]
    return chosen


def _uses_natural_keys(model) -> bool:
    """Permissions and content types get new ids in every database, so rows that name them use natural keys."""
    return model is Group or any(
        field.concrete and (field.many_to_one or field.many_to_many)
        and field.related_model in (ContentType, Permission, Group)
        for field in model._meta.get_fields())


def _encode(value):
    # DjangoJSONEncoder cuts timestamps to milliseconds; the event hashes need every microsecond.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot back up a value of type {type(value).__name__}")


def _batches(iterable, size: int = BATCH):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def serialized_rows(model, *, with_passwords: bool):
    """The rows of one model as Django's 'python' serializer gives them, in primary-key order."""
    natural = _uses_natural_keys(model)
    rows = model._default_manager.order_by("pk").iterator(chunk_size=BATCH)
    for batch in _batches(rows):
        for row in serializers.serialize("python", batch, use_natural_foreign_keys=natural,
                                         use_natural_primary_keys=model is Group):
            if not with_passwords and "password" in row["fields"] and model._meta.label_lower == "accounts.user":
                row["fields"]["password"] = NO_PASSWORD
            yield row


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _file_names(model) -> list[str]:
    file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    names: set[str] = set()
    for field in file_fields:
        names.update(n for n in model._default_manager.exclude(**{field: ""}).values_list(field, flat=True) if n)
    return sorted(names)


class _HashingZip:
    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.hashes: dict[str, str] = {}

    def write_lines(self, name: str, lines) -> None:
        digest = hashlib.sha256()
        with self.zip.open(name, "w", force_zip64=True) as member:
            for line in lines:
                data = (line + "\n").encode()
                digest.update(data)
                member.write(data)
        self.hashes[name] = digest.hexdigest()

    def write_file(self, name: str, source) -> None:
        digest = hashlib.sha256()
        with self.zip.open(name, "w", force_zip64=True) as member:
            for chunk in source.chunks():
                digest.update(chunk)
                member.write(chunk)
        self.hashes[name] = digest.hexdigest()

    def write(self, name: str, data: bytes) -> None:
        self.zip.writestr(name, data)
        self.hashes[name] = hashlib.sha256(data).hexdigest()

    def close(self) -> None:
        self.zip.writestr("MANIFEST.sha256", "".join(f"{h}  {n}\n" for n, h in sorted(self.hashes.items())))
        self.zip.close()


def backup(path: str | Path, *, with_passwords: bool = False) -> dict:
    """Write the archive to `path` (via a .partial file, so a crash never leaves a half archive); return the manifest.

    One transaction gives one consistent moment: on SQLite that holds off writers while it runs.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    counts, missing = {}, []
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:  # only the first statement of a transaction may set it
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        out = _HashingZip(partial)
        try:
            order = []
            for model in backed_up_models():
                label = model._meta.label_lower
                counts[label] = 0

                def lines(model=model, label=label):
                    for row in serialized_rows(model, with_passwords=with_passwords):
                        counts[label] += 1
                        yield json.dumps(row, default=_encode, ensure_ascii=False, sort_keys=True)

                out.write_lines(f"data/{label}.jsonl", lines())
                order.append(label)
            for model in backed_up_models():
                for name in _file_names(model):
                    if not default_storage.exists(name):
                        missing.append(name)
                        continue
                    with default_storage.open(name, "rb") as source:
                        out.write_file(f"files/{name}", source)
            head_seq, head_hash = events.chain_head()
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": app_version(),
                "created_at": timezone.now().isoformat(), "database": connection.vendor,
                "with_passwords": with_passwords, "migrations": applied_migrations(), "order": order,
                "counts": counts, "chain": {"seq": head_seq, "hash": head_hash}, "missing_files": missing,
            }
            out.write("manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
            out.close()
        except BaseException:
            out.zip.close()
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, path)
    return manifest


# --- restore ------------------------------------------------------------------------------------------------

def open_checked(path: str | Path) -> tuple[zipfile.ZipFile, dict]:
    """Open the archive and prove every member is whole and as listed, before anything is written."""
    try:
        archive = zipfile.ZipFile(path)
        broken = archive.testzip()
        listed = archive.read("MANIFEST.sha256").decode().splitlines()
    except FileNotFoundError:
        raise RestoreRefused(f"{path}: no such file.") from None
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, UnicodeDecodeError, zipfile.LargeZipFile) as exc:
        raise RestoreRefused(f"{path} is not a whole Clause Ten backup (corrupt or truncated: {exc}).") from None
    if broken:
        raise RestoreRefused(f"{path} is corrupt: {broken} does not match its checksum.")
    expected = dict(reversed(line.split("  ", 1)) for line in listed if "  " in line)
    members = set(archive.namelist()) - {"MANIFEST.sha256"}
    if set(expected) != members:
        raise RestoreRefused(f"{path} is corrupt: its members are not the ones MANIFEST.sha256 lists.")
    for name in sorted(members):
        digest = hashlib.sha256()
        with archive.open(name) as member:
            for chunk in iter(lambda member=member: member.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != expected[name]:
            raise RestoreRefused(f"{path} is corrupt: {name} does not match MANIFEST.sha256.")
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise RestoreRefused(f"{path} has no readable manifest.json: not a Clause Ten backup.") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreRefused(f"{path} is not a Clause Ten backup of format {FORMAT_VERSION}.")
    return archive, manifest


def database_is_empty() -> bool:
    """Empty = no users, no history, no records. What `migrate` itself loads (the catalogue) does not count."""
    from django.contrib.auth import get_user_model

    return not (get_user_model().objects.exists() or Event.objects.exists() or Nonconformity.objects.exists())


def restore(path: str | Path) -> dict:
    """Restore the archive into this empty database, in one transaction; RestoreRefused says why not."""
    archive, manifest = open_checked(path)
    mine = applied_migrations()
    if manifest["migrations"] != mine:
        differ = sorted(set(manifest["migrations"]) ^ set(mine))
        raise RestoreRefused(
            f"The archive is from another version (Clause Ten {manifest.get('app_version')}, {len(differ)} migration(s) "
            f"differ, e.g. {differ[0]}): restore it with the version that made it, then upgrade.")
    if not database_is_empty():
        raise RestoreRefused("The database is not empty: restore only into a freshly migrated database.")
    ContentType.objects.clear_cache()  # natural keys must resolve against this database's content types
    restored = {}
    try:
        with transaction.atomic():
            for label in manifest["order"]:
                restored[label] = _load_rows(archive, label)
            restored_models = [apps.get_model(label) for label in manifest["order"]]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), restored_models):
                    cursor.execute(statement)
            files = _restore_files(archive)
    except RestoreRefused:
        raise
    except Exception as exc:  # a bad row or file: nothing was kept, say what went wrong on one line
        raise RestoreRefused(f"Restore failed and was undone: {type(exc).__name__}: {str(exc).splitlines()[0]}") \
            from exc
    return {"counts": restored, "files": files, "chain": str(events.verify_chain()),
            "with_passwords": manifest["with_passwords"]}


def _load_rows(archive: zipfile.ZipFile, label: str) -> int:
    count = 0
    with archive.open(f"data/{label}.jsonl") as member:
        lines = (json.loads(line) for line in member if line.strip())
        for batch in _batches(lines):
            for restored in serializers.deserialize("python", batch, ignorenonexistent=False):
                restored.save()
                count += 1
    return count


def _restore_files(archive: zipfile.ZipFile) -> int:
    count = 0
    for name in archive.namelist():
        if not name.startswith("files/"):
            continue
        target = name.removeprefix("files/")
        if default_storage.exists(target):
            default_storage.delete(target)  # left over from an earlier installation; the archive is the truth
        saved = default_storage.save(target, ContentFile(archive.read(name)))
        if saved != target:
            raise RestoreRefused(f"Storage renamed {target} to {saved}; restore into empty storage.")
        count += 1
    return count
