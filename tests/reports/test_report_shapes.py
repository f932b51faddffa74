"""Every report renders with no data, data in one month, and a full year: the ledger (PDF and
Excel) and the leaders' summary (PDF and Excel), asked for through the API and opened as files.

A series with no point at all (a survey with knowledge items only has no behaviour rate) or a
year with one month of data used to fail the summary's trend chart ("任务意外失败").
"""

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest
import time_machine
from pypdf import PdfReader

from healthedu.program.models import Topic
from tests.factories import TZ, make_event, make_reading, make_resident, make_response, make_survey
from tests.reports.conftest import attend, job_download

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=TZ)


def knowledge_only_survey(community, user):
    item = {
        "kind": "knowledge",
        "text": "吸烟有害健康吗？",
        "options": ["是", "否"],
        "correct": [0],
    }
    topic = Topic.objects.get(code="tobacco_control")
    return make_survey(community, user=user, title="控烟知识问卷", items=[{**item, "topic": topic}])


def month_of_data(community, user, month: int, residents, survey):
    lecture = make_event(
        community,
        title=f"{month}月讲座",
        starts_at=dt.datetime(2026, month, 12, 9, 0, tzinfo=TZ),
        topics=["hypertension"],
        summary="x",
        target_groups=["elderly"],
        status="held",
        venue="",
    )
    attend(lecture, residents)
    for n, resident in enumerate(residents):
        make_reading(resident, 128 + n, 82, on=dt.date(2026, month, 12), at=dt.time(11, n))
    # A person answers a survey once a round: each month's questionnaires are other people's.
    on = dt.date(2026, 1, 1)
    for n in range(2):
        respondent = make_resident(
            community, name=f"答卷人{month}-{n}", sex="FM"[n], age=30 + 40 * n, on=on
        )
        make_response(survey, respondent, [n % 2], on=dt.date(2026, month, 13))


@pytest.fixture
def residents(community_a):
    on = dt.date(2026, 1, 1)
    return [
        make_resident(community_a, name="王秀英", sex="F", age=70, on=on),
        make_resident(community_a, name="李明", sex="M", age=20, on=on),
    ]


@pytest.fixture(params=["empty", "one_month", "full_year"])
def shape(request, community_a, admin_user, residents):
    with time_machine.travel(NOW, tick=False):  # readings may not lie in the future
        _fill(request.param, community_a, admin_user, residents)
    return request.param


def _fill(shape, community_a, admin_user, residents):
    if shape == "one_month":
        survey = knowledge_only_survey(community_a, admin_user)
        month_of_data(community_a, admin_user, 10, residents, survey)
    elif shape == "full_year":
        survey = knowledge_only_survey(community_a, admin_user)
        for month in range(1, 13):
            month_of_data(community_a, admin_user, month, residents, survey)


def fetch(api, user, capture, url, params) -> bytes:
    return b"".join(job_download(api, user, capture, url, params, now=NOW).streaming_content)


def pdf_text(content: bytes, name: str = "") -> tuple[int, str]:
    if os.environ.get("REPORT_PDF_OUT"):  # a folder, to look at the pages: pdftoppm -png -r 60
        Path(os.environ["REPORT_PDF_OUT"], f"{name}.pdf").write_bytes(content)
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    text = text.replace(" ", "").replace("\n", "")  # wrapped lines joined
    return len(reader.pages), text


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_ledger_renders(
    api, educator_a, community_a, shape, fmt, django_capture_on_commit_callbacks
):
    content = fetch(
        api,
        educator_a,
        django_capture_on_commit_callbacks,
        "/api/reports/ledgers/",
        {"community": community_a.code, "month": "2026-10", "format": fmt},
    )
    activities = 0 if shape == "empty" else 1
    # The month's rates say which rounds they cover (October's answers are routine ones).
    rounds = "涵盖轮次：—" if shape == "empty" else "涵盖轮次：常规（每人只计一次，按最近一次作答）"
    if fmt == "pdf":
        pages, text = pdf_text(content, f"ledger-{shape}")
        assert pages >= 3 and "天虹路社区" in text
        assert rounds in text
        # October judged on its last day: the reasons are printed under the figures.
        assert ("2026-10未开展健康知识讲座" in text) is (shape == "empty")
        assert ("10月讲座" in text) is bool(activities)
    else:
        book = openpyxl.load_workbook(io.BytesIO(content))
        figures = list(book["工作量"].iter_rows(min_row=2, values_only=True))
        lecture = next(r for r in figures if r[0] == "健康知识讲座")
        assert lecture[2] == activities
        cells = [c for row in book["两率"].iter_rows(values_only=True) for c in row if c]
        assert any(str(c).startswith(rounds) for c in cells), cells
        assert lecture[-1] or shape != "empty"  # what is missing, in words


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_summary_renders(
    api, educator_a, community_a, shape, fmt, django_capture_on_commit_callbacks
):
    content = fetch(
        api,
        educator_a,
        django_capture_on_commit_callbacks,
        "/api/reports/summaries/",
        {"community": community_a.code, "year": 2026, "format": fmt},
    )
    if fmt == "pdf":
        pages, text = pdf_text(content, f"summary-{shape}")
        assert pages >= 1 and "天虹路社区" in text
        assert ("2026-02" in text) is (shape != "full_year")  # a month without a lecture
    else:
        book = openpyxl.load_workbook(io.BytesIO(content))
        compliance = list(book["完成情况"].iter_rows(min_row=2, values_only=True))
        lecture = next(r for r in compliance if r[1] == "健康知识讲座")
        assert lecture[2] == {"empty": 0, "one_month": 1, "full_year": 12}[shape]
        assert lecture[5] == ("是" if shape == "full_year" else "否")
        assert bool(lecture[6]) is (shape != "full_year")
