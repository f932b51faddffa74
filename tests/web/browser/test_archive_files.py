"""The archive files as an educator gets them: in headless Chromium, last month's ledger PDF and
Excel workbook made and downloaded through the ledger page's buttons, then read back as paper.

The PDF: A4, a cover with the community, the month, 单位（盖章）, 编制人, 审核人 and the contents,
no internal code, no screen-only mark, no login, 填表人 a person's name. The workbook, printed by
LibreOffice (`soffice --headless --convert-to pdf`, the print preview a clerk would see): every
page A4, each sheet in its orientation, the title row repeated on the long roster's second page.

The README's pictures of the ledger's cover, a record form and the workbook's print preview are
rendered here by pdftoppm (poppler-utils) into tests/screenshots/, and into docs/screenshots/
with HEALTHEDU_README_SCREENSHOTS=1. Without pdftoppm or soffice the test says so and skips.
"""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from healthedu.activities.models import Event
from tests.factories import make_event, make_reading, make_resident, make_response, make_survey
from tests.reports.conftest import attend
from tests.web.browser.conftest import SCREENSHOTS, for_readme, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

A4 = (595.3, 841.9)  # points, portrait
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉梅建国志强海燕丽娟明华春生淑珍文静晓东国庆"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is absent: run `make browser-deps` (poppler-utils, LibreOffice)")
    return path


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def at(month: dt.date, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(
        month.replace(day=day), dt.time(hour), timezone.get_current_timezone()
    )


@pytest.fixture
def named_educator(educator_a):
    # Surname in first_name, as the demo and the setup import store it (Chinese order).
    educator_a.first_name, educator_a.last_name = "李", "秀英"
    educator_a.save(update_fields=["first_name", "last_name"])
    return educator_a


@pytest.fixture
def believable_month(named_educator, community_a, admin_user):
    """Last month in 天虹路社区 as a month of work looks: two lectures of 36 and 30 residents
    (a roster longer than a printed page), a consultation and a board update, a morning's
    blood-pressure readings with an urgent referral, and 24 survey answers (a small sample)."""
    month = last_month()
    people = [
        make_resident(
            community_a,
            name=SURNAMES[i % 20] + GIVEN[(2 * i) % 24] + GIVEN[(3 * i + 1) % 24],
            sex="MF"[i % 2],
            age=25 + (i * 7) % 60,
            on=month,
        )
        for i in range(40)
    ]
    common = {
        "venue": "社区活动室",
        "organiser": "社区卫生服务站",
        # Written as a login, as older records have it: the ledger names the person.
        "recorder": named_educator.username,
        "responsible": "王建国",
        "user": named_educator,
        "status": "held",
    }
    lecture = make_event(
        community_a,
        title="高血压防治知识讲座",
        starts_at=at(month, 8),
        topics=["hypertension"],
        walk_ins=3,
        target_groups=["elderly"],
        content="讲解高血压的危害、诊断标准、合理膳食与规律用药，现场答疑。",
        summary="居民参与积极，现场测量血压并发放资料，效果良好。",
        recorded_on=month.replace(day=8),
        materials=[("高血压防治折页", 50, "print"), ("控盐勺", 30, "print")],
        attachments=["photo", "sign_in"],
        **common,
    )
    attend(lecture, people[:36])
    second = make_event(
        community_a,
        title="控烟与健康生活方式讲座",
        starts_at=at(month, 18, 14),
        topics=["tobacco_control"],
        content="吸烟的危害、戒烟方法与戒烟门诊介绍。",
        summary="发放戒烟手册，两位居民登记戒烟门诊。",
        recorded_on=month.replace(day=18),
        materials=[("控烟宣传册", 40, "print")],
        attachments=["photo"],
        **common,
    )
    attend(second, people[10:40])
    consultation = make_event(
        community_a,
        kind="consultation",
        title="慢病健康咨询",
        starts_at=at(month, 12),
        topics=["hypertension"],
        summary="咨询 12 人次。",
        **common,
    )
    attend(consultation, people[20:32])
    make_event(
        community_a,
        kind="board_update",
        title="宣传栏更新：合理膳食",
        starts_at=at(month, 3),
        venue="1号宣传栏",
        summary="更新宣传栏一期。",
        **{k: v for k, v in common.items() if k != "venue"},
    )
    for i, (sbp, dbp) in enumerate([(128, 82), (146, 92), (152, 96), (118, 76), (186, 104)]):
        make_reading(people[i], sbp, dbp, on=month.replace(day=8), at=dt.time(10, 3 * i))
    survey = make_survey(community_a, user=admin_user)
    for i, person in enumerate(people[:24]):
        make_response(
            survey, person, [0, 0 if i % 4 else 1, 0 if i % 3 else 1], on=month.replace(day=20)
        )
    assert Event.objects.filter(community=community_a).count() == 4
    return month


def download(page, button: str, target: Path) -> Path:
    """Make a file with one of the ledger page's buttons and download it from the job page."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/jobs/**")
    link = page.locator("#job-file")
    link.wait_for(timeout=60000)
    with page.expect_download() as info:
        link.click()
    info.value.save_as(target)
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(target, SCREENSHOTS / f"archive-{target.name}")  # for a person to look at
    return target


def render_png(pdf: Path, number: int, name: str) -> Path:
    """Page `number` of the PDF as a PNG at 80 dpi, for the README."""
    SCREENSHOTS.mkdir(exist_ok=True)
    target = SCREENSHOTS / name
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "80", "-f", str(number), "-l", str(number)]
        + ["-singlefile", str(pdf), str(target)],
        check=True,
        timeout=60,
    )
    return for_readme(target.with_suffix(".png"))


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_a4(page, *, landscape: bool | None = None) -> bool:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    if landscape is not None and (width > height) != landscape:
        return False
    return all(abs(a - b) < 2 for a, b in zip(sorted((width, height)), A4, strict=True))


def test_the_months_ledger_pdf_is_an_archive_document(
    new_page, named_educator, community_a, believable_month, tmp_path
):
    tool("pdftoppm")
    page = new_page(named_educator)
    page.goto(f"/ledger/?month={believable_month:%Y-%m}")
    screenshot(page, "archive-ledger-page")
    pdf = download(page, "生成 PDF", tmp_path / "ledger.pdf")
    reader = PdfReader(pdf)
    pages = [compact(p.extract_text()) for p in reader.pages]
    assert all(is_a4(p, landscape=False) for p in reader.pages)
    text = "".join(pages)
    month = f"{believable_month.year}年{believable_month.month}月"
    for line in ("天虹路社区", month, "单位（盖章）", "编制人李秀英", "审核人", "目录"):
        assert line in pages[0], line
    assert "一、" in pages[0] and "二、" in pages[0]  # the contents list the sections
    assert f"（{community_a.code}）" not in text and community_a.code not in text
    assert not re.search(r"（[A-Z]{1,3}\d{2,}）", text)
    assert "⚠" not in text and "一致性检查" not in text
    assert named_educator.username not in text and "admin" not in text
    assert "填表人李秀英" in text and "负责人王建国" in text
    assert "样本量小，仅供参考" in text  # 24 answers, under 30
    # No page is empty, and the signatures share their page with the rates.
    assert all(len(p) > 80 for p in pages)
    (signatures,) = [p for p in pages if "负责人（签字）" in p]
    assert "四、本月分人群“两率”" in signatures and "健康知识知晓率" in signatures
    # The README's record form: the first lecture's.
    form = next(
        i for i, p in enumerate(pages) if "健康教育活动记录表" in p and "高血压防治知识讲座" in p
    )
    assert "填表人李秀英" in pages[form] and "接受健康教育人数39人" in pages[form]
    render_png(pdf, 1, "ledger-cover")
    render_png(pdf, form + 1, "ledger-record-form")


def sheet_of(page_text: str, titles: list[str]) -> str:
    """The sheet a printed page belongs to: its header names it (xlsx._print_setup)."""
    head = page_text[:40]
    found = [t for t in titles if t in head]
    assert found, head
    return max(found, key=len)


def test_the_months_workbook_prints_on_a4_as_laid_out(
    new_page, named_educator, community_a, believable_month, tmp_path
):
    soffice = tool("soffice")
    tool("pdftoppm")
    page = new_page(named_educator)
    page.goto(f"/ledger/?month={believable_month:%Y-%m}")
    workbook = download(page, "生成 Excel", tmp_path / "ledger.xlsx")
    book = openpyxl.load_workbook(workbook)
    orientation = {ws.title: ws.page_setup.orientation for ws in book.worksheets}
    roster_title = "签到表"
    assert roster_title in orientation
    assert book[roster_title].max_row > 60  # 66 sign-ins: more than one printed page
    # The print preview, as LibreOffice prints the workbook (its own profile: no other run's).
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(workbook)],
        check=True,
        timeout=180,
        capture_output=True,
    )
    preview = tmp_path / "ledger.pdf"
    shutil.copy(preview, SCREENSHOTS / "archive-ledger-print-preview.pdf")  # to look at
    reader = PdfReader(io.BytesIO(preview.read_bytes()))
    printed: dict[str, list] = {}
    for pdf_page in reader.pages:
        text = compact(pdf_page.extract_text())
        printed.setdefault(sheet_of(text, list(orientation)), []).append((pdf_page, text))
    assert set(printed) == set(orientation)  # every sheet prints, none is left out
    for title, pages in printed.items():
        landscape = orientation[title] == "landscape"
        for pdf_page, _text in pages:
            assert is_a4(pdf_page, landscape=landscape), (title, pdf_page.mediabox)
    assert orientation["封面"] == "portrait" and orientation["活动记录"] == "landscape"
    # Fitted to the width: the widest sheet's last column is on its first page.
    activities = printed["活动记录"][0][1]
    assert "填表时间" in activities, activities[:300]
    # The long roster runs to a second page, whose first row is the title row again.
    roster = printed[roster_title]
    assert len(roster) >= 2
    header = [c.value for c in book[roster_title][1]]
    second = roster[1][1]
    assert all(compact(str(h)) in second[:120] for h in header), second[:120]
    assert all(re.search(r"第\d+页共\d+页", text) for _page, text in roster)
    # The README's picture: the widest sheet's first page (page 1, the cover sheet, is eight
    # lines on an empty page and shows little of how a workbook prints).
    number = 1 + next(i for i, p in enumerate(reader.pages) if p is printed["活动记录"][0][0])
    render_png(preview, number, "ledger-excel-print-preview")
