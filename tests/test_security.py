"""Security by default: argon2, CSP, secure cookies outside DEBUG, no secret key means no start."""

import os
import subprocess
import sys

from django.conf import settings


def settings_of(env: dict) -> subprocess.CompletedProcess:
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='clauseten.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.PASSWORD_HASHERS[0].rsplit('.',1)[-1])")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSETEN_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=False)


def test_outside_debug_cookies_are_secure_and_passwords_use_argon2(tmp_path):
    result = settings_of({"CLAUSETEN_SECRET_KEY": "x" * 50, "CLAUSETEN_DATA_DIR": str(tmp_path)})
    assert result.stdout.split() == ["True", "True", "Argon2PasswordHasher"], result.stderr


def test_without_a_secret_key_it_refuses_to_start_outside_debug(tmp_path):
    result = settings_of({"CLAUSETEN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "CLAUSETEN_SECRET_KEY" in result.stderr


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_evidence_has_no_public_url():
    assert settings.MEDIA_URL in (None, "", "/")
