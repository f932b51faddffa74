"""The ledger's numbers on the designed October (see conftest)."""

import pytest

from reports.ledger import build_ledger, consistency_checks
from tests.factories import make_event
from tests.reports.conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(october):
    return build_ledger(community=october.community, month=MONTH, made_by="李健")


def test_only_the_months_held_activities_in_time_order(ledger):
    assert [a.title for a in ledger.activities] == [
        "十月宣传栏",
        "高血压防治讲座",
        "控烟咨询",
        "=cmd()",
    ]


def test_record_form_fields_of_the_lecture(ledger):
    lecture = next(a for a in ledger.activities if a.title == "高血压防治讲座")
    assert lecture.time_text == "2026-10-10 09:00–11:00"
    assert lecture.venue == "社区活动室"
    assert lecture.form == "健康知识讲座"  # the kind's label when no form is written
    assert lecture.topics == ["高血压"]
    assert lecture.organiser == "社区卫生服务站"
    # The attendees' groups as of 10 October (王秀英 elderly + women, 李明 youth, 赵强 general),
    # not the planned target group (elderly).
    assert lecture.audience == "老年人、妇女、青少年、一般人群"
    assert (lecture.attendee_count, lecture.walk_ins, lecture.participant_count) == (3, 2, 5)
    assert [(m.kind, m.count) for m in lecture.materials] == [
        ("高血压防治折页", 50),
        ("控烟宣传片", 1),
    ]
    assert lecture.content == "讲解高血压的危害与防治。"
    assert lecture.summary == "居民参与积极。"
    assert {b.code: b.ticked for b in lecture.archive} == {
        "written": False,
        "photo": True,
        "printed": False,
        "audiovisual": False,
        "sign_in": True,
        "other": False,
    }
    assert (lecture.recorder, lecture.responsible, str(lecture.filled_on)) == (
        "李健",
        "王主任",
        "2026-10-10",
    )


def test_roster_has_groups_as_of_the_event_and_masked_phones_only(ledger, october):
    lecture = next(a for a in ledger.activities if a.title == "高血压防治讲座")
    rows = [(r.name, r.age, r.groups, r.phone) for r in lecture.roster]
    assert rows[:3] == [
        ("王秀英", 70, "老年人、妇女", "139****5001"),
        ("李明", 20, "青少年", "139****5002"),
        ("赵强", 40, "一般人群", "139****5003"),
    ]
    assert [r.name for r in lecture.roster[3:]] == ["张三", "（未留姓名）"]
    assert lecture.signed_in == 5


def test_figures_against_the_yearly_minimums(ledger):
    figures = {f.kind: f for f in ledger.figures}
    lecture = figures["lecture"]
    assert (lecture.month_count, lecture.minimum, lecture.expected_by_now) == (2, 12, 10)
    # The year to the month's end, by the activities app's count of held lectures: 30 Sep and
    # 10 + 20 Oct; the lecture of 1 Nov, though held before the ledger is made, is not counted.
    assert lecture.year_count == 3
    assert lecture.met is False
    # Judged on 31 October: the months without a lecture, in one sentence a person can act on.
    assert "2026-01、2026-02" in lecture.reasons[0] and "2026-08" in lecture.reasons[0]
    assert "2026-09" not in lecture.reasons[0] and "2026-10" not in lecture.reasons[0]
    assert (figures["consultation"].month_count, figures["consultation"].minimum) == (1, 9)
    assert figures["consultation"].expected_by_now == 7  # 9 × 10 / 12, rounded down
    assert (figures["print_material"].month_count, figures["print_material"].year_count) == (1, 1)
    assert (figures["av_showing"].month_count, figures["av_showing"].minimum) == (1, 6)
    assert figures["board_update"].month_count == 1
    assert figures["fitness"].minimum is None and figures["fitness"].met is None
    # Kinds with a minimum come first.
    assert [f.minimum is None for f in ledger.figures] == sorted(
        f.minimum is None for f in ledger.figures
    )


def test_blood_pressure_table_and_counts(ledger):
    bp = ledger.blood_pressure
    assert [(r.name, r.systolic, r.diastolic, r.category, r.referral) for r in bp.readings] == [
        ("王秀英", 150, 95, "grade_1", "referral"),
        ("赵强", 185, 100, "grade_3", "urgent"),
        ("李明", 118, 76, "normal", "none"),
    ]
    counts = {code: n for code, _label, n in bp.by_category}
    assert counts == {
        "normal": 1,
        "high_normal": 0,
        "grade_1": 1,
        "grade_2": 0,
        "grade_3": 1,
        "not_graded": 0,
    }
    assert (bp.referrals, bp.urgent_referrals, bp.total) == (1, 1, 3)


