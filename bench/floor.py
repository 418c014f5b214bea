"""The floor: the same data fetched by plain SQL of the same shape, with no ORM, view or template around it.

A page can never be faster than its floor; the ratio says how much the layers above cost.
"""

import csv
import io

from django.db import connection

NC = "nonconformities_nonconformity"
COLUMNS = ("n.id, n.reference, n.title, n.state, n.classification, n.source, n.area, n.requirement, n.due_date, "
           "n.detected_on, n.reported_at, n.version, o.username, r.username, m.name")
JOINS = (f"FROM {NC} n LEFT JOIN accounts_user o ON o.id = n.owner_id JOIN accounts_user r ON r.id = n.reported_by_id "
         "JOIN catalog_managementsystem m ON m.id = n.management_system_id")
ORDER = {"newest": "n.reported_at DESC, n.id DESC", "due": "n.due_date ASC, n.id ASC"}


def _fetch(sql: str, params=()) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _where(state: str = "", owner: str = "", q: str = "") -> tuple[str, list]:
    clauses, params = [], []
    if state:
        clauses.append("n.state = %s")
        params.append(state)
    if owner:
        clauses.append("n.owner_id = (SELECT id FROM accounts_user WHERE username = %s)")
        params.append(owner)
    if q:
        like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
        fields = ("n.title", "n.description", "n.requirement", "n.area")
        clauses.append("(n.reference = %s OR " + " OR ".join(f"{field} {like} %s" for field in fields) + ")")
        params += [q] + [f"%{q}%"] * len(fields)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def register_page(state: str = "", owner: str = "", q: str = "", sort: str = "newest", page: int = 1, size: int = 25):
    """A register page: the count, then one page of rows with their owner, reporter and system."""
    where, params = _where(state, owner, q)
    _fetch(f"SELECT COUNT(*) FROM {NC} n{where}", params)
    return _fetch(f"SELECT {COLUMNS} {JOINS}{where} ORDER BY {ORDER[sort]} LIMIT %s OFFSET %s",
                  [*params, size, (page - 1) * size])


def keyset_page(reported_at, id: int, size: int = 25):
    """The page after a row, newest first, by seeking into the (reported_at, id) index."""
    reported_at = connection.ops.adapt_datetimefield_value(reported_at)  # as the ORM stores it
    return _fetch(f"SELECT {COLUMNS} {JOINS} WHERE n.reported_at <= %s AND (n.reported_at < %s OR n.id < %s) "
                  f"ORDER BY {ORDER['newest']} LIMIT %s", [reported_at, reported_at, id, size])


def record(reference: str):
    """One record, its actions and its timeline."""
    (row,) = _fetch(f"SELECT {COLUMNS}, n.description, n.root_cause {JOINS} WHERE n.reference = %s", [reference])
    _fetch("SELECT a.id, a.description, a.status, a.due_date, u.username FROM nonconformities_action a "
           "JOIN accounts_user u ON u.id = a.owner_id WHERE a.nonconformity_id = %s ORDER BY a.due_date, a.id",
           [row[0]])
    return _fetch("SELECT e.seq, e.at, e.verb, e.changes, e.comment, e.actor_name FROM events_event e "
                  "WHERE e.record = %s ORDER BY e.seq", [reference])


def export_csv() -> int:
    """Every row of the register written as CSV into memory that is thrown away chunk by chunk."""
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} {JOINS} ORDER BY n.reported_at DESC, n.id DESC")
        while chunk := cursor.fetchmany(2000):
            sink = io.StringIO()
            csv.writer(sink).writerows(chunk)
            written += len(sink.getvalue())
    return written


def all_events() -> int:
    """Read every event in order, as the chain check does, without hashing."""
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, at, actor_id, actor_name, subject_type, subject_id, record, verb, changes, "
                       "comment, prev_hash, hash FROM events_event ORDER BY seq")
        while chunk := cursor.fetchmany(5000):
            count += len(chunk)
    return count
