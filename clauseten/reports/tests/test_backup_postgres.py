"""Moving from SQLite to PostgreSQL is a backup, then a restore: the real commands, in subprocesses."""

import json
import os
import subprocess
import sys
import uuid
import zipfile
from urllib.parse import urlsplit

import pytest

from conftest import skip_or_fail


def _pg_server() -> str:
    """The server of DATABASE_URL when it is PostgreSQL (make test-postgres), else the local default."""
    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    if url.scheme.startswith("postgres"):
        return f"{url.scheme}://{url.netloc}"
    return os.environ.get("CLAUSETEN_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


PG_SERVER = _pg_server()


def clauseten(*args, database_url: str, data_dir, check=True):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clauseten.settings", "CLAUSETEN_INSECURE_DEV_KEY": "true",
           "CLAUSETEN_DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
           "CLAUSETEN_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    result = subprocess.run([sys.executable, "-m", "clauseten.cli", *args], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def contents(path) -> dict:
    """Every data row (parsed: key order may differ between databases) and every file, by member name."""
    with zipfile.ZipFile(path) as archive:
        return {name: [json.loads(line) for line in archive.read(name).splitlines()] if name.startswith("data/")
                else archive.read(name) for name in archive.namelist() if name.startswith(("data/", "files/"))}


@pytest.fixture
def postgres_database():
    """A throwaway database on the PostgreSQL server, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:  # no driver, or no server to test against
        skip_or_fail(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    name = f"clauseten_restore_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_the_demo_organisation_moves_from_sqlite_to_postgresql_unchanged(tmp_path, postgres_database):
    sqlite = f"sqlite:///{tmp_path / 'source' / 'clauseten.sqlite3'}"
    clauseten("migrate", "--noinput", database_url=sqlite, data_dir=tmp_path / "source")
    clauseten("demo", database_url=sqlite, data_dir=tmp_path / "source")
    clauseten("backup", str(tmp_path / "from-sqlite.zip"), "--with-passwords", database_url=sqlite,
              data_dir=tmp_path / "source")

    clauseten("migrate", "--noinput", database_url=postgres_database, data_dir=tmp_path / "target")
    restored = clauseten("restore", str(tmp_path / "from-sqlite.zip"), database_url=postgres_database,
                         data_dir=tmp_path / "target")
    assert "chain intact" in restored.stdout
    verified = clauseten("verify-events", database_url=postgres_database, data_dir=tmp_path / "target")
    assert verified.stdout.strip().endswith("events, chain intact")
    clauseten("backup", str(tmp_path / "from-postgres.zip"), "--with-passwords", database_url=postgres_database,
              data_dir=tmp_path / "target")
    before, after = contents(tmp_path / "from-sqlite.zip"), contents(tmp_path / "from-postgres.zip")
    assert any(name.startswith("files/") for name in before)
    assert before == after

    again = clauseten("restore", str(tmp_path / "from-sqlite.zip"), database_url=postgres_database,
                      data_dir=tmp_path / "target", check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == ("CommandError: restore refused: The database is not empty: restore only into "
                                    "a freshly migrated database.")
