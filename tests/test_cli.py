"""The `clauseten` command as a newcomer uses it: migrate, demo, verify-events, on a fresh data folder."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def clauseten(*args, data_dir: Path, check=True):
    env = {**os.environ, "CLAUSETEN_DEBUG": "true", "CLAUSETEN_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # a fresh SQLite file of its own, whatever the suite runs on
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-m", "clauseten.cli", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"clauseten {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("clauseten-var")
    clauseten("migrate", "--noinput", data_dir=data_dir)
    clauseten("demo", data_dir=data_dir)
    return data_dir


def test_it_loads_the_demo_with_records_in_every_state_and_an_intact_chain(demo_dir):
    shown = clauseten("shell", "-c",
                      "from clauseten.nonconformities.models import Nonconformity as N;"
                      "print(sorted(set(N.objects.values_list('state', flat=True))))", data_dir=demo_dir)
    for state in ["reported", "open", "investigating", "acting", "verifying", "closed", "rejected"]:
        assert state in shown.stdout
    verified = clauseten("verify-events", data_dir=demo_dir)
    assert "chain intact" in verified.stdout


def test_it_refuses_to_load_the_demo_twice_with_a_one_line_reason(demo_dir):
    again = clauseten("demo", data_dir=demo_dir, check=False)
    assert again.returncode != 0
    assert "already has records" in again.stderr
    assert clauseten("demo", "--if-empty", data_dir=demo_dir).returncode == 0


def test_it_prints_its_commands_when_called_without_one(tmp_path):
    result = clauseten(data_dir=tmp_path, check=False)
    assert result.returncode == 2
    assert "verify-events" in result.stdout and "serve" in result.stdout
