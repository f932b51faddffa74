"""Importing rosters as educators keep them, through the API as a user would."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from residents.models import Resident
from tests.factories import make_id_number

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
XLSX = SAMPLES / "天虹路社区居民花名册.xlsx"
CSV = SAMPLES / "天虹路社区居民花名册-GBK.csv"
EXPECTED_BAD_SERIALS = ["17", "41", "58", "77", "99", "133", "150", "177", "188"]

pytestmark = pytest.mark.django_db


def upload(path: Path, name: str | None = None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def run_import(api, user, community, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user).post(
            "/api/residents/import/", {"file": file, "community": community.pk}, format="multipart"
        )
    assert response.status_code == 202, response.content
    job = api(user).get(f"/api/jobs/{response.json()['id']}/").json()
    return job


@pytest.mark.parametrize("sample", [XLSX, CSV], ids=["xlsx", "gbk-csv"])
def test_sample_roster_imports_191_and_reports_the_9_bad_rows(
    sample, api, educator_a, community_a, django_capture_on_commit_callbacks
):
    job = run_import(
        api, educator_a, community_a, upload(sample), django_capture_on_commit_callbacks
    )
    assert job["status"] == "done", job
    assert job["progress"] == 100
    result = job["result"]
    assert result["created"] == 191
    assert [e["serial"] for e in result["errors"]] == EXPECTED_BAD_SERIALS
    assert all(e["reason"] and e["row"] for e in result["errors"])
    assert Resident.objects.filter(community=community_a).count() == 191

    again = run_import(
        api, educator_a, community_a, upload(sample), django_capture_on_commit_callbacks
    )
    assert again["result"]["created"] == 0
    assert again["result"]["unchanged"] + again["result"]["updated"] == 191
    assert Resident.objects.count() == 191


def test_row_reasons_name_the_problem(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    job = run_import(api, educator_a, community_a, upload(XLSX), django_capture_on_commit_callbacks)
    by_serial = {e["serial"]: e for e in job["result"]["errors"]}
    assert by_serial["17"]["field"] == "id_number"
    assert by_serial["41"]["field"] == "name"
    assert by_serial["77"]["field"] == "birth_date"
    assert by_serial["99"]["field"] == "id_number"
    assert by_serial["150"]["field"] == "id_number"
    assert by_serial["177"]["field"] == "phone"
    assert "61" in by_serial["188"]["reason"] or "63" in by_serial["188"]["reason"]
    # Excel row numbers: title row + header row, so 序号 17 is on row 19.
    assert by_serial["17"]["row"] == 19


def test_imported_residents_are_masked_and_grouped(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    run_import(api, educator_a, community_a, upload(XLSX), django_capture_on_commit_callbacks)
    body = api(educator_a).get("/api/residents/", {"search": "张燕丽"}).json()
    person = body["results"][0]
    assert person["id_number"] == "420106************"
    assert person["phone"] == "138****1737"
    assert person["sex"] == "F" and person["birth_date"] == "1966-05"  # the month, to an educator
    assert "women" in person["groups"]
    assert person["address"].startswith("天虹路3号4单元1404")


def _workbook(
    rows, headers=("姓名", "性别", "出生日期", "身份证号", "联系电话", "是否流动人口")
) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    wb.active.append(list(headers))
    for row in rows:
        wb.active.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


def test_english_headers_and_a_changed_phone_update_not_duplicate(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    import datetime as dt

    number = make_id_number(dt.date(1950, 3, 2), "M")
    headers = ("name", "sex", "birth_date", "id_number", "phone", "is_migrant")
    run_import(
        api,
        educator_a,
        community_a,
        _workbook([("王强", "男", "1950-03-02", number, "13800001111", "否")], headers),
        django_capture_on_commit_callbacks,
    )
    job = run_import(
        api,
        educator_a,
        community_a,
        _workbook([("王强", "男", "1950-03-02", number, "13800002222", "是")], headers),
        django_capture_on_commit_callbacks,
    )
    assert job["result"]["updated"] == 1 and job["result"]["created"] == 0
    resident = Resident.objects.get()
    assert resident.phone_masked == "138****2222" and resident.is_migrant


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.xlsx", b"not a zip at all", "Excel"),
        ("roster.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("roster.pdf", b"%PDF-1.4", ".pdf"),
        ("roster.csv", b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_roster_is_refused_whole(
    api, educator_a, community_a, name, content, message, settings
):
    response = api(educator_a).post(
        "/api/residents/import/",
        {"file": SimpleUploadedFile(name, content), "community": community_a.pk},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message.lower() in str(response.json()["file"]).lower()
    assert Resident.objects.count() == 0


def test_importing_into_a_community_out_of_reach_is_refused(api, educator_b, community_a):
    response = api(educator_b).post(
        "/api/residents/import/",
        {"file": upload(XLSX), "community": community_a.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert "community" in response.json()
    assert Resident.objects.count() == 0


def test_leader_cannot_import(api, leader, community_a):
    response = api(leader).post(
        "/api/residents/import/",
        {"file": upload(XLSX), "community": community_a.pk},
        format="multipart",
    )
    assert response.status_code == 403


def test_template_has_the_chinese_headers(api, educator_a):
    response = api(educator_a).get("/api/residents/import/template/")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in wb.active[1]]
    assert headers[:5] == ["序号", "姓名", "性别", "出生日期", "身份证号"]


def test_a_full_width_id_number_is_the_same_person_and_a_long_address_a_row_error(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    import datetime as dt

    number = make_id_number(dt.date(1950, 3, 2), "M")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    headers = ("姓名", "性别", "出生日期", "身份证号", "联系电话", "住址")
    job = run_import(
        api,
        educator_a,
        community_a,
        _workbook(
            [
                ("王强", "男", "1950-03-02", number, "13800001111", "天虹路1号"),
                ("王强", "男", "1950-03-02", full_width, "１３８０００１１１１", "天虹路1号"),
                ("李梅", "女", "1960-05-06", "", "13800003333", "路" * 201),
            ],
            headers,
        ),
        django_capture_on_commit_callbacks,
    )
    assert job["status"] == "done", job
    assert job["result"]["created"] == 1
    assert [(e["field"], e["row"]) for e in job["result"]["errors"] if e["field"] == "address"] == [
        ("address", 4)
    ]
    assert Resident.objects.count() == 1
