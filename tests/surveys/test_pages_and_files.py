"""The pages and files that show the two rates say which rounds a figure covers, default the
headline to the latest round, and show both before/after tests in words."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from healthedu.surveys.services import response_create
from tests.factories import make_resident
from tests.surveys.conftest import DAY, answers

pytestmark = pytest.mark.django_db

RIGHT = ([0], [1], [2], [0], [0, 2], [0], [0])
WRONG = ([3], [3], [3], [3], [1], [2], [3])
FOLLOWUP = DAY + dt.timedelta(days=150)  # 2026-08-07


@pytest.fixture
def cohort(designed_survey, community_a):
    """Six residents: all unaware at baseline; four of them aware at the follow-up."""
    for n in range(6):
        resident = make_resident(community_a, sex="F", age=30 + n, on=DAY)
        for round_name, day, chosen in (
            ("baseline", DAY, WRONG),
            ("followup", FOLLOWUP, RIGHT if n < 4 else WRONG),
        ):
            response_create(
                user=None,
                survey=designed_survey,
                resident=resident,
                answered_on=day,
                round=round_name,
                answers=answers(designed_survey, *chosen),
            )
    return designed_survey


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_survey_page_headline_is_the_latest_round_and_shows_both_tests(
    page_client, educator_a, cohort
):
    client = page_client(educator_a)
    page = text_of(client.get(f"/surveys/{cohort.pk}/rates/"))
    assert "轮次：随访" in page
    assert "66.7% (4/6" in page  # the follow-up's headline, not a pool of both rounds
    assert "两轮均作答的同一批居民 6 人" in page
    assert "McNemar 精确检验" in page
    assert "各轮全部调查对象" in page and "配对 McNemar 检验" in page
    baseline = text_of(client.get(f"/surveys/{cohort.pk}/rates/", {"round": "baseline"}))
    assert "轮次：基线" in baseline and "0.0% (0/6" in baseline
    pooled = text_of(client.get(f"/surveys/{cohort.pk}/rates/", {"round": "all"}))
    assert "合并各轮" in pooled and "66.7% (4/6" in pooled  # each person once: the follow-up


def test_dashboard_shows_the_rounds_and_the_paired_test(page_client, leader, cohort):
    page = text_of(page_client(leader).get("/dashboard/", {"year": 2026}))
    assert "轮次：随访" in page
    assert "McNemar 精确检验" in page


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_summary_files_show_both_tests_and_the_rounds(
    api, leader, cohort, django_capture_on_commit_callbacks, fmt
):
    client = api(leader)
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post(
            "/api/reports/summaries/",
            {"street": "天虹街道", "year": 2026, "format": fmt},
            format="json",
        ).json()
    job = client.get(f"/api/jobs/{job['id']}/").json()
    assert job["status"] == "done", job
    content = b"".join(client.get(job["file"]).streaming_content)
    if fmt == "pdf":
        text = re.sub(
            r"\s", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        )
        assert "McNemar精确检验" in text
        assert "两轮均作答的同一批居民6人" in text
        assert "涵盖轮次：随访" in text
        assert "配对McNemar检验" in text
    else:
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet = next(
            ws
            for ws in book.worksheets
            if any("McNemar" in str(c.value) for row in ws.iter_rows() for c in row)
        )
        rows = list(sheet.iter_rows(values_only=True))
        paired = [r for r in rows if r[2] and "同一批居民" in str(r[2])]
        assert paired and paired[0][6] == "McNemar 精确检验"
        # 4 discordant, all one way: 2 · ½⁴; p-values are text (reports.formatting: "< 0.001")
        assert paired[0][7] == "0.125"
        assert any("配对 McNemar 检验" in str(r[0]) for r in rows)


def test_survey_page_shows_each_items_type_and_points(page_client, educator_a, designed_survey):
    page = text_of(page_client(educator_a).get(f"/surveys/{designed_survey.pk}/"))
    assert page.count("单选题 · 1 分") == 6
    assert page.count("多选题 · 2 分") == 1
