"""The small-sample caveat on the leaders' summaries, by the ledger's rule (a rate over fewer than
HEALTHEDU_SMALL_SAMPLE_N answers, but some): ※ beside the rate and the footnote once under each
table in the summary PDF, 样本量小，仅供参考 in the workbook's 说明 column on those rows, and the
same words beside the rate on the leader's dashboard. With 0, 1 and many communities; a
community of 5 respondents (under n = 30) and one of 40 (over it)."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from healthedu.org.models import Role
from reports.pdf_summary import render_summary_pdf
from reports.summary import leaders_summary
from reports.xlsx import render_summary_xlsx
from tests.factories import CommunityFactory, UserFactory, make_resident, make_response, make_survey

pytestmark = pytest.mark.django_db

CAVEAT = "样本量小，仅供参考"
NOTE = "※样本量小，仅供参考：作答少于30人。"
SMALL, BIG = "少样本社区", "大样本社区"


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def two(street, admin_user):
    """少样本社区: 3 of 5 respondents aware and formed (60.0 %); 大样本社区: 30 of 40 (75.0 %)."""
    survey = make_survey(None, user=admin_user)
    day = timezone.localdate().replace(month=1, day=1)
    made = {}
    for code, name, aware, total in (("S01", SMALL, 3, 5), ("G01", BIG, 30, 40)):
        community = CommunityFactory(code=code, name=name, street=street)
        made[name] = community
        for i in range(total):
            resident = make_resident(community, age=20 + i, sex="MF"[i % 2], on=day)
            make_response(survey, resident, [0, 0, 0] if i < aware else [1, 1, 1], on=day)
    return made


def summary_of(communities):
    today = timezone.localdate()
    return leaders_summary(
        title="天虹街道",
        communities=communities,
        year=today.year,
        as_of=dt.date(today.year, 12, 31),
    )


def pdf_text(summary) -> str:
    reader = PdfReader(io.BytesIO(render_summary_pdf(summary)))
    return compact("".join(page.extract_text() for page in reader.pages))


def notes_by_name(ws) -> dict:
    """{community: [说明 of each of its rows]} of one sheet (说明 is its last column)."""
    header = [cell.value for cell in ws[1]]
    assert header[-1] == "说明", (ws.title, header)
    out: dict = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            out.setdefault(row[0], []).append(row[len(header) - 1] or "")
    return out


@pytest.mark.parametrize(
    "names", [(), (SMALL,), (BIG,), (SMALL, BIG)], ids=["none", "small", "big", "both"]
)
def test_summary_pdf_marks_small_samples_and_explains_once_per_table(two, names):
    text = pdf_text(summary_of([two[n] for n in names]))
    small = SMALL in names
    # Table 1 gives the rate with its fraction; the fair comparison its n.
    assert ("60.0%※(3/5)" in text) is small
    assert ("60.0%※(n=5)" in text) is small
    if BIG in names:
        assert "75.0%(30/40)" in text and "75.0%(n=40)" in text
        assert "75.0%※" not in text
    # The footnote once under each of the two tables that mark a rate, nowhere else.
    assert text.count(NOTE) == (2 if small else 0)
    # Two tables × two rates of the one small community, and the two notes.
    assert text.count("※") == (2 * 2 + 2 if small else 0)


@pytest.mark.parametrize(
    "names", [(), (SMALL,), (BIG,), (SMALL, BIG)], ids=["none", "small", "big", "both"]
)
def test_summary_workbook_says_small_sample_in_the_note_column(two, names):
    book = openpyxl.load_workbook(
        io.BytesIO(render_summary_xlsx(summary_of([two[n] for n in names])))
    )
    for title, rows_each in (("两率", 1), ("公平比较", 2)):
        notes = notes_by_name(book[title])
        assert set(notes) == set(names), title
        for name in names:
            expected = CAVEAT if name == SMALL else ""
            assert notes[name] == [expected] * rows_each, (title, name)
    # By month: January is the only month with answers; 5 is small, 40 is not, and a month
    # without answers is "no data", not a small sample.
    trend = notes_by_name(book["逐月趋势"])
    for name in names:
        assert trend[name] == [CAVEAT if name == SMALL else ""] + [""] * 11, name


def test_summary_files_follow_the_setting(two, settings):
    settings.HEALTHEDU = {**settings.HEALTHEDU, "SMALL_SAMPLE_N": 50}
    summary = summary_of([two[SMALL], two[BIG]])
    text = pdf_text(summary)
    # 40 answers are now a small sample too, and the note names the new threshold.
    assert "75.0%※(30/40)" in text and "作答少于50人" in text
    book = openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(summary)))
    assert notes_by_name(book["两率"]) == {SMALL: [CAVEAT], BIG: [CAVEAT]}
    settings.HEALTHEDU = {**settings.HEALTHEDU, "SMALL_SAMPLE_N": 1}
    assert "※" not in pdf_text(summary)


def rows_of(body: str, marker: str) -> list[str]:
    """The <tr …> rows of the page that carry `marker` in their opening tag or first cell."""
    return [row for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S) if marker in row]


def test_dashboard_marks_the_small_community_only(page_client, leader, two):
    body = page_client(leader).get("/dashboard/").content.decode()
    small, big = two[SMALL], two[BIG]
    # The fair comparison's crude rate, one row per rate.
    for community, marked in ((small, True), (big, False)):
        rows = rows_of(body, f'data-community="{community.pk}"')
        assert len(rows) == 2
        assert all((CAVEAT in row) is marked for row in rows), community.name
    # The compliance table: both rates of the small community, none of the big one.
    assert rows_of(body, f"{SMALL}</a>")[0].count(f"※ {CAVEAT}") == 2
    assert CAVEAT not in rows_of(body, f"{BIG}</a>")[0]
    # The reach's headline rates rest on 45 answers: no caveat beside them.
    heads = re.findall(r'<p class="big">(.*?)</p>', body, re.S)
    assert len(heads) == 2 and not any(CAVEAT in h for h in heads)


def test_dashboard_drilled_down_to_a_small_community(page_client, leader, two):
    body = page_client(leader).get(f"/dashboard/?community={two[SMALL].pk}").content.decode()
    heads = re.findall(r'<p class="big">(.*?)</p>', body, re.S)
    assert len(heads) == 2 and all(f"※ {CAVEAT}" in h for h in heads)
    body = page_client(leader).get(f"/dashboard/?community={two[BIG].pk}").content.decode()
    heads = re.findall(r'<p class="big">(.*?)</p>', body, re.S)
    assert len(heads) == 2 and not any(CAVEAT in h for h in heads)


def test_dashboard_with_no_community_has_no_caveat(page_client, district):
    nobody = UserFactory(username="head_none", role=Role.LEADER)
    body = page_client(nobody).get("/dashboard/").content.decode()
    assert CAVEAT not in body and "※" not in body
