"""API tokens expire, die with a password change or a deactivation, and can be revoked by their
holder; sessions of a deactivated user end too."""

import datetime as dt
import threading

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from healthedu.org.models import Role, User
from tests.factories import TZ, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def edu(community_a):
    return UserFactory(username="edu_t", role=Role.EDUCATOR, communities=[community_a])


def get_token(username="edu_t", password=PASSWORD) -> str:
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def call(key, method="get", path="/api/residents/", lang="zh-hans"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=lang)
    return getattr(client, method)(path)


def signed_in_page_client(username="edu_t") -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/residents/").status_code == 200
    return client


@pytest.mark.parametrize(
    ("after", "status"),
    [
        (dt.timedelta(hours=2) - dt.timedelta(seconds=1), 200),
        (dt.timedelta(hours=2), 401),
        (dt.timedelta(days=400), 401),
    ],
)
def test_a_token_expires_after_the_setting(settings, edu, clock, after, status):
    settings.TOKEN_TTL_HOURS = 2
    response = APIClient().post(
        "/api/auth/token/", {"username": "edu_t", "password": PASSWORD}, format="json"
    )
    key = response.json()["token"]
    expires_at = dt.datetime.fromisoformat(response.json()["expires_at"])
    assert expires_at == START + dt.timedelta(hours=2)
    clock.move_to(START + after)
    answer = call(key)
    assert answer.status_code == status
    if status == 401:
        assert "已过期" in answer.json()["detail"]


def test_after_expiry_signing_in_again_gives_a_new_working_token(settings, edu, clock):
    settings.TOKEN_TTL_HOURS = 1
    old = get_token()
    assert get_token() == old  # while valid, the same token
    clock.move_to(START + dt.timedelta(hours=1, minutes=1))
    assert call(old).status_code == 401
    new = get_token()
    assert new != old
    assert call(new).status_code == 200
    assert call(old).status_code == 401


def test_the_default_lifetime_is_thirty_days(edu, clock):
    key = get_token()
    clock.move_to(START + dt.timedelta(days=29, hours=23))
    assert call(key).status_code == 200
    clock.move_to(START + dt.timedelta(days=30, minutes=1))
    assert call(key, lang="en").json()["detail"].startswith("This token has expired")


def test_a_password_change_revokes_the_token_and_ends_sessions(edu, clock):
    key = get_token()
    session = signed_in_page_client()
    clock.shift(dt.timedelta(minutes=1))
    new_password = ["--password", "new-pass-2026"]
    call_command("add_user", "edu_t", *new_password, "--role", "educator", "--community", "A01")
    answer = call(key)
    assert answer.status_code == 401
    assert "已作废" in answer.json()["detail"]
    assert session.get("/residents/").status_code == 302
    assert call(get_token(password="new-pass-2026")).status_code == 200


def test_a_password_change_in_the_admin_revokes_the_token(admin_user, edu, clock):
    key = get_token()
    admin = Client()
    admin.force_login(admin_user)
    clock.shift(dt.timedelta(minutes=1))
    response = admin.post(
        f"/admin/org/user/{edu.pk}/password/",
        {"password1": "another-pass-77", "password2": "another-pass-77", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert call(key).status_code == 401


def test_a_hash_upgrade_at_sign_in_is_not_a_password_change(edu, clock):
    # A salt too short for today's hasher: the sign-in re-hashes the (same) password.
    User.objects.filter(pk=edu.pk).update(password=make_password(PASSWORD, salt="abc"))
    key = get_token()
    clock.shift(dt.timedelta(minutes=1))
    signed_in_page_client()
    assert not User.objects.get(pk=edu.pk).password.startswith("md5$abc$")
    assert call(key).status_code == 200


def test_deactivation_revokes_tokens_and_sessions_for_good(edu, clock):
    key = get_token()
    session = signed_in_page_client()
    clock.shift(dt.timedelta(minutes=1))
    user = User.objects.get(pk=edu.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert call(key).status_code == 401
    assert session.get("/residents/").status_code == 302
    refused = APIClient().post(
        "/api/auth/token/", {"username": "edu_t", "password": PASSWORD}, format="json"
    )
    assert refused.status_code == 400
    # Reactivated, the account needs a new token and a new sign-in: the old ones stay dead.
    clock.shift(dt.timedelta(minutes=1))
    user.is_active = True
    user.save()
    assert call(key).status_code == 401
    assert session.get("/residents/").status_code == 302
    assert call(get_token()).status_code == 200
    signed_in_page_client()


def test_deactivation_in_the_admin_revokes_the_token(admin_user, edu, community_a, clock):
    key = get_token()
    admin = Client()
    admin.force_login(admin_user)
    clock.shift(dt.timedelta(minutes=1))
    page = admin.get(f"/admin/org/user/{edu.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "all"):
            value = [obj.pk for obj in value.all()]
        elif isinstance(value, list | tuple | set):
            value = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, dt.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    data.pop("is_active", None)
    response = admin.post(f"/admin/org/user/{edu.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=edu.pk).is_active
    assert call(key).status_code == 401


def test_a_user_revokes_their_own_token(edu):
    key = get_token()
    assert call(key, method="delete", path="/api/auth/token/").status_code == 204
    answer = call(key)
    assert answer.status_code == 401
    assert call(get_token()).status_code == 200


def test_revoking_needs_a_caller(db):
    assert APIClient().delete("/api/auth/token/").status_code == 401
    assert call("not-a-token", method="delete", path="/api/auth/token/").status_code == 401


def test_a_session_revokes_its_users_token_with_csrf(edu):
    key = get_token()
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    csrf = client.cookies["csrftoken"].value
    login = {"username": "edu_t", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    assert client.post("/login/", login).status_code == 302
    assert client.delete("/api/auth/token/").status_code == 403  # no CSRF token
    assert call(key).status_code == 200
    csrf = client.cookies["csrftoken"].value
    assert client.delete("/api/auth/token/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert call(key).status_code == 401


def test_the_schema_documents_sign_in_and_revocation(api, edu):
    schema = api(edu).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/auth/token/"]
    assert {"post", "delete"} <= set(operations)
    assert "expires_at" in str(schema["components"]["schemas"]["TokenResponse"])
    assert "429" in operations["post"]["responses"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ins_share_one_token(edu):
    keys, statuses = [], []
    barrier = threading.Barrier(8)

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            response = APIClient().post(
                "/api/auth/token/", {"username": "edu_t", "password": PASSWORD}, format="json"
            )
            statuses.append(response.status_code)
            keys.append(response.json().get("token"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert len(set(keys)) == 1
