"""Headless Chromium from Debian (/usr/bin/chromium), driven by Playwright — never a browser download.

Tests here use pytest-django's live_server, so they run with transaction=True; Playwright's sync
API runs an event loop in this thread, hence DJANGO_ALLOW_ASYNC_UNSAFE. Screenshots go to
tests/screenshots/ (gitignored) for a person to look at; the README's pictures are copied from
there into docs/screenshots/ only when HEALTHEDU_README_SCREENSHOTS=1 (`make docs-images`), so
that an ordinary run leaves the repository as it was.

Every page that new_page makes notes what the Content-Security-Policy blocked (the
securitypolicyviolation events, reported on the console) in page.csp_violations, and a test
fails when any page it visited has one: every page the browser tests see is held to the policy.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
README_SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Runs in every document before the page's own scripts (Playwright's init scripts are not subject
# to the page's CSP) and puts each violation on the console, where csp_violations collects it.
CSP_PREFIX = "CSP violation: "
REPORT_CSP_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', (e) => console.error("
    f"'{CSP_PREFIX}' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline')"
    " + ' in ' + e.documentURI + ' at line ' + e.lineNumber + ' ' + (e.sample || '')));"
)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent: run `make browser-deps` (apt-get install chromium)")
    from django.urls import get_resolver
    from playwright.sync_api import sync_playwright

    # Import every URLconf (pandas, scipy, reportlab...) before the first page is timed.
    assert get_resolver().url_patterns
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(user=None, phone=False) → a Playwright page, signed in as user when given."""
    contexts = []
    pages = []

    def make(user=None, *, phone=False):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale="zh-CN",
            base_url=live_server.url,
            accept_downloads=True,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(10000)
        context.set_default_navigation_timeout(30000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
            assert client.session[SESSION_KEY]
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda message: _note_csp_violation(page, message))
        pages.append(page)
        return page

    yield make
    blocked = [v for page in pages for v in page.csp_violations]
    for context in contexts:
        context.close()
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


def _note_csp_violation(page, message):
    if message.text.startswith(CSP_PREFIX):
        page.csp_violations.append(message.text.removeprefix(CSP_PREFIX))


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def for_readme(path: Path) -> Path:
    """A picture taken into tests/screenshots/, copied to docs/screenshots/ for the README when
    HEALTHEDU_README_SCREENSHOTS=1."""
    assert path.stat().st_size > 5000  # something was drawn, not a blank box
    if os.environ.get("HEALTHEDU_README_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, README_SHOTS / path.name)
    return path


def readme_shot(locator, name: str) -> Path:
    """A screenshot of one part of the page, for the README (and of the whole page, to look at)."""
    path = screenshot(locator.page, f"{name}-page")
    shot = path.with_name(f"{name}.png")
    locator.screenshot(path=str(shot))
    return for_readme(shot)
