"""The summary PDF and workbook carry the funnel and the standardised rates, with 0, 1 and many
communities."""

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from reports.pdf_summary import render_summary_pdf
from reports.summary import leaders_summary
from reports.xlsx import render_summary_xlsx
from tests.factories import CommunityFactory, make_resident, make_response, make_survey

pytestmark = pytest.mark.django_db


def _summary(communities):
    return leaders_summary(
        title="天虹街道", communities=communities, year=2026, as_of=dt.date(2026, 12, 31)
    )


@pytest.fixture
def many(street, admin_user):
    """Three communities: 30 respondents all aware, 30 all unaware, and one with none."""
    survey = make_survey(None, user=admin_user)
    day = dt.date(2026, 6, 1)
    made = []
    for code, name, choice in (
        ("H01", "高分社区", 0),
        ("L01", "低分社区", 1),
        ("E01", "空社区", None),
    ):
        community = CommunityFactory(code=code, name=name, street=street)
        made.append(community)
        if choice is None:
            continue
        for i in range(30):
            resident = make_resident(community, age=20 + i * 2, sex="MF"[i % 2], on=day)
            make_response(survey, resident, [choice] * 3, on=day)
    return made


def test_workbook_fair_comparison_sheet_with_many_communities(many):
    summary = _summary(many)
    wb = openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(summary)))
    ws = wb["公平比较"]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[("高分社区", "健康知识知晓率")][9] == "高于预期（超出99.8%控制限）"
    assert rows[("低分社区", "健康知识知晓率")][9] == "低于预期（超出99.8%控制限）"
    assert rows[("高分社区", "健康知识知晓率")][4] == pytest.approx(0.5)
    assert rows[("空社区", "健康知识知晓率")][4] in ("", None)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_summary_files_render_with_0_1_many_communities(many, count):
    summary = _summary(many[:count])
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_summary_pdf(summary))).pages
    )
    assert "公平比较各社区" in text
    assert "<br" not in text and "&lt;" not in text  # line breaks are breaks, not markup shown
    wb = openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(summary)))
    assert wb["公平比较"].max_row == 1 + 2 * count
    if count == 3:
        assert "低于预期" in text and "高于预期" in text
