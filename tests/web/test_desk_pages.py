"""The desk's page, data, ID lookup, manifest and service worker, through Django's client."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from healthedu.activities.models import Event
from tests.factories import make_event, make_id_number, make_resident
from tests.screening.conftest import SCREENING

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()  # the lookup limit counts per user id, and ids repeat across tests
    yield
    cache.clear()


@pytest.fixture
def screening(community_a):
    return make_event(community_a, starts_at=timezone.now() - dt.timedelta(minutes=30), **SCREENING)


def test_the_desk_opens_for_an_ongoing_screening_with_the_rule_and_no_inline_script(
    page_client, educator_a, screening
):
    response = page_client(educator_a).get(f"/activities/{screening.pk}/desk/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="desk-config"' in html and 'rel="manifest"' in html
    config = json.loads(html.split('id="desk-config" type="application/json">')[1].split("<")[0])
    assert config["rule"]["systolic_from"] == [0, 120, 140, 160, 180]
    assert config["urls"]["sync"] == "/api/sync/"


def test_reach_role_and_state(page_client, educator_b, leader, educator_a, screening, community_a):
    assert page_client(educator_b).get(f"/activities/{screening.pk}/desk/").status_code == 404
    assert page_client(educator_b).get(f"/activities/{screening.pk}/desk/data/").status_code == 404
    assert page_client(leader).get(f"/activities/{screening.pk}/desk/").status_code == 403
    Event.objects.filter(pk=screening.pk).update(status="cancelled")
    assert page_client(educator_a).get(f"/activities/{screening.pk}/desk/").status_code == 409
    assert page_client(educator_a).get(f"/activities/{screening.pk}/desk/data/").status_code == 409
    later = make_event(
        community_a,
        starts_at=timezone.now() + dt.timedelta(days=3),
        venue="二楼",
        kind="bp_screening",
        status="held",
        title=f"{community_a.name}免费测血压",
        hours=3,
    )
    assert page_client(educator_a).get(f"/activities/{later.pk}/desk/").status_code == 409


def test_the_device_gets_masked_residents_of_the_community_only(
    page_client, educator_a, screening, community_a, community_b
):
    here = make_resident(community_a, name="孙秀英", phone="13600001234", age=68)
    make_resident(community_a, name="搬走了", age=50, status="moved_out")
    make_resident(community_b, name="别处人", age=50)
    response = page_client(educator_a).get(f"/activities/{screening.pk}/desk/data/")
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert [r["name"] for r in body["residents"]] == ["孙秀英"]
    [row] = body["residents"]
    assert row == {
        "id": here.pk,
        "name": "孙秀英",
        "sex": "F",
        "born": here.birth_date.strftime("%Y-%m"),
        "phone": "136****1234",
        "adult": True,
        "checked_in": False,
        "readings": [],
    }
    text = response.content.decode()
    assert here.id_number_masked not in text and "13600001234" not in text
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(hours=11) < expires - timezone.now() <= dt.timedelta(hours=12)


def test_an_id_number_finds_only_in_full(
    page_client, educator_a, screening, community_a, community_b
):
    number = make_id_number(dt.date(1950, 3, 2), "F", seq=11)
    here = make_resident(community_a, birth_date=dt.date(1950, 3, 2), id_number=number)
    elsewhere_number = make_id_number(dt.date(1952, 3, 2), "F", seq=12)
    make_resident(community_b, birth_date=dt.date(1952, 3, 2), id_number=elsewhere_number)
    client = page_client(educator_a)
    url = f"/activities/{screening.pk}/desk/find-id/"

    def find(value):
        return client.post(url, json.dumps({"id_number": value}), content_type="application/json")

    assert find(number).json() == {"resident": here.pk}
    assert find(number.lower()).json() == {"resident": here.pk}
    assert find(elsewhere_number).json() == {"resident": None}
    for fragment in (number[-4:], number[:6], number[:17], "", None, 7):
        assert find(fragment).status_code == 400
    assert client.post(url, "{not json", content_type="application/json").status_code == 400


def test_the_worker_is_served_from_the_root_with_our_static_files(
    client, page_client, educator_a, screening
):
    response = client.get("/desk-sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "importScripts(" in body and "/static/web/vendor/workbox/workbox-core.prod.js" in body
    assert "/static/web/js/desk.js" in body  # precached
    manifest = page_client(educator_a).get(f"/activities/{screening.pk}/desk/manifest.webmanifest")
    assert manifest.json()["start_url"] == f"/activities/{screening.pk}/desk/"


def test_sign_out_clears_the_device(page_client, educator_a):
    response = page_client(educator_a).post("/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_id_number_lookups_are_limited(page_client, educator_a, screening):
    from healthedu.web.views import desk

    client = page_client(educator_a)
    url = f"/activities/{screening.pk}/desk/find-id/"
    body = json.dumps({"id_number": "110101195003021234"})
    codes = [
        client.post(url, body, content_type="application/json").status_code
        for _ in range(desk.FIND_ID_PER_HOUR + 1)
    ]
    assert codes[:-1] == [200] * desk.FIND_ID_PER_HOUR and codes[-1] == 429
