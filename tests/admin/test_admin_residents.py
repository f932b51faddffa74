"""The admin saves residents through the resident service, as the API does: the ID number's
sex and date of birth hold, one registration per ID number, numbers shown masked; and a
resident with records is not deleted (they leave the register by status)."""

import datetime as dt

import pytest

from healthedu.activities.models import Attendance
from healthedu.audit.models import AuditEntry
from healthedu.screening.models import BPReading
from residents.models import Resident
from tests.admin.helpers import bulk_delete, change_form_data, delete_confirmed, messages_of
from tests.factories import make_event, make_id_number, make_reading, make_resident
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
USERS = pytest.mark.parametrize("as_user", ["admin", "staff"], indirect=True)
BORN = dt.date(1960, 5, 4)
MAN = make_id_number(BORN, "M", seq=11)
WOMAN = make_id_number(BORN, "F", seq=12)


def change_url(resident) -> str:
    return f"/admin/residents/resident/{resident.pk}/change/"


def field_error(html: str, field: str) -> bool:
    return f'id="id_{field}_error"' in html


@USERS
def test_a_sex_that_disagrees_with_the_id_number_is_refused_on_the_field(
    page_client, as_user, community_a
):
    resident = make_resident(community_a, name="王建国", sex="M", birth_date=BORN, id_number=MAN)
    client = page_client(as_user)
    data = change_form_data(client, change_url(resident), "resident_form")
    data["sex"] = ["F"]
    response = client.post(change_url(resident), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, "sex") and "身份证号" in html
    resident.refresh_from_db()
    assert resident.sex == "M"


@USERS
@pytest.mark.parametrize(
    ("sex", "born", "saved"),
    [("M", BORN, True), ("F", BORN, False), ("M", BORN + dt.timedelta(days=1), False)],
    ids=["agrees", "other-sex", "other-birthday"],
)
def test_adding_checks_the_id_number_against_sex_and_birth_date(
    page_client, as_user, community_a, sex, born, saved
):
    client = page_client(as_user)
    data = change_form_data(client, "/admin/residents/resident/add/", "resident_form")
    data.update(
        name=["李四"],
        sex=[sex],
        birth_date=[born.isoformat()],
        community=[str(community_a.pk)],
        id_number=[MAN],
        phone=["13912340000"],
    )
    response = client.post("/admin/residents/resident/add/", data)
    assert Resident.objects.filter(name="李四").exists() is saved
    if saved:
        assert response.status_code == 302
        resident = Resident.objects.get(name="李四")
        assert resident.id_number_masked and resident.id_number_masked != MAN
        entry = AuditEntry.objects.get(action="create", object_id=str(resident.pk))
        assert entry.user == as_user and entry.model == "residents.Resident"
        page = client.get(change_url(resident)).content.decode()
        listing = client.get("/admin/residents/resident/").content.decode()
        for html in (page, listing):
            assert resident.id_number_masked in html and MAN not in html
            assert "13912340000" not in html
    else:
        assert response.status_code == 200 and field_error(response.content.decode(), "id_number")


@USERS
def test_a_duplicate_id_number_is_a_form_error_not_a_500(page_client, as_user, community_a):
    make_resident(community_a, name="张三", sex="F", birth_date=BORN, id_number=WOMAN)
    other = make_resident(community_a, name="赵六", sex="F", birth_date=BORN, id_number="")
    client = page_client(as_user)

    data = change_form_data(client, change_url(other), "resident_form")
    data["id_number"] = [WOMAN]
    changed = client.post(change_url(other), data)
    assert changed.status_code == 200 and field_error(changed.content.decode(), "id_number")
    other.refresh_from_db()
    assert other.id_number_hash is None

    data = change_form_data(client, "/admin/residents/resident/add/", "resident_form")
    data.update(
        name=["张三"],
        sex=["F"],
        birth_date=[BORN.isoformat()],
        community=[str(community_a.pk)],
        id_number=[WOMAN],
    )
    added = client.post("/admin/residents/resident/add/", data)
    assert added.status_code == 200 and field_error(added.content.decode(), "id_number")
    assert Resident.objects.filter(name="张三").count() == 1


