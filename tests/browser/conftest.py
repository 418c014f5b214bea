"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Fixtures for every browser test: `page` (a fresh 1280-wide page), `login(page, username)`, and
`axe_check(page)` which runs axe-core and fails on serious or critical violations.
"""

import os
from pathlib import Path

import pytest

from conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session", autouse=True)
def _live_server_started(request):
    """Start the live server with a MEDIA_URL it can work with, then put the setting back.

    Django's live server cannot build its media handler with MEDIA_URL = None (our rule: evidence has no
    public URL). It reads the setting once, at start; a URL on another host makes that handler serve nothing.
    """
    from django.test import override_settings

    with override_settings(MEDIA_URL="https://media.invalid/"):
        return request.getfixturevalue("live_server")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A page in its own browser context (own cookies), with relative URLs resolved against the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login():
    """login(page, username, password=None): sign in through the real form; personas use 'pw-<username>'."""

    def sign_in(page, username: str, password: str | None = None):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password or f"pw-{username}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"

    return sign_in


@pytest.fixture
def axe_check():
    """axe_check(page): no serious or critical accessibility violation on the page as it stands."""
    source = AXE.read_text()

    def check(page, context: str = "document"):
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.add_script_tag(path=str(AXE))
        except PlaywrightError:  # the page's CSP refused the script tag: evaluate it in the page instead
            page.evaluate(source)
        result = page.evaluate(f"async () => await axe.run({context})")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                                  f"{[n['target'] for n in v['nodes']][:5]}" for v in bad)

    return check


@pytest.fixture
def screenshot():
    """screenshot(page, name): save docs/screenshots/<name>.png of the whole page."""

    def save(page, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save
