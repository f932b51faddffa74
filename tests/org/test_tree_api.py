"""The organisation tree through the API: communities make their street and district, districts
and streets are read within reach and written by admins, nothing that is used is deleted."""

import pytest

from healthedu.org.models import Community, District, Street
from tests.factories import DistrictFactory, StreetFactory, make_resident

pytestmark = pytest.mark.django_db


def test_admin_creates_a_community_with_a_new_street_and_district(api, admin_user):
    body = {"code": "TH09", "name": "天虹九社区", "street": "新街道", "district": "西山区"}
    response = api(admin_user).post("/api/communities/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"id": response.json()["id"], **body}
    street = Street.objects.get(name="新街道")
    assert street.district.name == "西山区"
    again = api(admin_user).post(
        "/api/communities/",
        {"code": "TH10", "name": "十社区", "street": "新街道", "district": "西山区"},
        format="json",
    )
    assert again.status_code == 201
    assert Street.objects.filter(name="新街道").count() == 1
    assert District.objects.filter(name="西山区").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        # a street that does not exist needs its district
        ({"code": "X1", "name": "x", "street": "无名街道"}, "district"),
        # a known street under another district: moving is a change of the street
        ({"code": "X1", "name": "x", "street": "天虹街道", "district": "西山区"}, "street"),
        ({"code": "A01", "name": "x", "street": "天虹街道"}, "code"),
        ({"code": "X1", "name": "x", "street": ""}, "street"),
        ({"code": "X1", "name": "x", "street": "新街道", "district": ""}, "district"),
        ({"code": "X1", "street": "天虹街道"}, "name"),
    ],
)
def test_bad_community_is_a_400_naming_the_field_and_writes_nothing(
    api, admin_user, community_a, body, field
):
    before = (Community.objects.count(), Street.objects.count(), District.objects.count())
    response = api(admin_user).post("/api/communities/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert (Community.objects.count(), Street.objects.count(), District.objects.count()) == before


def test_known_street_is_used_with_or_without_its_district(api, admin_user, street):
    for code, extra in (("N1", {}), ("N2", {"district": "东湖区"})):
        body = {"code": code, "name": code, "street": "天虹街道", **extra}
        assert api(admin_user).post("/api/communities/", body, format="json").status_code == 201
    assert set(Community.objects.values_list("street", flat=True)) == {street.pk}


@pytest.mark.parametrize("who", ["educator_a", "leader"])
def test_only_admins_write_the_tree(request, api, community_a, who):
    client = api(request.getfixturevalue(who))
    body = {"code": "Z1", "name": "z", "street": "天虹街道"}
    assert client.post("/api/communities/", body, format="json").status_code == 403
    assert (
        client.post("/api/streets/", {"name": "s", "district": "d"}, format="json").status_code
        == 403
    )
    assert client.post("/api/districts/", {"name": "d"}, format="json").status_code == 403
    assert client.delete(f"/api/streets/{community_a.street_id}/").status_code == 403
    assert not Street.objects.filter(name="s").exists()


SEES = {  # who: (districts, streets)
    "educator_a": ({"东湖区"}, {"天虹街道"}),
    "educator_b": ({"东湖区"}, {"天虹街道"}),
    "leader": ({"东湖区"}, {"天虹街道"}),
    "admin_user": ({"东湖区", "空区"}, {"天虹街道", "文化街道", "空街道"}),
}


@pytest.mark.parametrize("who", list(SEES))
def test_districts_and_streets_are_read_within_reach(
    request, api, community_a, community_b, community_c, who
):
    StreetFactory(name="空街道", district=DistrictFactory(name="空区"))
    client = api(request.getfixturevalue(who))
    districts = {d["name"] for d in client.get("/api/districts/").json()["results"]}
    streets = {s["name"] for s in client.get("/api/streets/").json()["results"]}
    assert (districts, streets) == SEES[who]
    culture = Street.objects.get(name="文化街道")
    expected = 200 if "文化街道" in SEES[who][1] else 404
    assert client.get(f"/api/streets/{culture.pk}/").status_code == expected


def test_admin_creates_renames_and_moves_streets(api, admin_user, community_a):
    client = api(admin_user)
    made = client.post("/api/streets/", {"name": "北门街道", "district": "新区"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["district"] == "新区" and made.json()["community_count"] == 0
    duplicate = client.post(
        "/api/streets/", {"name": "北门街道", "district": "东湖区"}, format="json"
    )
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    moved = client.patch(
        f"/api/streets/{community_a.street_id}/", {"district": "新区"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["district"] == "新区"
    assert moved.json()["community_count"] == 1
    community_a.refresh_from_db()
    assert community_a.district.name == "新区"
    district = client.post("/api/districts/", {"name": "新区"}, format="json")
    assert district.status_code == 400 and "name" in district.json()


def test_delete_refuses_what_is_still_used_and_never_cascades(api, admin_user, community_a):
    make_resident(community_a, name="甲")
    client = api(admin_user)
    street, district = community_a.street, community_a.street.district
    for url in (
        f"/api/communities/{community_a.pk}/",
        f"/api/streets/{street.pk}/",
        f"/api/districts/{district.pk}/",
    ):
        response = client.delete(url)
        assert response.status_code == 400, url
        assert "不能删除" in response.json()["detail"][0], url  # in Chinese, with the reason
    assert Community.objects.filter(pk=community_a.pk).exists()
    empty = client.post("/api/streets/", {"name": "空街道", "district": "空区"}, format="json")
    assert client.delete(f"/api/streets/{empty.json()['id']}/").status_code == 204
    empty_district = District.objects.get(name="空区")
    assert client.delete(f"/api/districts/{empty_district.pk}/").status_code == 204


def test_community_without_records_can_be_deleted(api, admin_user, community_a):
    assert api(admin_user).delete(f"/api/communities/{community_a.pk}/").status_code == 204


def test_renaming_a_community_keeps_its_records(api, admin_user, community_a):
    resident = make_resident(community_a, name="甲")
    response = api(admin_user).patch(
        f"/api/communities/{community_a.pk}/", {"name": "天虹新社区"}, format="json"
    )
    assert response.status_code == 200 and response.json()["name"] == "天虹新社区"
    resident.refresh_from_db()
    assert resident.community_id == community_a.pk
    assert (
        api(admin_user).get(f"/api/residents/{resident.pk}/").json()["community"] == community_a.pk
    )


def test_community_moves_to_another_street_but_not_by_naming_a_district(
    api, admin_user, community_a, other_street
):
    client = api(admin_user)
    url = f"/api/communities/{community_a.pk}/"
    refused = client.patch(url, {"district": "西山区"}, format="json")
    assert refused.status_code == 400 and "district" in refused.json()
    moved = client.patch(url, {"street": "文化街道"}, format="json")
    assert moved.status_code == 200 and moved.json()["street"] == "文化街道"