@pytest.fixture
def with_history(community_a):
    """A resident with an attendance and a reading, and one with no records."""
    from tests.reports.conftest import attend

    kept = make_resident(community_a, name="有记录", sex="F", age=70, on=dt.date(2026, 10, 1))
    event = make_event(community_a, title="讲座", starts_at=at(10, 10), status="held", venue="")
    attend(event, [kept])
    make_reading(kept, 150, 95, on=dt.date(2026, 10, 10), at="10:00")
    fresh = make_resident(community_a, name="新登记", sex="F", age=50)
    return kept, fresh


@USERS
@pytest.mark.parametrize("way", ["page", "bulk"])
def test_a_resident_with_records_is_not_deleted_and_one_without_is(
    page_client, as_user, with_history, way
):
    """Holds whether the records' foreign keys cascade or protect: the admin refuses first."""
    kept, fresh = with_history
    client = page_client(as_user)

    if way == "page":
        response = delete_confirmed(client, "residents", "resident", kept.pk)
    else:
        response = bulk_delete(client, "residents", "resident", [kept.pk, fresh.pk])
    assert response.status_code == 200
    assert any("有记录" in m and "迁出" in m for m in messages_of(response)), messages_of(response)
    assert Resident.objects.filter(pk__in=[kept.pk, fresh.pk]).count() == 2
    assert Attendance.objects.filter(resident=kept).count() == 1
    assert BPReading.objects.filter(resident=kept).count() == 1

    if way == "page":
        page = client.get(f"/admin/residents/resident/{kept.pk}/delete/", follow=True)
        assert any("有记录" in m for m in messages_of(page))
        response = delete_confirmed(client, "residents", "resident", fresh.pk)
    else:
        response = bulk_delete(client, "residents", "resident", [fresh.pk])
    assert response.status_code == 200
    assert not Resident.objects.filter(pk=fresh.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(fresh.pk)).count() == 1


@USERS
def test_leaving_the_register_by_status_is_how_a_resident_with_records_goes(
    page_client, as_user, with_history
):
    kept, _fresh = with_history
    client = page_client(as_user)
    data = change_form_data(client, change_url(kept), "resident_form")
    data["status"] = ["moved_out"]
    assert client.post(change_url(kept), data).status_code == 302
    kept.refresh_from_db()
    assert kept.status == "moved_out"
    entry = AuditEntry.objects.filter(action="update", object_id=str(kept.pk)).get()
    assert entry.fields == ["status"]


def test_a_staff_educator_cannot_reach_another_communitys_resident(
    page_client, staff_educator, community_b
):
    other = make_resident(community_b, name="春晖居民", age=50)
    client = page_client(staff_educator)
    assert client.get(change_url(other)).status_code == 302  # not found, to them
    assert client.post(change_url(other), {"name": "改名"}).status_code == 302
    delete_confirmed(client, "residents", "resident", other.pk)
    bulk_delete(client, "residents", "resident", [other.pk])
    other.refresh_from_db()
    assert other.name == "春晖居民"
    data = change_form_data(client, "/admin/residents/resident/add/", "resident_form")
    data.update(
        name=["外社区"], sex=["F"], birth_date=["1970-01-01"], community=[str(community_b.pk)]
    )
    refused = client.post("/admin/residents/resident/add/", data)
    assert refused.status_code == 200 and field_error(refused.content.decode(), "community")
    assert not Resident.objects.filter(name="外社区").exists()


def test_others_than_administrators_see_the_birth_month_not_the_day(
    page_client, admin_user, staff_educator, community_a
):
    resident = make_resident(community_a, name="王建国", sex="M", birth_date=BORN, id_number=MAN)
    pages = {
        who: [
            page_client(user).get(url).content.decode()
            for url in ("/admin/residents/resident/", change_url(resident))
        ]
        for who, user in (("admin", admin_user), ("staff", staff_educator))
    }

    def shows_day(html):
        return any(day in html for day in ("1960-05-04", "1960/05/04", "1960年5月4日"))

    assert all(shows_day(html) for html in pages["admin"])
    for html in pages["staff"]:
        assert "1960-05" in html and not shows_day(html)
        assert resident.id_number_masked in html and MAN not in html

    client = page_client(staff_educator)
    data = change_form_data(client, change_url(resident), "resident_form")
    assert "birth_date" not in data
    data["address"] = ["2栋1单元101"]
    assert client.post(change_url(resident), data).status_code == 302
    resident.refresh_from_db()
    assert resident.address == "2栋1单元101" and resident.birth_date == BORN
