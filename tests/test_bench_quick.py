"""`make bench` must not rot: its quick form runs end to end and prints the table with the budgets.

Also the generator's promises at small size: a chain that verifies, unique references with their counters
moved on, every state present, and a refusal to write into a register that has records.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clauseten.events.services import verify_chain
from clauseten.nonconformities import services
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


def test_quick_bench_prints_the_table_with_budgets(tmp_path):
    out = tmp_path / "quick.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for expected in ("| what | p50 ms | p95 ms | floor p50 ms |", "list API", "register page", "## Budgets",
                     "verify-events", "load, list API", "budgets met"):
        assert expected in done.stdout, expected
    assert "## Budgets" in out.read_text()
