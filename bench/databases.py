"""Throwaway databases for one benchmark run: a SQLite file in a temporary folder, or a PostgreSQL database
created and dropped on the server named by BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/)."""

import contextlib
import os
import secrets
from pathlib import Path

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def postgres_available() -> str:
    """'' if the server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=5):
            return ""
    except Exception as exc:  # noqa: BLE001  (any failure means: skip PostgreSQL, say why)
        return f"{exc.__class__.__name__}: {str(exc).strip()[:200]}"


@contextlib.contextmanager
def throwaway(kind: str, folder: Path, label: str):
    """Yield a DATABASE_URL for an empty database that is removed afterwards."""
    if kind == "sqlite":
        path = folder / f"bench-{label}.sqlite3"
        for leftover in folder.glob(f"{path.name}*"):
            leftover.unlink()
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in folder.glob(f"{path.name}*"):
                leftover.unlink()
        return
    import psycopg

    name = f"clauseten_bench_{label}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
