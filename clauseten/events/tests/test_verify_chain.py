"""The history's hash chain shows every event altered, removed or inserted directly in the database."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from clauseten.events.chain import event_hash
from clauseten.events.models import ChainHead, Event
from clauseten.events.services import verify_chain


@pytest.fixture
def history(make_nc):
    """A closed NC: a few dozen real events written by the services."""
    make_nc("closed")
    assert Event.objects.count() > 10
    return Event.objects.order_by("seq")


def run_verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_events", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue() + err.getvalue()


def middle(history):
    return history[len(history) // 2]


def test_an_untouched_chain_is_intact(history):
    code, output = run_verify()
    assert code == 0
    assert output.strip() == f"{history.count()} events, chain intact"


def test_an_empty_history_is_intact(db):
    assert run_verify() == (0, "0 events, chain intact\n")


def test_it_detects_a_comment_changed_with_an_update(history):
    target = middle(history)
    Event.objects.filter(pk=target.pk).update(comment="nothing to see")
    code, output = run_verify()
    assert code == 1
    assert f"event #{target.seq}" in output and "altered" in output


def test_it_detects_a_change_made_with_raw_sql(history):
    target = middle(history)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET verb = %s WHERE id = %s", ["nonconformity.nothing", target.pk])
    report = verify_chain()
    assert not report.intact and report.seq == target.seq


def test_it_detects_a_changed_timestamp(history):
    target = middle(history)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET at = %s WHERE id = %s",
                       [target.at.replace(microsecond=(target.at.microsecond + 1) % 1000000), target.pk])
    assert verify_chain().seq == target.seq


def test_it_detects_a_changed_json_diff(history):
    target = history.filter(changes__has_key="state").last()
    Event.objects.filter(pk=target.pk).update(changes={"state": ["verifying", "closed"], "extra": [None, 1]})
    assert verify_chain().seq == target.seq


def test_it_detects_an_event_rewritten_with_a_recomputed_hash(history):
    """Recomputing the altered event's own hash is not enough: the next event still names the old one."""
    target = middle(history)
    forged = event_hash(prev_hash=target.prev_hash, seq=target.seq, at=target.at, actor_id=target.actor_id,
                        actor_name=target.actor_name, subject_type=target.subject_type,
                        subject_id=target.subject_id, record=target.record, verb=target.verb,
                        changes=target.changes, comment="rewritten")
    Event.objects.filter(pk=target.pk).update(comment="rewritten", hash=forged)
    report = verify_chain()
    assert not report.intact and report.seq == target.seq + 1


def test_it_detects_a_removed_event(history):
    target = middle(history)
    Event.objects.filter(pk=target.pk).delete()
    code, output = run_verify()
    assert code == 1
    assert f"event #{target.seq + 1}" in output and f"#{target.seq} before it was removed" in output


def test_it_detects_the_first_event_removed(history):
    Event.objects.filter(seq=1).delete()
    assert verify_chain().seq == 2


def test_it_detects_the_newest_event_removed(history):
    newest = history.last()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Event._meta.db_table} WHERE id = %s", [newest.pk])
    code, output = run_verify()
    assert code == 1
    assert f"event #{newest.seq}" in output and "removed" in output


def test_it_detects_an_event_inserted_after_the_newest_with_a_valid_hash(history):
    newest = history.last()
    forged = Event(seq=newest.seq + 1, at=newest.at, actor_name="mallory", subject_type="accounts.user",
                   subject_id="1", verb="user.created", changes={}, comment="", prev_hash=newest.hash)
    forged.hash = event_hash(prev_hash=forged.prev_hash, seq=forged.seq, at=forged.at, actor_id=None,
                             actor_name=forged.actor_name, subject_type=forged.subject_type,
                             subject_id=forged.subject_id, record="", verb=forged.verb, changes={}, comment="")
    Event.objects.bulk_create([forged])
    code, output = run_verify()
    assert code == 1
    assert f"event #{forged.seq}" in output and "inserted" in output


def test_it_detects_an_event_inserted_in_the_middle(history):
    """Making room means renumbering the later events, which changes their hashed content."""
    newest = history.last()
    Event.objects.filter(pk=newest.pk).update(seq=newest.seq + 1)
    Event.objects.bulk_create([Event(seq=newest.seq, at=newest.at, actor_name="mallory", subject_type="x",
                                     subject_id="1", verb="forged", prev_hash=newest.prev_hash, hash="f" * 64)])
    ChainHead.objects.update(seq=newest.seq + 1)
    report = verify_chain()
    assert not report.intact and report.seq == newest.seq


def test_it_detects_a_chain_head_moved_back_with_the_newest_event(history):
    """Deleting the newest event and winding the head back is caught by the head's hash."""
    newest = history.last()
    Event.objects.filter(pk=newest.pk).delete()
    ChainHead.objects.update(seq=newest.seq - 1)
    assert not verify_chain().intact


def test_events_written_after_tampering_do_not_hide_it(history, make_nc):
    target = middle(history)
    Event.objects.filter(pk=target.pk).update(comment="hidden")
    make_nc("open")
    assert verify_chain().seq == target.seq
