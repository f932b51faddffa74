import datetime as dt

import pytest

from healthedu.audit.models import AuditEntry
from residents.models import Resident
from tests.factories import make_id_number, make_resident

pytestmark = pytest.mark.django_db


def payload(place, **extra):
    data = {
        "name": "李秀兰",
        "sex": "F",
        "birth_date": "1956-03-08",
        "community": place.pk,
        "address": "天虹路3号2单元501室",
        "phone": "138 1234 5678",
        "id_number": make_id_number(dt.date(1956, 3, 8), "F"),
        "is_migrant": False,
        "conditions": ["hypertension"],
    }
    data.update(extra)
    return data


def test_create_masks_id_and_phone_and_derives_groups(api, educator_a, community_a):
    response = api(educator_a).post("/api/residents/", payload(community_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    number = payload(community_a)["id_number"]
    assert body["id_number"] == number[:6] + "*" * 12
    assert body["birth_date"] == "1956-03"  # an educator is not shown the day
    assert body["phone"] == "138****5678"
    assert body["groups"] == ["elderly", "women"]
    assert body["conditions"] == ["hypertension"]
    assert number not in response.content.decode()
    entry = AuditEntry.objects.get(action="create")
    assert entry.user == educator_a and "id_number" in entry.fields
    assert number not in str(entry.__dict__)


def test_community_can_be_given_by_code(api, educator_a, community_a):
    response = api(educator_a).post(
        "/api/residents/", payload(community_a, community="A01"), format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "check digit"),
        ({"id_number": "110105490101001"}, "id_number", "18-digit"),
        ({"sex": "M"}, "id_number", "sex"),
        ({"birth_date": "1956-03-09"}, "id_number", "date of birth"),
        ({"birth_date": "2099-01-01", "id_number": ""}, "birth_date", "future"),
        ({"birth_date": "1956-02-30"}, "birth_date", "date"),
        ({"phone": "12345"}, "phone", "short"),
        ({"name": ""}, "name", ""),
        ({"sex": "X"}, "sex", ""),
        ({"conditions": ["flu"]}, "conditions", ""),
        ({"status": "gone"}, "status", ""),
        ({"community": 99999}, "community", ""),
    ],
)
def test_bad_fields_are_400_naming_the_field(api, educator_a, community_a, change, field, words):
    response = api(educator_a).post(
        "/api/residents/", payload(community_a, **change), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert words.lower() in " ".join(response.json()[field]).lower()
    assert Resident.objects.count() == 0


def test_messages_are_chinese_by_default(api, educator_a, community_a):
    response = api(educator_a).post(
        "/api/residents/", payload(community_a, id_number="110105194912310021"), format="json"
    )
    assert response.status_code == 400
    assert "校验" in response.json()["id_number"][0]


def test_id_number_is_unique_across_communities(
    api, educator_a, educator_b, community_a, community_b
):
    assert (
        api(educator_a).post("/api/residents/", payload(community_a), format="json").status_code
        == 201
    )
    response = api(educator_b).post("/api/residents/", payload(community_b), format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()


def test_update_keeps_the_id_number_and_checks_it_against_new_fields(api, educator_a, community_a):
    resident_id = (
        api(educator_a).post("/api/residents/", payload(community_a), format="json").json()["id"]
    )
    ok = api(educator_a).patch(
        f"/api/residents/{resident_id}/", {"address": "新地址"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["address"] == "新地址"
    assert ok.json()["id_number"] == payload(community_a)["id_number"][:6] + "*" * 12
    bad = api(educator_a).patch(f"/api/residents/{resident_id}/", {"sex": "M"}, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()
    assert AuditEntry.objects.filter(action="update").get().fields == ["address"]


@pytest.mark.parametrize(
    "body", [[], "x", {"name": ["a"]}, {"birth_date": 5}, {"conditions": "hypertension"}, None]
)
def test_malformed_bodies_are_400_not_500(api, educator_a, community_a, body):
    response = api(educator_a).post("/api/residents/", body, format="json")
    assert response.status_code == 400


def test_filters_group_search_and_page_size(api, educator_a, community_a):
    make_resident(community_a, name="老张", sex="M", age=70)
    make_resident(community_a, name="小王", sex="M", age=15)
    make_resident(community_a, name="王女士", sex="F", age=30, is_migrant=True)
    client = api(educator_a)

    def names(**query):
        return sorted(r["name"] for r in client.get("/api/residents/", query).json()["results"])

    assert names(group="elderly") == ["老张"]
    assert names(group="youth") == ["小王"]
    assert names(group="women") == ["王女士"]
    assert names(group="migrant") == ["王女士"]
    assert names(search="王") == ["小王", "王女士"]
    assert names(sex="M") == ["小王", "老张"]
    assert names(is_migrant="true") == ["王女士"]
    assert client.get("/api/residents/", {"page_size": 1}).json()["count"] == 3
    assert len(client.get("/api/residents/", {"page_size": 1}).json()["results"]) == 1
    assert client.get("/api/residents/", {"group": "aliens"}).status_code == 400


def test_list_query_count_does_not_grow_with_page_size(api, educator_a, community_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(30):
        make_resident(community_a, age=20 + i)
    counts = []
    for size in (5, 500):
        with CaptureQueriesContext(connection) as queries:
            fresh = type(educator_a).objects.get(pk=educator_a.pk)  # as each request loads its user
            assert api(fresh).get("/api/residents/", {"page_size": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_reveal_is_admin_only_and_audited(api, admin_user, educator_a, community_a):
    resident = make_resident(community_a, phone="13912345678")
    assert (
        api(educator_a)
        .post(f"/api/residents/{resident.pk}/reveal/", {"reason": "核对"}, format="json")
        .status_code
        == 403
    )
    missing_reason = api(admin_user).post(
        f"/api/residents/{resident.pk}/reveal/", {}, format="json"
    )
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()
    response = api(admin_user).post(
        f"/api/residents/{resident.pk}/reveal/", {"reason": "家庭医生随访核对身份"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "13912345678"
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.user == admin_user and entry.note == "家庭医生随访核对身份"
    assert "13912345678" not in entry.object_repr + entry.note + str(entry.fields)
