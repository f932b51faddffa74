"""Reach through the API: outside reach is 404 (as if absent), lists never hold it, leaders read only."""

import pytest

from healthedu.org.models import Role
from tests.factories import UserFactory, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(community_a, community_b, community_c):
    return {
        "A": make_resident(community_a, name="甲"),
        "B": make_resident(community_b, name="乙"),
        "C": make_resident(community_c, name="丙"),
    }


SEES = {
    "educator_a": {"A"},
    "educator_b": {"B"},
    "leader": {"A", "B"},
    "admin_user": {"A", "B", "C"},
}


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize("where", ["A", "B", "C"])
def test_resident_detail_is_404_outside_reach(request, api, residents, who, where):
    user = request.getfixturevalue(who)
    response = api(user).get(f"/api/residents/{residents[where].pk}/")
    assert response.status_code == (200 if where in SEES[who] else 404)


@pytest.mark.parametrize("who", list(SEES))
def test_resident_list_holds_only_the_reach(request, api, residents, who):
    user = request.getfixturevalue(who)
    names = {r["name"] for r in api(user).get("/api/residents/").json()["results"]}
    assert names == {residents[k].name for k in SEES[who]}


@pytest.mark.parametrize("who", list(SEES))
def test_community_list_holds_only_the_reach(
    request, api, community_a, community_b, community_c, who
):
    user = request.getfixturevalue(who)
    codes = {c["code"] for c in api(user).get("/api/communities/").json()["results"]}
    assert codes == {{"A": "A01", "B": "B01", "C": "C01"}[k] for k in SEES[who]}


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize(("who", "status"), [("educator_b", 404), ("leader", 403)])
def test_writes_outside_reach_or_by_leaders_change_nothing(
    request, api, residents, method, who, status
):
    user = request.getfixturevalue(who)
    target = residents["A"]
    response = getattr(api(user), method)(
        f"/api/residents/{target.pk}/", {"name": "改"}, format="json"
    )
    assert response.status_code == status
    target.refresh_from_db()
    assert target.name == "甲"


def test_leader_cannot_create(api, leader, community_a):
    response = api(leader).post("/api/residents/", {"name": "x"}, format="json")
    assert response.status_code == 403


def test_educator_cannot_create_in_another_community(api, educator_b, community_a):
    response = api(educator_b).post(
        "/api/residents/",
        {"name": "x", "sex": "M", "birth_date": "1970-01-01", "community": community_a.pk},
        format="json",
    )
    assert response.status_code == 400 and "community" in response.json()


@pytest.mark.parametrize(
    "path", ["/api/residents/", "/api/communities/", "/api/topics/", "/api/jobs/", "/api/schema/"]
)
def test_anonymous_callers_get_401(api, path):
    assert api(None).get(path).status_code == 401


def test_health_and_token_answer_anonymous_callers(api, db):
    UserFactory(username="someone", role=Role.EDUCATOR)
    assert api(None).get("/api/health/").json() == {"status": "ok"}
    token = api(None).post(
        "/api/auth/token/", {"username": "someone", "password": "pass-word-123"}, format="json"
    )
    assert token.status_code == 200
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/residents/").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "someone"},
        {"username": "someone", "password": "wrong"},
        [],
        {"username": 5, "password": []},
    ],
)
def test_bad_logins_are_400(api, db, body):
    UserFactory(username="someone", role=Role.EDUCATOR)
    assert api(None).post("/api/auth/token/", body, format="json").status_code == 400


def test_street_leader_sees_new_communities_of_the_street(api, leader, street, residents):
    from tests.factories import CommunityFactory

    newcomer = CommunityFactory(code="N01", street=street)
    make_resident(newcomer, name="新")
    fresh = type(leader).objects.get(pk=leader.pk)
    names = {r["name"] for r in api(fresh).get("/api/residents/").json()["results"]}
    assert "新" in names and "丙" not in names


def test_admin_site_is_scoped_and_masked(page_client, community_a, community_b, admin_user):
    from healthedu.org.models import User

    a = make_resident(community_a, name="甲", phone="13911112222")
    make_resident(community_b, name="乙")
    staff_educator = User.objects.create_user(
        "staff_edu", password="x-pass-123", role=Role.EDUCATOR, is_staff=True
    )
    staff_educator.communities.set([community_a])
    from django.contrib.auth.models import Permission

    staff_educator.user_permissions.set(
        Permission.objects.filter(codename__in=["view_resident", "change_resident"])
    )
    client = page_client(staff_educator)
    page = client.get("/admin/residents/resident/").content.decode()
    assert "甲" in page and "乙" not in page
    assert "13911112222" not in page and "139****2222" in page
    detail = client.get(f"/admin/residents/resident/{a.pk}/change/").content.decode()
    assert "13911112222" not in detail
    admin_page = (
        page_client(admin_user).get(f"/admin/residents/resident/{a.pk}/change/").content.decode()
    )
    assert "13911112222" not in admin_page
