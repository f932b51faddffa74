"""The Content-Security-Policy header on pages, the admin, the API and its docs, and pages that
give the policy nothing to block: no inline script, event handler or style. The browser tests
(tests/web/browser/) check the same pages in Chromium, where the policy is enforced."""

import re

import pytest

from tests.factories import UserFactory
from tests.web.helpers import educator_pages

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def policy(response) -> dict[str, set[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(sources) for name, *sources in directives}


def test_pages_send_the_strict_policy(page_client, educator_a, leader):
    assert policy(page_client(None).get("/login/")) == STRICT
    for user, path in ((educator_a, "/"), (educator_a, "/ledger/"), (leader, "/dashboard/")):
        response = page_client(user).get(path)
        assert response.status_code == 200, path
        assert policy(response) == STRICT, path


def test_error_pages_send_it_too(page_client, educator_a):
    response = page_client(educator_a).get("/no-such-page/")
    assert response.status_code == 404
    assert policy(response) == STRICT


def test_the_admin_sends_the_strict_policy(page_client, admin_user):
    assert policy(page_client(None).get("/admin/login/")) == STRICT
    for path in ("/admin/", "/admin/org/user/", "/admin/auth/group/add/"):
        response = page_client(admin_user).get(path)
        assert response.status_code == 200, path
        assert policy(response) == STRICT, path


def test_the_api_sends_the_strict_policy(api, educator_a):
    assert policy(api(None).get("/api/health/")) == STRICT
    response = api(educator_a).get("/api/residents/")
    assert response.status_code == 200
    assert policy(response) == STRICT
    refused = api(None).get("/api/residents/")
    assert refused.status_code in (401, 403)
    assert policy(refused) == STRICT


def test_the_api_docs_need_no_exception(page_client, educator_a):
    client = page_client(educator_a)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert policy(page) == STRICT
    html = page.content.decode()
    assert not _inline_code(html)
    script = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    start_up = client.get(script.replace("&amp;", "&"))
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in start_up.content.decode()


def test_no_page_carries_inline_script_handlers_or_styles(
    page_client, educator_a, leader, community_a, community_b
):
    pages = {
        educator_a: educator_pages(educator_a, community_a),
        # Two communities: the home page's community chooser.
        UserFactory(username="edu_ab", communities=[community_a, community_b]): ["/"],
        leader: ["/dashboard/", f"/dashboard/?community={community_a.pk}"],
        None: ["/login/"],
    }
    for user, paths in pages.items():
        client = page_client(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert not _inline_code(response.content.decode()), path


def _inline_code(html: str) -> list[str]:
    """What a strict policy would block in this HTML: <script> without src (JSON data excepted),
    <style>, and on...= or style= attributes."""

    def blocked(tag: str) -> bool:
        name = tag[1:].split(None, 1)[0].rstrip(">").lower()
        if name == "script":
            return "src=" not in tag and 'type="application/json"' not in tag
        return name == "style" or re.search(r"\s(on[a-z]+|style)\s*=", tag) is not None

    return [tag for tag in re.findall(r"<[a-zA-Z][^>]*>", html) if blocked(tag)]
