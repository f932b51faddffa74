"""Accounts through the API: admins manage them; leaders and educators see only themselves."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token

from healthedu.org.models import Role, User
from tests.factories import DistrictFactory, StreetFactory, UserFactory, make_resident

pytestmark = pytest.mark.django_db

NEW = {
    "username": "edu_new",
    "full_name": "王小红",
    "role": "educator",
    "communities": ["A01"],
    "password": "Lantern-Orchid-57",
}


@pytest.fixture
def people(admin_user, leader, educator_a, educator_b):
    return {"admin_user": admin_user, "leader": leader, "educator_a": educator_a}


# who × action → status. Leaders and educators: lists hold only themselves, another user is
# 404 (as if absent), and every write is 403.
MATRIX = {
    "admin_user": {
        "list": 200,
        "retrieve_other": 200,
        "create": 201,
        "update": 200,
        "deactivate": 200,
    },
    "leader": {"list": 200, "retrieve_other": 404, "create": 403, "update": 403, "deactivate": 403},
    "educator_a": {
        "list": 200,
        "retrieve_other": 404,
        "create": 403,
        "update": 403,
        "deactivate": 403,
    },
}


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("action", ["list", "retrieve_other", "create", "update", "deactivate"])
def test_the_user_matrix(api, people, educator_b, who, action):
    user = people[who]
    client = api(user)
    other = f"/api/users/{educator_b.pk}/"
    if action == "list":
        response = client.get("/api/users/")
        names = {u["username"] for u in response.json()["results"]}
        expected = {"admin", "leader", "edu_a", "edu_b"} if who == "admin_user" else {user.username}
        assert names == expected
    elif action == "retrieve_other":
        response = client.get(other)
    elif action == "create":
        response = client.post("/api/users/", NEW, format="json")
        assert User.objects.filter(username="edu_new").exists() == (response.status_code == 201)
    elif action == "update":
        response = client.patch(other, {"role": "leader"}, format="json")
        educator_b.refresh_from_db()
        assert (educator_b.role == Role.LEADER) == (response.status_code == 200)
    else:
        response = client.patch(other, {"is_active": False}, format="json")
        educator_b.refresh_from_db()
        assert educator_b.is_active == (response.status_code != 200)
    assert response.status_code == MATRIX[who][action], response.content


@pytest.mark.parametrize("who", ["leader", "educator_a"])
def test_others_read_their_own_account_but_cannot_change_it(api, people, who):
    user = people[who]
    client = api(user)
    mine = client.get(f"/api/users/{user.pk}/")
    assert mine.status_code == 200 and mine.json()["username"] == user.username
    assert "password" not in mine.json()
    assert (
        client.patch(f"/api/users/{user.pk}/", {"role": "admin"}, format="json").status_code == 403
    )
    user.refresh_from_db()
    assert user.role != Role.ADMIN


def test_created_user_has_reach_by_codes_and_names_and_must_change_password(
    api, admin_user, community_a, street
):
    DistrictFactory(name="东湖区")
    body = {**NEW, "role": "leader", "streets": ["天虹街道"], "districts": ["东湖区"]}
    response = api(admin_user).post("/api/users/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert "password" not in data
    assert data["full_name"] == "王小红" and data["must_change_password"] is True
    assert (data["communities"], data["streets"], data["districts"]) == (
        ["A01"],
        ["天虹街道"],
        ["东湖区"],
    )
    user = User.objects.get(username="edu_new")
    assert user.check_password("Lantern-Orchid-57") and not user.is_staff


def test_admin_role_is_staff(api, admin_user):
    body = {"username": "keeper", "role": "admin", "password": "Lantern-Orchid-57"}
    assert api(admin_user).post("/api/users/", body, format="json").status_code == 201
    keeper = User.objects.get(username="keeper")
    assert keeper.is_admin and keeper.is_staff and keeper.is_superuser


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),  # too common
        ({"role": "boss"}, "role"),
        ({"communities": ["NOPE"]}, "communities"),
        ({"streets": ["无名街道"]}, "streets"),
        ({"districts": ["无名区"]}, "districts"),
        ({"communities": []}, "communities"),  # an educator needs a community
        ({"role": "leader", "communities": []}, "communities"),
        ({"username": "bad name!"}, "username"),
        ({"username": "edu_a"}, "username"),  # taken
    ],
)
def test_bad_users_are_400_naming_the_field(api, admin_user, educator_a, change, field):
    before = User.objects.count()
    response = api(admin_user).post("/api/users/", {**NEW, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert response.json()[field]
    assert User.objects.count() == before


def test_password_reasons_are_given(api, admin_user, community_a):
    # Django's validators as configured: too short, and too common.
    response = api(admin_user).post("/api/users/", {**NEW, "password": "12345"}, format="json")
    assert len(response.json()["password"]) == 2, response.json()


def test_change_role_and_reach(api, admin_user, educator_a, community_b, street):
    response = api(admin_user).patch(
        f"/api/users/{educator_a.pk}/",
        {"role": "leader", "communities": [], "streets": ["天虹街道"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "leader" and response.json()["streets"] == ["天虹街道"]
    make_resident(community_b, name="乙")
    fresh = User.objects.get(pk=educator_a.pk)
    names = {r["name"] for r in api(fresh).get("/api/residents/").json()["results"]}
    assert names == {"乙"}


def test_filters_role_and_community(api, admin_user, leader, educator_a, educator_b, community_c):
    client = api(admin_user)
    educators = client.get("/api/users/", {"role": "educator"}).json()["results"]
    assert {u["username"] for u in educators} == {"edu_a", "edu_b"}
    # community A is reached by its educator and by the leader of its street
    in_a = client.get("/api/users/", {"community": "A01"}).json()["results"]
    assert {u["username"] for u in in_a} == {"edu_a", "leader"}
    assert client.get("/api/users/", {"community": "C01"}).json()["results"] == []
    assert client.get("/api/users/", {"community": "NOPE"}).json()["results"] == []


def test_deactivating_revokes_tokens_and_sessions(api, admin_user, educator_a):
    token = Token.objects.create(user=educator_a)
    browser = Client()
    browser.force_login(educator_a)
    assert browser.get("/residents/").status_code == 200
    other = Client()
    other.force_login(admin_user)
    response = api(admin_user).patch(
        f"/api/users/{educator_a.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert not Token.objects.filter(key=token.key).exists()
    assert browser.get("/residents/").status_code == 302  # back to the sign-in page
    scripted = api(None)
    scripted.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert scripted.get("/api/residents/").status_code == 401
    # the admin's own session is untouched
    assert Session.objects.count() == 1 and other.get("/residents/").status_code == 200


def test_admin_cannot_deactivate_or_demote_themselves(api, admin_user):
    client = api(admin_user)
    url = f"/api/users/{admin_user.pk}/"
    response = client.patch(url, {"is_active": False}, format="json")
    assert response.status_code == 400 and "is_active" in response.json()
    response = client.patch(url, {"role": "educator"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.is_admin


def test_no_delete_for_users(api, admin_user, educator_a):
    assert api(admin_user).delete(f"/api/users/{educator_a.pk}/").status_code == 405
    assert User.objects.filter(pk=educator_a.pk).exists()


def test_password_set_by_an_admin_must_be_changed_at_the_next_sign_in(api, admin_user, educator_a):
    response = api(admin_user).patch(
        f"/api/users/{educator_a.pk}/", {"password": "Lantern-Orchid-57"}, format="json"
    )
    assert response.status_code == 200 and response.json()["must_change_password"] is True
    browser = Client()
    assert (
        browser.post("/login/", {"username": "edu_a", "password": "Lantern-Orchid-57"}).status_code
        == 302
    )
    page = browser.get("/residents/")
    assert page.status_code == 302 and page["Location"] == "/password/change/"
    assert browser.get("/password/change/").status_code == 200
    changed = browser.post(
        "/password/change/",
        {
            "old_password": "Lantern-Orchid-57",
            "new_password1": "Quiet-Harbour-93",
            "new_password2": "Quiet-Harbour-93",
        },
    )
    assert changed.status_code == 302
    educator_a.refresh_from_db()
    assert not educator_a.must_change_password and educator_a.check_password("Quiet-Harbour-93")
    assert browser.get("/residents/").status_code == 200


def test_the_token_endpoint_still_answers_a_user_who_must_change_password(
    api, admin_user, educator_a
):
    # Decided and documented: scripts' accounts are set by admins; only the pages insist.
    api(admin_user).patch(
        f"/api/users/{educator_a.pk}/", {"password": "Lantern-Orchid-57"}, format="json"
    )
    response = api(None).post(
        "/api/auth/token/", {"username": "edu_a", "password": "Lantern-Orchid-57"}, format="json"
    )
    assert response.status_code == 200


def test_district_leaders_reach_follows_a_street_moved_between_districts(
    api, admin_user, community_c
):
    west = DistrictFactory(name="西山区")
    StreetFactory(name="西山街道", district=west)
    west_leader = UserFactory(username="west_leader", role=Role.LEADER)
    west_leader.districts.set([west])
    east_leader = UserFactory(username="east_leader", role=Role.LEADER)
    east_leader.districts.set([community_c.street.district])
    make_resident(community_c, name="丙")

    def names(user):
        fresh = User.objects.get(pk=user.pk)
        return {r["name"] for r in api(fresh).get("/api/residents/").json()["results"]}

    assert (names(west_leader), names(east_leader)) == (set(), {"丙"})
    moved = api(admin_user).patch(
        f"/api/streets/{community_c.street_id}/", {"district": "西山区"}, format="json"
    )
    assert moved.status_code == 200
    assert (names(west_leader), names(east_leader)) == ({"丙"}, set())


@pytest.mark.parametrize("path", ["/api/users/", "/api/streets/", "/api/districts/"])
def test_lists_cost_the_same_queries_for_many_rows(api, admin_user, community_a, path):
    from tests.factories import CommunityFactory

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert api(admin_user).get(path).status_code == 200
        return len(queries)

    few = count()
    for i in range(12):
        district = DistrictFactory(name=f"区{i}")
        street = StreetFactory(name=f"街{i}", district=district)
        community = CommunityFactory(code=f"Q{i:02d}", street=street)
        user = UserFactory(username=f"many{i}", role=Role.LEADER, streets=[street])
        user.communities.set([community])
        user.districts.set([district])
    assert count() == few


def test_an_admin_setting_their_own_password_need_not_change_it_again(api, admin_user):
    response = api(admin_user).patch(
        f"/api/users/{admin_user.pk}/", {"password": "Lantern-Orchid-57"}, format="json"
    )
    assert response.status_code == 200 and response.json()["must_change_password"] is False
