"""The ledger as files, asked for through the API as an educator would, downloaded by job id."""

import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tests.reports.conftest import PHONES

pytestmark = pytest.mark.django_db


def request_ledger(api, user, community, fmt, capture, month="2026-10"):
    with capture(execute=True):
        response = api(user).post(
            "/api/reports/ledgers/",
            {"community": community.code, "month": month, "format": fmt},
            format="json",
        )
    assert response.status_code == 202, response.content
    job = api(user).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done", job
    assert job["progress"] == 100
    download = api(user).get(f"/api/jobs/{job['id']}/file/")
    assert download.status_code == 200
    return job, download


@pytest.fixture
def pdf(api, educator_a, october, django_capture_on_commit_callbacks):
    job, download = request_ledger(
        api, educator_a, october.community, "pdf", django_capture_on_commit_callbacks
    )
    assert download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    if os.environ.get("LEDGER_PDF_OUT"):  # to look at the pages: pdftoppm -png -r 60
        Path(os.environ["LEDGER_PDF_OUT"]).write_bytes(content)
    return job, content


def _fonts(reader):
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    return fonts


def test_pdf_opens_with_one_page_per_form_and_numbered_pages(pdf):
    job, content = pdf
    reader = PdfReader(io.BytesIO(content))
    pages = [p.extract_text() for p in reader.pages]
    # cover, figures, 4 activity forms (each with its roster), readings + rates + signatures
    assert len(pages) == 7
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {len(pages)} 页" in text
    assert job["result"]["activities"] == 4
    assert job["result"]["roster_rows"] == 6


def test_pdf_embeds_a_subset_of_the_chinese_font_and_nothing_else(pdf):
    reader = PdfReader(io.BytesIO(pdf[1]))
    fonts = _fonts(reader)
    assert fonts
    for name, font in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), name  # subset prefix
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # TrueType outlines embedded


def test_pdf_text_holds_the_community_titles_and_form_fields_but_no_full_phone_or_id(pdf, october):
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf[1])).pages)
    compact = re.sub(r"\s", "", text)
    assert "天虹路社区" in compact
    for title in ["高血压防治讲座", "控烟咨询", "十月宣传栏", "=cmd()"]:
        assert title in compact
    for label in [
        "活动时间",
        "活动地点",
        "活动形式",
        "活动主题",
        "组织者",
        "接受健康教育人员类别",
        "接受健康教育人数",
        "健康教育资料发放种类及数量",
        "活动内容",
        "活动总结评价",
        "存档材料",
        "填表人",
        "负责人",
        "填表时间",
    ]:
        assert label in compact
    assert "139****5001" in compact
    for phone in PHONES:
        assert phone not in compact
    for resident in october.residents:
        assert resident.id_number_masked and "*" in resident.id_number_masked
        # The area code is shown; any digit of the rest (the birth date first) must not be,
        # however the PDF's text breaks lines or spaces.
        area = resident.id_number_masked[:6]
        assert re.search(area + r"\s*\d(\s*\d){7}", text) is None
    # The pre-print checks are on the ledger page, never on a printed page.
    assert "签到人数1与接受健康教育人数4" not in compact and "打印前" not in compact


def test_excel_holds_the_same_figures_and_no_formula_from_user_text(
    api, educator_a, october, django_capture_on_commit_callbacks
):
    job, download = request_ledger(
        api, educator_a, october.community, "xlsx", django_capture_on_commit_callbacks
    )
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames == [
        "封面",
        "工作量",
        "活动记录",
        "签到表",
        "血压测量",
        "血压分级汇总",
        "两率",
    ]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    figures = {row[0]: row for row in book["工作量"].iter_rows(min_row=2, values_only=True)}
    assert figures["健康知识讲座"][2:5] == (2, 3, 12)
    activities = list(book["活动记录"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in activities] == [
        "十月宣传栏",
        "高血压防治讲座（高血压）",
        "控烟咨询（控烟）",
        "'=cmd()",
    ]
    assert activities[3][1] == "'@venue"
    roster = list(book["签到表"].iter_rows(min_row=2, values_only=True))
    assert len(roster) == 6
    assert ("王秀英", "139****5001") in {(r[2], r[6]) for r in roster}
    rates = {row[0]: row for row in book["两率"].iter_rows(min_row=2, values_only=True)}
    assert rates["全部调查对象"][1:3] == (2, 3)
    assert rates["妇女"][5:7] == (1, 2)
    assert rates["一般人群"][3] == "无数据"


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("=cmd()", "'=cmd()"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("高血压", "高血压"),
        ("a=b", "a=b"),
        (None, ""),
        (12, 12),
    ],
)
def test_safe_text_neutralises_what_a_spreadsheet_would_compute(text, stored):
    from reports.xlsx import safe_text

    assert safe_text(text) == stored


def test_a_very_long_content_continues_on_the_next_page(october):
    from reports.ledger import build_ledger
    from reports.pdf import render_ledger_pdf
    from tests.reports.conftest import MONTH

    ledger = build_ledger(community=october.community, month=MONTH)
    lecture = ledger.activities[1]
    lecture.content = "讲解高血压的危害，<b>不是标签</b> & 不是实体；" * 600
    lecture.summary = "总结第一行\n第二行" * 100
    content = render_ledger_pdf(ledger)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "<b>不是标签</b>" in text.replace(" ", "")
    assert len(PdfReader(io.BytesIO(content)).pages) > 7


def test_an_empty_month_still_makes_both_files(community_b):
    from reports.ledger import build_ledger
    from reports.pdf import render_ledger_pdf
    from reports.xlsx import render_ledger_xlsx
    from tests.reports.conftest import MONTH

    ledger = build_ledger(community=community_b, month=MONTH)
    assert ledger.activities == [] and ledger.rates.overall.knowledge.rate is None
    reader = PdfReader(io.BytesIO(render_ledger_pdf(ledger)))
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in reader.pages))
    assert "本月无已开展的活动" in text and "本月无血压测量记录" in text and "无数据" in text
    book = openpyxl.load_workbook(io.BytesIO(render_ledger_xlsx(ledger)))
    assert book["活动记录"].max_row == 1


def test_excel_rates_are_numbers_shown_as_percent(october):
    import io

    import openpyxl

    from reports.ledger import build_ledger
    from reports.xlsx import render_ledger_xlsx
    from tests.reports.conftest import MONTH

    ledger = build_ledger(community=october.community, month=MONTH)
    workbook = openpyxl.load_workbook(io.BytesIO(render_ledger_xlsx(ledger)))
    sheet = workbook.worksheets[-1]
    rates = [row[3] for row in sheet.iter_rows(min_row=2) if isinstance(row[3].value, float)]
    assert rates, "no rate stored as a number"
    assert all(0 <= cell.value <= 1 and cell.number_format == "0.0%" for cell in rates)