def test_two_rates_of_the_month_by_group(ledger):
    rates = ledger.rates
    assert (rates.overall.knowledge.numerator, rates.overall.knowledge.denominator) == (2, 3)
    assert (rates.overall.behavior.numerator, rates.overall.behavior.denominator) == (2, 3)
    by_group = {g.group: g for g in rates.by_group}
    counts = {
        g: (
            r.knowledge.numerator,
            r.knowledge.denominator,
            r.behavior.numerator,
            r.behavior.denominator,
        )
        for g, r in by_group.items()
    }
    assert counts == {
        "elderly": (1, 1, 1, 1),
        "women": (2, 2, 1, 2),
        "youth": (0, 1, 1, 1),
        "migrant": (1, 1, 0, 1),
        "general": (0, 0, 0, 0),
    }
    assert by_group["general"].knowledge.rate is None  # no data, never 0 %
    assert 0 < rates.overall.knowledge.ci_low < 2 / 3 < rates.overall.knowledge.ci_high < 1


def test_consistency_checks(ledger):
    found = sorted((c.activity_title, c.code) for c in ledger.checks)
    assert found == [
        ("=cmd()", "lecture_no_topic"),
        ("=cmd()", "no_summary"),
        ("=cmd()", "signin_mismatch"),
        ("控烟咨询", "no_participants"),
        ("计划中的讲座", "still_planned"),
    ]


def test_signin_check_is_quiet_when_the_numbers_agree(ledger):
    lecture = next(a for a in ledger.activities if a.title == "高血压防治讲座")
    assert consistency_checks([lecture]) == []


def test_cover(ledger):
    cover = ledger.cover
    assert (cover.community_code, cover.community_name, cover.street, cover.district) == (
        "A01",
        "天虹路社区",
        "天虹街道",
        "东湖区",
    )
    assert (cover.month, cover.made_by) == (MONTH, "李健")
    assert ledger.unlocks == [] and ledger.finalised is False


def test_query_count_does_not_grow_with_activities(october):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import at, attend

    def count():
        with CaptureQueriesContext(connection) as queries:
            build_ledger(community=october.community, month=MONTH)
        return len(queries)

    before = count()
    for day in (3, 4, 5):
        event = make_event(
            october.community,
            title=f"加场{day}",
            starts_at=at(10, day, 14),
            topics=["diabetes"],
            summary="x",
            materials=[("糖尿病折页", 5, "print")],
            attachments=["photo"],
            status="held",
            venue="",
        )
        attend(event, october.residents)
    assert count() == before <= 20


def test_the_ledger_job_reports_real_progress_per_activity_and_section(october):
    from reports.services import ledger_make

    seen = []
    name, content, result = ledger_make(
        community=october.community, month=MONTH, fmt="pdf", progress=seen.append
    )
    assert name == "ledger-A01-2026-10.pdf" and content.startswith(b"%PDF")
    assert seen == sorted(seen) and seen[-1] == 1.0
    # four activities while building, four while rendering, and the sections between
    assert len(set(seen)) >= 9
    assert result["activities"] == 4 and result["readings"] == 3


def test_ledger_checks_api(api, educator_a, october):
    response = api(educator_a).get(
        "/api/reports/ledger-checks/", {"community": "A01", "month": "2026-10"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-10"
    assert sorted(c["code"] for c in body["checks"]) == [
        "lecture_no_topic",
        "no_participants",
        "no_summary",
        "signin_mismatch",
        "still_planned",
    ]
    english = (
        api(educator_a)
        .get(
            "/api/reports/ledger-checks/",
            {"community": "A01", "month": "2026-10"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .json()
    )
    assert "A lecture without a topic." in [c["message"] for c in english["checks"]]


def test_signin_mismatch_is_backed_by_a_kept_paper_sheet(ledger):
    import dataclasses

    flagged = next(a for a in ledger.activities if a.title == "=cmd()")
    checks = [c for c in consistency_checks([flagged]) if c.code == "signin_mismatch"]
    assert checks and "签到表" in checks[0].fix  # the page says what to do about it
    # The roster the ledger prints ticks 签到表, but only a kept scan of the paper sheet backs
    # walk-ins who signed on paper alone.
    assert any(b.code == "sign_in" and b.ticked for b in flagged.archive) == bool(flagged.roster)
    with_sheet = dataclasses.replace(flagged, paper_sign_in=True)
    assert not [c.code for c in consistency_checks([with_sheet]) if c.code == "signin_mismatch"]
