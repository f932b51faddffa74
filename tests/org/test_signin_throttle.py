"""Sign-in throttling at the three doors: the token endpoint, the page login and /admin/login/.

One mechanism (django-axes, healthedu.org.throttle), keyed on username and address; the address
is REMOTE_ADDR unless HEALTHEDU_TRUSTED_PROXY_HOPS says how many proxies stand in front.
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from healthedu.org.models import Role
from tests.factories import TZ, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # the factories' password
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def edu(community_a):
    return UserFactory(username="edu_x", role=Role.EDUCATOR, communities=[community_a])


@pytest.fixture
def colleague(community_a):
    return UserFactory(username="edu_y", role=Role.EDUCATOR, communities=[community_a])


def token(username, password, *, address="203.0.113.7", forwarded=None, lang="zh-hans"):
    extra = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": lang}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def page_login(username, password, *, path="/login/", address="203.0.113.7"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="zh-hans")
    data = {"username": username, "password": password}
    if path.startswith("/admin/"):
        data["next"] = "/admin/"
    return client.post(path, data)


def test_forty_forged_forwarded_addresses_do_not_escape_the_lock(edu):
    statuses = [
        token("edu_x", f"guess-{i}", forwarded=f"198.51.100.{i}").status_code for i in range(40)
    ]
    assert statuses[:4] == [400] * 4
    assert set(statuses[4:]) == {429}
    refused = token("edu_x", PASSWORD, forwarded="198.51.100.250")
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.json()["detail"]
    assert refused["Retry-After"] == str(15 * 60)
    assert "token" not in refused.json()


def test_the_right_password_waits_for_the_lock_out_and_guessing_on_does_not_extend_it(edu, clock):
    for i in range(5):
        token("edu_x", f"guess-{i}")
    clock.shift(dt.timedelta(minutes=14))
    assert token("edu_x", "guess-again").status_code == 429
    assert token("edu_x", PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=1, seconds=1))
    response = token("edu_x", PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]


def test_a_colleague_behind_the_same_router_still_signs_in(edu, colleague):
    for i in range(6):
        page_login("edu_x", f"guess-{i}")
    assert page_login("edu_x", PASSWORD).status_code == 429
    assert page_login("edu_y", PASSWORD).status_code == 302
    assert token("edu_y", PASSWORD).status_code == 200


def test_the_page_login_shows_the_lock_out_as_the_forms_error(edu):
    for i in range(4):
        response = page_login("edu_x", f"guess-{i}")
        assert response.status_code == 200
        assert "登录失败次数过多" not in response.content.decode()
    fifth = page_login("edu_x", "guess-5")
    assert fifth.status_code == 429
    text = fifth.content.decode()
    assert "登录失败次数过多" in text and 'role="alert"' in text and 'name="username"' in text
    assert page_login("edu_x", PASSWORD).status_code == 429


def test_admin_login_is_throttled_too(admin_user):
    for i in range(5):
        page_login("admin", f"guess-{i}", path="/admin/login/")
    response = page_login("admin", PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # Elsewhere the admin is not locked out (the key is username and address).
    assert (
        page_login("admin", PASSWORD, path="/admin/login/", address="192.0.2.9").status_code == 302
    )


def test_the_three_doors_share_one_count(edu):
    token("edu_x", "guess-1")
    token("edu_x", "guess-2")
    page_login("edu_x", "guess-3")
    page_login("edu_x", "guess-4", path="/admin/login/")
    assert token("edu_x", "guess-5").status_code == 429
    assert page_login("edu_x", PASSWORD).status_code == 429


def test_success_forgives_only_that_users_failures_from_that_address(edu):
    for i in range(4):
        token("edu_x", f"guess-{i}")
    assert token("edu_x", PASSWORD).status_code == 200
    for i in range(4):
        assert token("edu_x", f"again-{i}").status_code == 400
    assert token("edu_x", PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("tier", "limit"),
    [("user_and_address", 3), ("user", 5), ("address", 8)],
)
@pytest.mark.parametrize("failures_before", ["limit - 1", "limit"])
def test_each_key_locks_at_its_own_limit(settings, community_a, tier, limit, failures_before):
    settings.LOGIN_FAILURE_LIMITS = [3, 5, 8]
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="target", role=Role.EDUCATOR, communities=[community_a])
    n = limit - 1 if failures_before == "limit - 1" else limit
    for i in range(n):
        if tier == "user_and_address":
            token("target", f"guess-{i}")
        elif tier == "user":
            token("target", f"guess-{i}", address=f"198.51.100.{i}")
        else:
            token(f"nobody-{i}", "guess", address="198.51.100.77")
    address = {"user_and_address": "203.0.113.7", "user": "192.0.2.1", "address": "198.51.100.77"}
    expected = 200 if n < limit else 429
    assert token("target", PASSWORD, address=address[tier]).status_code == expected


@pytest.mark.parametrize(
    ("hops", "forwarded", "seen_as"),
    [
        (0, "10.1.1.1", "203.0.113.7"),  # no proxy: the header is the caller's to forge
        (1, "10.1.1.1", "10.1.1.1"),  # the proxy's own entry
        (1, "6.6.6.6, 10.1.1.1", "10.1.1.1"),  # what the caller wrote stands to the left
        (2, "6.6.6.6, 10.1.1.1, 10.0.0.2", "10.1.1.1"),
        (2, "10.1.1.1", "10.1.1.1"),  # fewer entries than hops: the leftmost is still ours
        (1, "not-an-address", "203.0.113.7"),
        (1, "", "203.0.113.7"),
    ],
)
def test_the_address_follows_the_trusted_hop_count(settings, hops, forwarded, seen_as):
    from healthedu.org.throttle import client_address

    settings.TRUSTED_PROXY_HOPS = hops
    request = Client().get("/api/health/", REMOTE_ADDR="203.0.113.7").wsgi_request
    request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(request) == seen_as


def test_behind_a_proxy_forged_entries_do_not_help_and_real_addresses_are_apart(settings, edu):
    settings.TRUSTED_PROXY_HOPS = 1
    for i in range(40):
        token("edu_x", f"guess-{i}", address="10.0.0.2", forwarded=f"6.6.6.{i}, 192.0.2.50")
    assert token("edu_x", PASSWORD, address="10.0.0.2", forwarded="192.0.2.50").status_code == 429
    # The same user from another office, through the same proxy, is not locked (yet).
    assert token("edu_x", PASSWORD, address="10.0.0.2", forwarded="192.0.2.60").status_code == 200


@pytest.mark.parametrize(
    "username",
    ["x" * 151, "nul\x00byte", "x" * 150 + "\x00"],
)
def test_odd_usernames_are_a_400_never_a_500(db, username):
    response = token(username, "whatever")
    assert response.status_code == 400
    assert "username" in response.json()


def test_english_lock_out_message(edu):
    for i in range(5):
        token("edu_x", f"guess-{i}", lang="en")
    response = token("edu_x", PASSWORD, lang="en")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]


def test_an_administrator_lifts_a_lock_in_the_admin_site(admin_user, edu):
    from axes.models import AccessAttempt

    for i in range(5):
        token("edu_x", f"guess-{i}")
    assert token("edu_x", PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "edu_x" in listing.content.decode()
    ids = list(AccessAttempt.objects.filter(username="edu_x").values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert token("edu_x", PASSWORD).status_code == 200
