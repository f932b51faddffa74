"""A community alone (the leader's drill-down, a community's summary) is compared in the funnel
plot with its street: the pooled rate of the street's communities in the user's reach, not its
own rate. Hand-computed: A 50/100 and B 30/100 in 天虹街道 give p0 = 80/200 = .4 and, at
n = 100, √(.4·.6/100) = .0489898; 1.959964 × that = .0960183 → 95 % limits .3040–.4960, and
3.090232 × that = .1513898 → 99.8 % limits .2486–.5514. A (.5) is above the 95 % limits, B (.3)
below them; both inside 99.8 %. C (90/100) is in another street and is never pooled."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from healthedu.org.models import Role
from reports.pdf_summary import render_summary_pdf
from reports.summary import funnel_reference, leaders_summary, summary_scope
from reports.xlsx import render_summary_xlsx
from tests.factories import UserFactory, make_resident, make_response, make_survey

pytestmark = pytest.mark.django_db

STREET_LIMITS = {"95": [0.304, 0.496], "99.8": [0.2486, 0.5514]}


@pytest.fixture
def answered(admin_user, community_a, community_b, community_c):
    survey = make_survey(None, user=admin_user)
    day = timezone.localdate().replace(month=1, day=1)
    for community, aware in ((community_a, 50), (community_b, 30), (community_c, 90)):
        for i in range(100):
            resident = make_resident(community, age=40, sex="F", on=day)
            make_response(survey, resident, [0, 0, 0] if i < aware else [1, 1, 1], on=day)
    return survey


@pytest.fixture
def two_streets_leader(street, other_street):
    return UserFactory(username="head_two", role=Role.LEADER, streets=[street, other_street])


def drill_down(user, community) -> dict:
    title, scope = summary_scope(user=user, community=community)
    return leaders_summary(
        title=title,
        communities=scope,
        year=timezone.localdate().year,
        compare_with=funnel_reference(user=user, communities=scope),
    )


def test_a_community_alone_is_compared_with_its_street(
    two_streets_leader, answered, community_a, community_b
):
    for community, rate, signal in ((community_a, 0.5, "above"), (community_b, 0.3, "below")):
        summary = drill_down(two_streets_leader, community)
        assert summary["compared_with"]["scope"] == "street"
        assert summary["compared_with"]["place"] == "天虹街道"
        assert summary["compared_with"]["communities"] == 2  # A and B; C is elsewhere
        (row,) = summary["communities"]
        for kind in ("knowledge", "behavior"):
            assert row[kind]["rate"] == rate
            funnel = row[kind]["funnel"]
            assert funnel["expected"] == 0.4
            assert funnel["limits"] == STREET_LIMITS
            assert (funnel["signal"], funnel["level"]) == (signal, "95")
            # The headline stays the community's own rate.
            assert summary[kind]["rate"] == rate


def test_several_communities_are_compared_with_each_other(two_streets_leader, answered, street):
    title, scope = summary_scope(user=two_streets_leader, street=street)
    summary = leaders_summary(
        title=title,
        communities=scope,
        year=timezone.localdate().year,
        compare_with=funnel_reference(user=two_streets_leader, communities=scope),
    )
    assert summary["compared_with"]["scope"] == "reach"
    assert summary["compared_with"]["knowledge"] == 0.4
    assert {c["knowledge"]["funnel"]["expected"] for c in summary["communities"]} == {0.4}


def test_the_street_is_cut_to_the_users_reach(answered, community_a, community_c):
    # An educator of A and C: in A's street only A is theirs, so A is compared with itself.
    educator = UserFactory(username="edu_ac", communities=[community_a, community_c])
    summary = drill_down(educator, community_a)
    assert summary["compared_with"]["scope"] == "reach"
    assert summary["communities"][0]["knowledge"]["funnel"]["expected"] == 0.5


def test_the_api_summary_of_a_community_compares_with_the_street(
    api, two_streets_leader, answered, community_a
):
    body = (
        api(two_streets_leader)
        .get("/api/reports/summary/", {"community": community_a.code, "year": dt.date.today().year})
        .json()
    )
    assert body["compared_with"]["scope"] == "street" and body["compared_with"]["knowledge"] == 0.4
    assert body["communities"][0]["knowledge"]["funnel"]["limits"] == STREET_LIMITS


def test_the_drill_down_page_says_what_it_compares_with(
    page_client, two_streets_leader, answered, community_a
):
    response = page_client(two_streets_leader).get(f"/dashboard/?community={community_a.pk}")
    body = response.content.decode()
    fair = {block["kind"]: block for block in response.context["fair"]}
    for kind in ("knowledge", "behavior"):
        assert fair[kind]["expected"] == 0.4
        (row,) = fair[kind]["rows"]
        assert row["funnel"]["limits"] == STREET_LIMITS
        said = re.search(rf'id="compared-with-{kind}"><strong>(.*?)</strong>', body).group(1)
        assert said.startswith("与所在街道比较") and "天虹街道" in said and "40.0%" in said
    assert "曲线为所在街道总体率的95%和99.8%控制限" in body
    assert "30.4%–49.6%" in body and "24.9%–55.1%" in body
    assert "高于预期（超出95%控制限）" in body
    # The chart draws the street's line, and its legend says so.
    data = response.context["fair_charts"]
    assert data["kinds"]["knowledge"]["expected"] == 0.4
    assert data["text"]["expected"] == "所在街道总体率"
    at_100 = next(c for c in data["kinds"]["knowledge"]["curves"] if c["n"] == 100)
    assert at_100["95"] == STREET_LIMITS["95"]
    # All in reach: no sentence about a street.
    body = page_client(two_streets_leader).get("/dashboard/").content.decode()
    assert "与所在街道比较" not in body and 'id="compared-with-' not in body


def test_the_community_summary_workbook_says_it_too(two_streets_leader, answered, community_a):
    book = openpyxl.load_workbook(
        io.BytesIO(render_summary_xlsx(drill_down(two_streets_leader, community_a)))
    )
    rows = list(book["公平比较"].iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in rows[:2]] == [0.4, 0.4]  # expected: the street's rate
    assert [r[5:9] for r in rows[:2]] == [(0.304, 0.496, 0.2486, 0.5514)] * 2
    notes = [r[0] for r in rows[2:] if r[0]]
    assert len(notes) == 2 and all(n.startswith("与所在街道比较：直线为天虹街道") for n in notes)


def test_the_community_summary_pdf_says_it_too(two_streets_leader, answered, community_a):
    summary = drill_down(two_streets_leader, community_a)
    reader = PdfReader(io.BytesIO(render_summary_pdf(summary)))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "与所在街道比较：直线为天虹街道在您范围内2个社区的总体率（40.0%）" in text
    assert "30.4%–49.6%" in text and "高于预期" in text
    assert "实线：所在街道总体率" in text  # the chart's legend
