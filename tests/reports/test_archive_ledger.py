"""The printed ledger is an archive document (issue 14): its cover and contents, people named as
people, the 存档材料 boxes from what exists, the small-sample caveat, the fonts it embeds, the
workbook's print setup and the downloads' names. Rendered with no data, one month and a full
year (the shapes of test_report_shapes), read back with pypdf and openpyxl.
"""

import io
import re
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from pypdf import PdfReader

from healthedu.activities.models import Attachment, Event
from reports import formatting
from reports.ledger import build_ledger
from tests.reports.conftest import MONTH, job_download
from tests.reports.test_report_shapes import NOW, residents, shape  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
LEDGER_NAME = "天虹路社区-2026年10月-健康教育台账"


@pytest.fixture
def named_educator(educator_a):
    # Surname in first_name, as the demo and the setup import store it (Chinese order).
    educator_a.first_name, educator_a.last_name = "李", "秀英"
    educator_a.save(update_fields=["first_name", "last_name"])
    return educator_a


def download(api, user, capture, url, params):
    return job_download(api, user, capture, url, params, now=NOW)


def pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def compact(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


def test_ledger_pdf_is_an_archive_document(
    api,
    named_educator,
    community_a,
    shape,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    # A 填表人 written as a login (as older records and the demo have it) prints as the name.
    Event.objects.filter(community=community_a).update(recorder=named_educator.username)
    response = download(
        api,
        named_educator,
        django_capture_on_commit_callbacks,
        "/api/reports/ledgers/",
        {"community": community_a.code, "month": "2026-10", "format": "pdf"},
    )
    content = b"".join(response.streaming_content)
    pages = pages_text(content)
    text = compact("".join(pages))

    # The cover: community, month, 单位（盖章）, 编制人 (a name, no space) and 审核人, contents.
    cover = compact(pages[0])
    for line in ["天虹路社区", "2026年10月", "单位（盖章）", "编制人李秀英", "审核人", "目录"]:
        assert line in cover, line
    assert "李 秀英" not in "".join(pages) and "edu_a" not in text
    # The contents' page numbers (written after the page footer) are where the sections are.
    numbers = [int(n) for n in pages[0].split("页")[-1].split()]
    for heading, number in zip(
        ["一、本月工作量与年度最低要求", "二、健康教育活动记录及签到表"], numbers, strict=False
    ):
        first = next(
            i for i, page in enumerate(pages, start=1) if heading in compact(page) and i > 1
        )
        assert number == first, (heading, numbers)
    assert numbers == sorted(numbers) and numbers[-1] <= len(pages)
    # No internal codes, no pre-print checks on a printed page.
    assert f"（{community_a.code}）" not in text and community_a.code not in text
    assert not re.search(r"（[A-Z]{1,3}\d{2,}）", text)
    for screen_only in ["一致性检查", "打印前", "⚠"]:
        assert screen_only not in text
    if shape != "empty":
        assert "填表人李秀英" in text  # the login resolved to the person
    # A rate on two answers carries the caveat; no answers is "no data", not a small sample.
    assert ("样本量小，仅供参考" in text) is (shape != "empty")
    # The signature lines share their page with the table's note (never a page of their own).
    last = compact(next(p for p in reversed(pages) if "负责人（签字）" in compact(p)))
    assert "同一人可属于多个人群" in last
    # Song body, Hei headings, embedded as subsets.
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(re.fullmatch(r"/[A-Z]{6}\+NotoSerifCJKsc-Regular", f) for f in fonts), fonts
    assert any(re.fullmatch(r"/[A-Z]{6}\+NotoSansCJKsc-Bold", f) for f in fonts), fonts
    assert not any("Helvetica" in f or "MicroHei" in f for f in fonts), fonts

    # Named for people, with an ASCII fallback, no random suffix.
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="ledger-{community_a.code}-2026-10.pdf"; '
        f"filename*=UTF-8''{quote(LEDGER_NAME + '.pdf', safe='')}"
    )


def test_small_sample_threshold_is_a_setting(
    api, named_educator, community_a, settings, django_capture_on_commit_callbacks
):
    from tests.reports.test_report_shapes import _fill

    with time_machine.travel(NOW, tick=False):
        _fill("one_month", community_a, named_educator, [])
    settings.HEALTHEDU = {**settings.HEALTHEDU, "SMALL_SAMPLE_N": 1}
    response = download(
        api,
        named_educator,
        django_capture_on_commit_callbacks,
        "/api/reports/ledgers/",
        {"community": community_a.code, "month": "2026-10", "format": "pdf"},
    )
    text = compact("".join(pages_text(b"".join(response.streaming_content))))
    assert "样本量小" not in text  # any answer is enough when the district says so


def test_archive_boxes_are_ticked_from_what_exists(october):
    with time_machine.travel(NOW, tick=False):
        ledger = build_ledger(community=october.community, month=MONTH)
    boxes = {a.title: {b.code: b.ticked for b in a.archive} for a in ledger.activities}
    # 高血压防治讲座 keeps a photo and a sign-in scan; "=cmd()" has only the roster the ledger
    # prints (签到表 ticked, nothing else); 控烟咨询 had nobody: no roster, no box.
    assert boxes["高血压防治讲座"]["photo"] and boxes["高血压防治讲座"]["sign_in"]
    assert boxes["=cmd()"] == {c: c == "sign_in" for c in boxes["=cmd()"]}
    assert not any(boxes["控烟咨询"].values())
    kept = {a.title: a.paper_sign_in for a in ledger.activities}
    assert kept["高血压防治讲座"] and not kept["=cmd()"]
    assert Attachment.objects.filter(event__title="高血压防治讲座").exists()


def test_ledger_workbook_prints_like_the_pdf(
    api,
    named_educator,
    community_a,
    shape,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    response = download(
        api,
        named_educator,
        django_capture_on_commit_callbacks,
        "/api/reports/ledgers/",
        {"community": community_a.code, "month": "2026-10", "format": "xlsx"},
    )
    assert (
        f"filename*=UTF-8''{quote(LEDGER_NAME + '.xlsx', safe='')}"
        in (response["Content-Disposition"])
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for ws in book.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1, ws.title
        assert setup.fitToHeight == 0, ws.title  # as many pages tall as it takes
        assert ws.print_title_rows == "$1:$1", ws.title
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert book["封面"].page_setup.orientation == "portrait"
    assert book["活动记录"].page_setup.orientation == "landscape"
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=2, values_only=True)}
    # The same labels as the PDF's cover; no code, no check.
    assert cover["编制人"] == "李秀英" and cover["月份"] == "2026年10月"
    assert "单位（盖章）" in cover and "审核人" in cover
    assert cover["社区"] == "天虹路社区"
    rates = list(book["两率"].iter_rows(min_row=2, values_only=True))
    caveats = [r[-1] for r in rates if r[-1]]
    assert bool(caveats) is (shape != "empty")
    assert set(caveats) <= {"样本量小，仅供参考"}


def test_summary_downloads_are_named_for_people(
    api, named_educator, community_a, django_capture_on_commit_callbacks
):
    for fmt in ("pdf", "xlsx"):
        response = download(
            api,
            named_educator,
            django_capture_on_commit_callbacks,
            "/api/reports/summaries/",
            {"community": community_a.code, "year": 2026, "format": fmt},
        )
        name = quote(f"天虹路社区-2026年-健康教育工作汇总.{fmt}", safe="")
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="summary-2026-')
        assert disposition.endswith(f"filename*=UTF-8''{name}")


def test_one_formatting_rule_for_every_figure():
    from django.utils import translation

    from healthedu.web.templatetags import web_format
    from reports import labels

    with translation.override("zh-hans"):
        assert formatting.rate(0.8512) == web_format.percent(0.8512) == "85.1%"
        assert formatting.rate(None) == labels.percent(None) == "无数据"
        assert formatting.points(0.052) == web_format.signed_points(0.052) == "+5.2 百分点"
        assert formatting.points(-0.1) == "-10.0 百分点"
        # Never "p = 0": a tiny p (or one rounded to 0 upstream) reads p < 0.001.
        for tiny in (0.0, 1e-12, 0.00099):
            assert formatting.p_value(tiny) == web_format.pvalue(tiny) == "p < 0.001"
            assert labels.p_text(tiny) == "< 0.001"
        assert formatting.p_value(0.0341) == "p = 0.034" and formatting.p_value(None) == "—"
        assert formatting.count(4012) == "4,012"
        assert formatting.month_text(MONTH) == "2026年10月"
    assert formatting.person_name("李", "秀英") == "李秀英"
    assert formatting.person_name("Anna", "Li") == "Anna Li"
    assert formatting.clean_name(" 李 秀英 ") == "李秀英"
    assert formatting.clean_name("Anna Li") == "Anna Li"


@pytest.mark.parametrize(
    ("name", "fallback", "expected"),
    [
        ("a.pdf", "", 'attachment; filename="a.pdf"'),
        (
            "台账.pdf",
            "",
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.pdf",
        ),
        ('x"/\\y.xlsx', "", 'attachment; filename="x___y.xlsx"'),
    ],
)
def test_content_disposition(name, fallback, expected):
    from healthedu.downloads import content_disposition

    assert content_disposition(name, fallback) == expected


def test_missing_fonts_are_said_plainly(settings, tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError, call_command

    from reports import fonts

    settings.HEALTHEDU = {**settings.HEALTHEDU, "PDF_FONT_DIR": tmp_path}
    with pytest.raises(ImproperlyConfigured, match="make fonts"):
        fonts.font_path(fonts.SONG)
    missing = {name: ("/nonexistent/Noto.ttc", *rest) for name, (_s, *rest) in fonts.FACES.items()}
    monkeypatch.setattr(fonts, "FACES", missing)
    with pytest.raises(CommandError, match="fonts-noto-cjk"):
        call_command("pdf_fonts")
    assert not list(tmp_path.iterdir())  # nothing half-written
