"""Creating or importing a resident must not tell whether an ID number is registered in a
community beyond the caller's reach: the caller learns only that it cannot be registered here,
and the attempt goes to the audit log. Within reach, the plain message is fine."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.audit.models import AuditEntry
from healthedu.org.models import Role
from residents.models import Resident
from tests.factories import UserFactory, make_id_number, make_resident

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1950, 3, 2)
NUMBER = make_id_number(BIRTH, "M", area="420111", seq=37)
NOT_HERE = "This ID number cannot be registered here"
HERE = "already registered"
ELSEWHERE_WORDS = ("another community", "其他社区", "已在")


def payload(community, **extra):
    return {
        "name": "王建国",
        "sex": "M",
        "birth_date": BIRTH.isoformat(),
        "community": community.pk,
        "id_number": NUMBER,
        **extra,
    }


@pytest.fixture
def two_community_educator(community_a, community_b):
    return UserFactory(
        username="edu_ab", role=Role.EDUCATOR, communities=[community_a, community_b]
    )


@pytest.mark.parametrize(
    ("caller", "holder", "expected", "audited"),
    [
        ("educator_a", "community_c", NOT_HERE, True),  # another street's community
        ("educator_a", "community_b", NOT_HERE, True),  # the same street, not in reach
        ("educator_a", "community_a", HERE, False),  # their own community
        ("two_community_educator", "community_b", HERE, False),  # in reach
        ("admin_user", "community_c", HERE, False),  # an administrator reaches everything
    ],
)
def test_creating_with_a_held_number_names_no_community_beyond_reach(
    request, api, community_a, caller, holder, expected, audited
):
    user = request.getfixturevalue(caller)
    held = make_resident(
        request.getfixturevalue(holder), sex="M", birth_date=BIRTH, id_number=NUMBER
    )
    before = AuditEntry.objects.count()
    response = api(user).post(
        "/api/residents/", payload(community_a), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["id_number"])
    assert expected in message
    assert not any(word in message for word in ELSEWHERE_WORDS)
    assert Resident.objects.count() == 1
    refused = AuditEntry.objects.filter(note__startswith="refused")
    if audited:
        entry = refused.get()
        assert entry.user == user and entry.object_id == str(held.pk)
        assert "An administrator can help" in message
        assert NUMBER not in str(entry.__dict__)
    else:
        assert not refused.exists() and AuditEntry.objects.count() == before


def test_the_refusal_is_in_chinese_by_default(api, educator_a, community_a, community_c):
    make_resident(community_c, sex="M", birth_date=BIRTH, id_number=NUMBER)
    response = api(educator_a).post("/api/residents/", payload(community_a), format="json")
    message = " ".join(response.json()["id_number"])
    assert "无法在此登记" in message and "管理员" in message and "其他社区" not in message


def test_changing_a_residents_number_to_one_held_beyond_reach_is_refused_alike(
    api, educator_a, community_a, community_c
):
    make_resident(community_c, sex="M", birth_date=BIRTH, id_number=NUMBER)
    mine = make_resident(community_a, sex="M", birth_date=BIRTH, id_number="")
    response = api(educator_a).patch(
        f"/api/residents/{mine.pk}/",
        {"id_number": NUMBER},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert NOT_HERE in " ".join(response.json()["id_number"])
    assert AuditEntry.objects.filter(note__startswith="refused: update").count() == 1


def _roster(number: str) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "性别", "出生日期", "身份证号"])
    workbook.active.append(["王建国", "男", BIRTH.isoformat(), number])
    workbook.active.append(["李秀兰", "女", "1956-03-08", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


@pytest.mark.parametrize(
    ("caller", "holder", "expected", "audited"),
    [
        ("educator_a", "community_c", NOT_HERE, True),
        ("educator_a", "community_b", NOT_HERE, True),
        ("two_community_educator", "community_b", "registered in another community", False),
    ],
)
def test_importing_a_held_number_names_no_community_beyond_reach(
    request, api, community_a, caller, holder, expected, audited, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(caller)
    held = make_resident(
        request.getfixturevalue(holder), sex="M", birth_date=BIRTH, id_number=NUMBER
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user).post(
            "/api/residents/import/",
            {"file": _roster(NUMBER), "community": community_a.pk},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 202, response.content
    job = api(user).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done", job
    assert job["result"]["created"] == 1  # the other row
    (error,) = job["result"]["errors"]
    assert error["field"] == "id_number" and expected in error["reason"]
    if audited:
        assert not any(word in error["reason"] for word in ELSEWHERE_WORDS)
        entry = AuditEntry.objects.get(note__startswith="refused: import")
        assert entry.user == user and entry.object_id == str(held.pk)
    else:
        assert not AuditEntry.objects.filter(note__startswith="refused").exists()
    held.refresh_from_db()
    assert held.community_id == request.getfixturevalue(holder).pk


@pytest.mark.parametrize("day", [1, 8, 9, 10, 31])
def test_an_import_answers_alike_whatever_day_of_birth_a_row_gives(
    api, educator_a, community_a, day, django_capture_on_commit_callbacks
):
    """A roster row without an ID number finds a resident who holds one by name and birth month:
    were it by the day, creating or not creating a resident would tell the day held."""
    held = make_resident(
        community_a, name="王秀英", sex="F", birth_date=dt.date(1956, 10, 9), phone=""
    )
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "性别", "出生日期", "身份证号", "住址"])
    workbook.active.append(["王秀英", "女", f"1956-10-{day:02d}", "", "5栋101室"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(educator_a).post(
            "/api/residents/import/",
            {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue()), "community": community_a.pk},
            format="multipart",
        )
    job = api(educator_a).get(f"/api/jobs/{response.json()['id']}/").json()
    result = job["result"]
    assert (result["created"], result["updated"], result["errors"]) == (0, 1, [])
    held.refresh_from_db()
    assert held.birth_date == dt.date(1956, 10, 9) and held.address == "5栋101室"
    assert Resident.objects.count() == 1
