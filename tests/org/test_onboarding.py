"""The onboarding workbook: import as a job with a row-by-row report, idempotent; the export is
the template and round-trips; new users' passwords are generated and shown once to their admin."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.org.models import Community, District, Role, Street, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STREETS = [["区", "街道"], ["东湖区", "天虹街道"], ["东湖区", "文化街道"]]
COMMUNITIES = [
    ["社区编码", "社区名称", "街道", "区"],
    ["TH01", "天虹路社区", "天虹街道", "东湖区"],
    ["TH02", "春晖社区", "天虹街道", ""],
    ["WH01", "文化巷社区", "文化街道", "东湖区"],
    ["XS01", "西山社区", "西山街道", "西山区"],  # street and district made from this row
]
USERS = [
    ["用户名", "姓名", "角色", "社区编码", "街道", "区", "停用"],
    ["edu_th", "王小红", "健康教导员", "TH01、TH02", "", "", ""],
    ["lead_th", "李明", "领导", "", "天虹街道", "", ""],
    ["lead_d", "赵强", "领导", "", "", "东湖区", "否"],
    ["old_hand", "钱多", "健康教导员", "WH01", "", "", "是"],
]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def full_setup() -> bytes:
    return workbook({"街道": STREETS, "社区": COMMUNITIES, "用户": USERS})


@pytest.fixture
def run_import(api, admin_user, django_capture_on_commit_callbacks):
    def run(content: bytes, user=admin_user):
        upload = SimpleUploadedFile("setup.xlsx", content, content_type=XLSX)
        with django_capture_on_commit_callbacks(execute=True):
            response = api(user).post("/api/setup/import/", {"file": upload}, format="multipart")
        assert response.status_code == 202, response.content
        return api(user).get(f"/api/jobs/{response.json()['id']}/").json()

    return run


def snapshot():
    return (
        sorted(Street.objects.values_list("district__name", "name")),
        sorted(Community.objects.values_list("code", "name", "street__name")),
        sorted(User.objects.values_list("username", "first_name", "role", "is_active")),
    )


def test_import_builds_the_tree_and_users(run_import, admin_user):
    job = run_import(full_setup())
    assert job["status"] == "done", job
    result = job["result"]
    assert result["error_count"] == 0, result["errors"]
    assert result["sheets"]["街道"]["created"] == 2
    assert result["sheets"]["社区"]["created"] == 4
    assert result["sheets"]["用户"]["created"] == 4
    assert Street.objects.get(name="西山街道").district.name == "西山区"
    edu = User.objects.get(username="edu_th")
    assert edu.first_name == "王小红" and edu.role == Role.EDUCATOR
    assert sorted(edu.communities.values_list("code", flat=True)) == ["TH01", "TH02"]
    assert list(User.objects.get(username="lead_th").streets.values_list("name", flat=True)) == [
        "天虹街道"
    ]
    assert list(User.objects.get(username="lead_d").districts.values_list("name", flat=True)) == [
        "东湖区"
    ]
    assert not User.objects.get(username="old_hand").is_active
    passwords = {p["username"]: p["password"] for p in result["secrets"]["passwords"]}
    assert set(passwords) == {"edu_th", "lead_th", "lead_d", "old_hand"}
    assert edu.check_password(passwords["edu_th"]) and edu.must_change_password


def test_running_twice_updates_and_adds_no_duplicates(run_import):
    run_import(full_setup())
    first = snapshot()
    again = run_import(full_setup())["result"]
    assert again["created"] == 0 and again["error_count"] == 0
    assert again["unchanged"] == again["total_rows"] == 10
    assert snapshot() == first
    assert again.get("secrets", {}).get("passwords", []) == []


def test_passwords_are_shown_once_and_only_to_the_admin_who_ran_it(
    api, admin_user, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("setup.xlsx", full_setup(), content_type=XLSX)
    with django_capture_on_commit_callbacks(execute=True):
        started = api(admin_user).post("/api/setup/import/", {"file": upload}, format="multipart")
    url = f"/api/jobs/{started.json()['id']}/"
    other_admin = UserFactory(username="admin2", role=Role.ADMIN)
    seen_by_other = api(other_admin).get(url).json()
    assert seen_by_other["status"] == "done" and "secrets" not in seen_by_other["result"]
    first = api(admin_user).get(url).json()
    assert len(first["result"]["secrets"]["passwords"]) == 4
    assert "secrets" not in api(admin_user).get(url).json()["result"]
    assert first["result"]["created"] == api(admin_user).get(url).json()["result"]["created"]


def test_a_password_column_is_ignored(run_import):
    rows = [USERS[0] + ["密码"], ["edu_pw", "甲", "健康教导员", "", "", "", "", "Secret-Pass-1"]]
    content = workbook(
        {"社区": COMMUNITIES[:2], "用户": [rows[0], [*rows[1][:3], "TH01", *rows[1][4:]]]}
    )
    result = run_import(content)["result"]
    assert result["error_count"] == 0, result["errors"]
    user = User.objects.get(username="edu_pw")
    assert not user.check_password("Secret-Pass-1")


@pytest.mark.parametrize(
    ("sheet", "row", "column"),
    [
        ("街道", ["", "无区街道"], "区"),
        ("街道", ["东湖区", ""], "街道"),
        ("社区", ["", "无码社区", "天虹街道", ""], "社区编码"),
        ("社区", ["X1", "", "天虹街道", ""], "社区名称"),
        ("社区", ["X1", "x", "无名街道", ""], "区"),  # a new street needs its district
        ("用户", ["", "甲", "健康教导员", "TH01", "", "", ""], "用户名"),
        ("用户", ["u1", "甲", "老板", "TH01", "", "", ""], "角色"),
        ("用户", ["u1", "甲", "健康教导员", "NOPE", "", "", ""], "社区编码"),
        ("用户", ["u1", "甲", "领导", "", "无名街道", "", ""], "街道"),
        ("用户", ["u1", "甲", "领导", "", "", "无名区", ""], "区"),
        ("用户", ["u1", "甲", "健康教导员", "", "", "", ""], "社区编码"),  # no reach
        ("用户", ["u1", "甲", "健康教导员", "TH01", "", "", "也许"], "停用"),
        ("用户", ["bad name!", "甲", "健康教导员", "TH01", "", "", ""], "用户名"),
        ("用户", ["admin", "", "健康教导员", "TH01", "", "", ""], "角色"),  # own admin role
    ],
)
def test_bad_rows_are_reported_by_sheet_row_and_column_and_leave_nothing(
    run_import, sheet, row, column
):
    run_import(full_setup())
    before = snapshot()
    header = {"街道": STREETS[0], "社区": COMMUNITIES[0], "用户": USERS[0]}[sheet]
    result = run_import(workbook({sheet: [header, row]}))["result"]
    assert result["error_count"] == 1, result
    error = result["errors"][0]
    assert (error["sheet"], error["row"], error["column"]) == (sheet, 2, column), error
    assert error["reason"]
    assert snapshot() == before


def test_good_rows_are_kept_beside_bad_ones(run_import):
    content = workbook(
        {
            "社区": [
                COMMUNITIES[0],
                ["N1", "一社区", "新街道", "新区"],
                ["N2", "", "新街道", ""],
                ["N3", "三社区", "新街道", ""],
            ]
        }
    )
    result = run_import(content)["result"]
    assert (result["created"], result["error_count"]) == (2, 1)
    assert result["errors"][0]["row"] == 3
    assert set(Community.objects.values_list("code", flat=True)) == {"N1", "N3"}


def test_export_edit_reimport_round_trips(run_import, api, admin_user):
    run_import(full_setup())
    before = snapshot()
    exported = api(admin_user).get("/api/setup/export/")
    assert exported.status_code == 200 and exported["Content-Type"] == XLSX
    again = run_import(exported.content)["result"]
    assert again["created"] == 0 and again["error_count"] == 0, again["errors"]
    assert snapshot() == before

    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames[:3] == ["街道", "社区", "用户"]
    communities = book["社区"]
    for row in communities.iter_rows(min_row=2):
        if row[0].value == "TH02":
            row[1].value = "春晖新社区"  # a rename
    communities.append(["TH03", "新建社区", "天虹街道", "东湖区"])
    for row in book["街道"].iter_rows(min_row=2):
        if row[1].value == "文化街道":
            row[0].value = "西山区"  # a street moved to another district
    buffer = io.BytesIO()
    book.save(buffer)
    edited = run_import(buffer.getvalue())["result"]
    assert edited["error_count"] == 0, edited["errors"]
    assert (edited["created"], edited["updated"]) == (1, 2)
    assert Community.objects.get(code="TH02").name == "春晖新社区"
    assert Street.objects.get(name="文化街道").district.name == "西山区"
    assert Community.objects.count() == 5 and Street.objects.count() == 3
    assert District.objects.filter(name="西山区").count() == 1


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-社区", "@SUM(A1)"])
def test_text_that_looks_like_a_formula_is_escaped_and_reads_back(
    run_import, api, admin_user, street, name
):
    body = {"code": "F1", "name": name, "street": "天虹街道"}
    assert api(admin_user).post("/api/communities/", body, format="json").status_code == 201
    exported = api(admin_user).get("/api/setup/export/").content
    rows = openpyxl.load_workbook(io.BytesIO(exported))["社区"].iter_rows(values_only=True)
    assert [r[1] for r in rows if r[0] == "F1"] == ["'" + name]
    result = run_import(exported)["result"]
    assert (result["created"], result["updated"], result["error_count"]) == (0, 0, 0)
    assert Community.objects.get(code="F1").name == name


def test_empty_database_exports_a_template_with_the_headers(api, admin_user):
    Community.objects.all().delete()
    book = openpyxl.load_workbook(io.BytesIO(api(admin_user).get("/api/setup/export/").content))
    assert [c.value for c in book["社区"][1]] == ["社区编码", "社区名称", "街道", "区"]
    assert [c.value for c in book["用户"][1]] == [
        "用户名",
        "姓名",
        "角色",
        "社区编码",
        "街道",
        "区",
        "停用",
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.csv", b"a,b\n1,2\n"),
        ("setup.xlsx", b"not a zip"),
        ("setup.xlsx", None),  # a workbook with none of the three sheets
    ],
)
def test_bad_files_are_refused_before_a_job(api, admin_user, name, content):
    if content is None:
        content = workbook({"Sheet1": [["a", "b"]]})
    upload = SimpleUploadedFile(name, content, content_type=XLSX)
    response = api(admin_user).post("/api/setup/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.parametrize("who", ["educator_a", "leader"])
def test_only_admins_import_or_export(request, api, who):
    client = api(request.getfixturevalue(who))
    assert client.get("/api/setup/export/").status_code == 403
    upload = SimpleUploadedFile("setup.xlsx", full_setup(), content_type=XLSX)
    assert (
        client.post("/api/setup/import/", {"file": upload}, format="multipart").status_code == 403
    )


def test_the_admin_page_uploads_downloads_and_shows_the_outcome_once(
    page_client, admin_user, educator_a, django_capture_on_commit_callbacks
):
    client = page_client(admin_user)
    assert 'href="/admin/onboarding/"' in client.get("/admin/org/user/").content.decode()
    page = client.get("/admin/onboarding/")
    assert page.status_code == 200
    download = client.get("/admin/onboarding/", {"download": 1})
    assert download["Content-Type"] == XLSX
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            "/admin/onboarding/",
            {"file": SimpleUploadedFile("setup.xlsx", full_setup(), content_type=XLSX)},
        )
    assert posted.status_code == 302
    shown = client.get("/admin/onboarding/").content.decode()
    password = User.objects.get(username="edu_th")
    assert "edu_th" in shown and password.must_change_password
    import re

    codes = re.findall(r"<code>([^<]+)</code>", shown)
    assert (
        len(codes) == 4
        and password.check_password(codes[0])
        or any(password.check_password(c) for c in codes)
    )
    assert "<code>" not in client.get("/admin/onboarding/").content.decode()
    assert page_client(educator_a).get("/admin/onboarding/").status_code in (302, 403)
