"""Uploads meant to hurt: oversized, zip bombs, formulas, wrong extensions, odd encodings."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.surveys.models import Response
from residents.models import Resident
from tests.workbooks import SPARSE, crafted_workbook

pytestmark = pytest.mark.django_db


def post(api, user, community, file, **extra):
    return api(user).post(
        "/api/residents/import/",
        {"file": file, "community": community.pk},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def test_an_oversized_file_is_refused(api, educator_a, community_a, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    response = post(
        api, educator_a, community_a, SimpleUploadedFile("big.csv", b"name\n" + b"x\n" * 5000)
    )
    assert response.status_code == 400 and "at most" in str(response.json()["file"])


def test_a_zip_bomb_named_xlsx_is_refused_before_unpacking(api, educator_a, community_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    response = post(
        api, educator_a, community_a, SimpleUploadedFile("bomb.xlsx", buffer.getvalue())
    )
    assert response.status_code == 400 and "200 MB" in str(response.json()["file"])


def test_a_zip_that_is_not_a_workbook_is_refused(api, educator_a, community_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    response = post(api, educator_a, community_a, SimpleUploadedFile("doc.xlsx", buffer.getvalue()))
    assert response.status_code == 400


def test_formula_cells_are_imported_as_text_never_evaluated(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "性别", "出生日期", "住址"])
    workbook.active.append(['=HYPERLINK("http://x","a")', "男", "1960-01-01", "+1 2 3"])
    workbook.active.append(["@SUM(A1)", "女", "1961-01-01", "-3"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api, educator_a, community_a, SimpleUploadedFile("f.xlsx", buffer.getvalue())
        )
    job = api(educator_a).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done"
    # A formula cell has no cached value here: its row is reported, not imported with a formula.
    assert job["result"]["created"] + job["result"]["error_count"] == 2
    for resident in Resident.objects.all():
        assert not resident.name.startswith("=")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_the_encodings_excel_writes(
    api, educator_a, community_a, encoding, django_capture_on_commit_callbacks
):
    text = "姓名,性别,出生日期\n张三,男,1950/3/2\n李四,女,19600405\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api, educator_a, community_a, SimpleUploadedFile("r.csv", text.encode(encoding))
        )
    assert response.status_code == 202
    job = api(educator_a).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done" and job["result"]["created"] == 2
    assert set(Resident.objects.values_list("name", flat=True)) == {"张三", "李四"}


def test_a_csv_in_neither_encoding_fails_whole(api, educator_a, community_a):
    raw = "姓名,性别\n张三,男\n".encode("utf-16")
    response = post(api, educator_a, community_a, SimpleUploadedFile("r.csv", raw))
    assert response.status_code == 400
    assert Resident.objects.count() == 0


def test_a_binary_file_named_csv_is_refused(api, educator_a, community_a):
    response = post(
        api,
        educator_a,
        community_a,
        SimpleUploadedFile("r.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" * 10),
    )
    assert response.status_code == 400


def test_missing_file_or_community_is_400(api, educator_a, community_a):
    assert (
        "file"
        in api(educator_a)
        .post("/api/residents/import/", {"community": community_a.pk}, format="multipart")
        .json()
    )
    response = api(educator_a).post(
        "/api/residents/import/",
        {"file": SimpleUploadedFile("r.csv", b"name\nx\n")},
        format="multipart",
    )
    assert "community" in response.json()


# ---------------------------------------------------------------- workbooks that declare or place
# cells far away: a grid reader would allocate rows × columns (A1 + XFD1048576 = 512 GiB).


@pytest.fixture
def survey(community_a):
    from healthedu.program.models import Topic
    from healthedu.surveys.services import survey_create

    return survey_create(
        user=None,
        title="hostile uploads",
        community=community_a,
        items=[
            {
                "kind": "knowledge",
                "text": "K1",
                "topic": Topic.objects.get(code="hypertension"),
                "options": ["a", "b"],
                "correct": [0],
                "multiple": False,
            }
        ],
    )


@pytest.fixture(params=["residents", "survey-responses"])
def importer(request, api, educator_a, community_a, django_capture_on_commit_callbacks):
    """Post a file to one of the two imports; returns (response, the job as the API shows it)."""

    def send(name: str, content: bytes):
        body = {"file": SimpleUploadedFile(name, content), "community": community_a.pk}
        if request.param == "survey-responses":
            body["survey"] = request.getfixturevalue("survey").pk
        with django_capture_on_commit_callbacks(execute=True):
            response = api(educator_a).post(
                f"/api/{request.param}/import/",
                body,
                format="multipart",
                HTTP_ACCEPT_LANGUAGE="en",
            )
        job = None
        if response.status_code == 202:
            job = api(educator_a).get(f"/api/jobs/{response.json()['id']}/").json()
        return response, job

    send.route = request.param
    return send


def a_good_file(route: str) -> bytes:
    if route == "residents":
        return crafted_workbook(
            {
                "A1": "姓名",
                "B1": "性别",
                "C1": "出生日期",
                "A2": "张三",
                "B2": "男",
                "C2": "1950-03-02",
            }
        )
    return crafted_workbook(
        {
            "A1": "answered_on",
            "B1": "round",
            "C1": "sex",
            "D1": "age",
            "E1": "Q1",
            "A2": "2026-03-10",
            "B2": "基线",
            "C2": "男",
            "D2": "40",
            "E2": "A",
        }
    )


@pytest.mark.parametrize(
    ("dimension", "reason"),
    [
        ("A1:XFD1048576", "1048576 rows"),
        ("A1:B200001", "200001 rows"),
        ("A1:GS2", "201 columns"),
        ("$A$1:$XFD$1", "16384 columns"),
    ],
)
def test_a_declared_dimension_past_the_limits_is_refused_in_the_request(
    importer, dimension, reason
):
    response, job = importer("sparse.xlsx", crafted_workbook(SPARSE, dimension=dimension))
    assert response.status_code == 400, response.content
    assert reason in " ".join(response.json()["file"])
    assert job is None


def test_a_declared_dimension_at_the_limits_is_accepted(importer):
    response, job = importer(
        "ok.xlsx", crafted_workbook({"A1": "姓名", "B1": "性别"}, dimension="A1:GR200000")
    )
    assert response.status_code == 202, response.content


@pytest.mark.parametrize(
    ("far_cell", "reason"),
    [
        ("XFD1048576", "1048576 rows"),
        ("A200001", "200001 rows"),
        ("XFD2", "16384 columns"),
        ("GS2", "201 columns"),
    ],
)
def test_cells_placed_past_the_limits_fail_the_job_and_the_worker_carries_on(
    importer, far_cell, reason
):
    # No <dimension>: only the worker's scan of the sheet finds how far it reaches.
    cells = {"A1": "姓名", "B1": "性别", "C1": "出生日期", "A2": "张三", "B2": "男"}
    response, job = importer("sparse.xlsx", crafted_workbook({**cells, far_cell: "x"}))
    assert response.status_code == 202, response.content
    assert job["status"] == "failed"
    assert reason in job["error"]
    assert Resident.objects.count() == 0 and Response.objects.count() == 0
    # The process that ran the job is alive and imports the next file.
    response, job = importer("good.xlsx", a_good_file(importer.route))
    assert job["status"] == "done", job
    assert job["result"]["created"] == 1 and job["result"]["error_count"] == 0


def test_a_reader_past_the_memory_limit_fails_the_job_not_the_worker(
    api, educator_a, community_a, settings, django_capture_on_commit_callbacks
):
    # Limits loosened so that the scan lets the sparse sheet through: the reader then asks for
    # 512 GiB, and only the child process that reads it dies.
    settings.UPLOAD_MAX_ROWS = 2_000_000
    settings.UPLOAD_MAX_COLUMNS = 20_000
    settings.UPLOAD_PARSE_MEMORY_MB = 512
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            api, educator_a, community_a, SimpleUploadedFile("s.xlsx", crafted_workbook(SPARSE))
        )
    assert response.status_code == 202
    job = api(educator_a).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "failed" and "memory" in job["error"]
    assert Resident.objects.count() == 0


def test_a_zip_bomb_inside_the_limit_of_its_headers_is_refused(importer):
    # The zip directory is checked in the request; the sheet is counted again as it unpacks.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (201 * 1024 * 1024))
    response, _job = importer("bomb.xlsx", buffer.getvalue())
    assert response.status_code == 400 and "200 MB" in " ".join(response.json()["file"])


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.xlsx", b"", "empty"),
        ("empty.csv", b"", "empty"),
        ("text.xlsx", b"name,sex\nx,y\n", "not an Excel workbook"),
        ("pk.xlsx", b"PK\x03\x04" + b"\0" * 100, "not an Excel workbook"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused_in_the_request(
    importer, name, content, reason
):
    response, _job = importer(name, content)
    assert response.status_code == 400
    assert reason in " ".join(response.json()["file"])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,sex\n" + b"x" * (2 * 1024 * 1024) + b"\n", "malformed"),
        (b"name,sex\n" + b"," * 100_000 + b"\n", "100001 columns"),
        (b"name,sex\n" + b"a,b\n" * 500, "501 rows"),
    ],
)
def test_a_csv_with_a_huge_line_fails_the_job_clearly(importer, content, reason, settings):
    settings.UPLOAD_MAX_ROWS = 500
    response, job = importer("huge.csv", content)
    assert response.status_code == 202
    assert job["status"] == "failed" and reason in job["error"], job
    assert Resident.objects.count() == 0


def good_csv_rows(route: str, count: int) -> bytes:
    """A CSV of `count` rows that would each be imported."""
    if route == "residents":
        lines = ["姓名,性别,出生日期"] + [f"居民{i},男,1950-03-02" for i in range(count)]
    else:
        lines = ["answered_on,round,sex,age,Q1"] + ["2026-03-10,基线,男,40,A"] * count
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("tail", "reason"),
    [(b"", "301 rows"), (b"x" * (2 * 1024 * 1024) + b"\n", "malformed")],
)
def test_rows_read_before_a_late_problem_are_never_written(importer, settings, tail, reason):
    # The reader sends rows as it reads them; the problem comes after 299 good rows have been
    # checked, and the job still writes none of them.
    settings.UPLOAD_MAX_ROWS = 300
    rows = 300 if tail == b"" else 299
    response, job = importer("late.csv", good_csv_rows(importer.route, rows) + tail)
    assert response.status_code == 202
    assert job["status"] == "failed" and reason in job["error"], job
    assert Resident.objects.count() == 0 and Response.objects.count() == 0
    # The same rows without the problem are imported: the failure was the late problem alone.
    response, job = importer("good.csv", good_csv_rows(importer.route, 299))
    assert job["status"] == "done", job
    assert job["result"]["created"] == 299 and job["result"]["error_count"] == 0


def test_a_file_without_a_header_fails_its_job_with_the_reason(importer):
    response, job = importer("roster.csv", "甲,乙,丙\n1,2,3\n".encode("gbk"))
    assert response.status_code == 202
    assert job["status"] == "failed" and "header" in job["error"]


def test_the_request_reads_no_rows(api, educator_a, community_a, monkeypatch):
    # Parsing happens only in the worker: the request may not call the reader at all.
    import healthedu.uploads

    def refuse(*args, **kwargs):
        raise AssertionError("the request parsed the upload")

    monkeypatch.setattr(healthedu.uploads, "read_rows", refuse)
    monkeypatch.setattr("healthedu.tabular.read_rows", refuse)
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "性别", "出生日期"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post(api, educator_a, community_a, SimpleUploadedFile("r.xlsx", buffer.getvalue()))
    assert response.status_code == 202


def damaged(content: bytes, *, at: float) -> bytes:
    """The workbook with 30 bytes of its sheet's compressed data flipped, `at` of the way in."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(content)
    header = 30 + len(info.filename.encode()) + len(info.extra)
    start = info.header_offset + header + int(info.compress_size * at)
    for offset in range(start, min(start + 30, info.header_offset + header + info.compress_size)):
        data[offset] ^= 0x55
    return bytes(data)


def test_a_workbook_damaged_at_the_start_of_its_sheet_is_refused_in_the_request(importer):
    response, _job = importer("damaged.xlsx", damaged(a_good_file(importer.route), at=0.1))
    assert response.status_code == 400, response.content
    assert "cannot be opened" in " ".join(response.json()["file"])


def test_a_workbook_damaged_late_in_its_sheet_fails_the_job_as_unreadable(importer):
    # The request reads only the sheet's first 64 KB: the worker finds the damage.
    names = {f"A{n}": f"居民{n}" for n in range(2, 6000)}
    cells = {"A1": "姓名", "B1": "性别", "C1": "出生日期", "A2": "张三", **names}
    content = crafted_workbook(cells)
    response, job = importer("damaged.xlsx", damaged(content, at=0.9))
    assert response.status_code == 202, response.content
    assert job["status"] == "failed" and "cannot be opened" in job["error"], job
