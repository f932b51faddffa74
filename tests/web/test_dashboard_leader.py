"""The leader's pages: the fair comparison on the dashboard (the same numbers as the hand-worked
funnel limits and standardised rates of tests/reports/test_funnel_and_standardisation.py), with
0, 1 and many communities; the leader's menu; the communities' ledgers and plan progress,
read-only and within reach."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from healthedu.jobs.models import Job, Status
from healthedu.jobs.services import job_attach_file
from healthedu.org.models import Role
from reports.models import PeriodLock
from tests.factories import UserFactory, make_resident, make_response, make_survey

pytestmark = pytest.mark.django_db

AWARE, UNAWARE = [0, 0, 0], [1, 1, 1]


def fair_data(response) -> dict:
    body = response.content.decode()
    start = body.index('id="fair-data"')
    return json.loads(body[body.index(">", start) + 1 : body.index("</script>", start)])


def first_of_year() -> dt.date:
    return timezone.localdate().replace(month=1, day=1)


def answer(survey, community, *, aware: int, total: int, sex="F", age=40):
    day = first_of_year()
    for i in range(total):
        resident = make_resident(community, age=age, sex=sex, on=day)
        make_response(survey, resident, AWARE if i < aware else UNAWARE, on=day)


@pytest.fixture
def survey(admin_user):
    return make_survey(None, user=admin_user)


def test_funnel_on_the_page_has_the_hand_computed_limits_and_names_outliers(
    page_client, leader, community_a, community_b, survey
):
    # A: 60 of 100 aware, B: 40 of 100, so the reach's rate is .5 and, for n = 100, the limits are
    # .5 ± 1.96·.05 = .402–.598 and .5 ± 3.0902·.05 = .3455–.6545 (worked by hand in
    # tests/reports): A is above the 95 % limits, B below them, both inside 99.8 %.
    answer(survey, community_a, aware=60, total=100)
    answer(survey, community_b, aware=40, total=100)
    response = page_client(leader).get("/dashboard/")
    assert response.status_code == 200
    fair = {block["kind"]: block for block in response.context["fair"]}
    for kind in ("knowledge", "behavior"):
        rows = {r["name"]: r for r in fair[kind]["rows"]}
        a, b = rows[community_a.name], rows[community_b.name]
        assert (a["n"], a["rate"], b["rate"]) == (100, 0.6, 0.4)
        for row in (a, b):
            assert row["funnel"]["expected"] == 0.5
            assert row["funnel"]["limits"] == {"95": [0.402, 0.598], "99.8": [0.3455, 0.6545]}
        assert (a["funnel"]["signal"], a["funnel"]["level"]) == ("above", "95")
        assert (b["funnel"]["signal"], b["funnel"]["level"]) == ("below", "95")
        assert [r["name"] for r in fair[kind]["ranked"]] == [community_a.name, community_b.name]
    body = response.content.decode()
    assert "40.2%–59.8%" in body
    assert f"<strong>{community_a.name}</strong>：高于预期（超出95%控制限）" in body
    assert f"<strong>{community_b.name}</strong>：低于预期（超出95%控制限）" in body
    # The charts get the same limits from the server: the curve passes through n = 100 exactly.
    data = fair_data(response)["kinds"]["knowledge"]
    at_100 = next(c for c in data["curves"] if c["n"] == 100)
    assert at_100["95"] == [0.402, 0.598] and at_100["99.8"] == [0.3455, 0.6545]
    assert data["expected"] == 0.5 and len(data["points"]) == 2
    assert [c["n"] for c in data["curves"]] == sorted({c["n"] for c in data["curves"]})
    assert data["curves"][-1]["n"] >= 110  # the curves reach past the largest community


def test_standardised_rate_beside_the_crude_one_as_worked_by_hand(
    page_client, leader, community_a, survey
):
    # A's residents: 30 women and 10 men in their sixties (weights .75 and .25). Of 10 women who
    # answered, 8 are aware; of 10 men, 1: standardised .75·.8 + .25·.1 = .625, Wilson at
    # n_eff = 16: .3864–.8152; crude 9 of 20 = .45.
    answer(survey, community_a, aware=8, total=10, sex="F", age=65)
    answer(survey, community_a, aware=1, total=10, sex="M", age=65)
    for _ in range(20):
        make_resident(community_a, age=65, sex="F", on=first_of_year())
    response = page_client(leader).get("/dashboard/")
    fair = {block["kind"]: block for block in response.context["fair"]}
    a = next(r for r in fair["knowledge"]["rows"] if r["name"] == community_a.name)
    assert (a["numerator"], a["n"], a["rate"]) == (9, 20, 0.45)
    assert a["standardised"]["rate"] == 0.625
    assert (a["standardised"]["ci_low"], a["standardised"]["ci_high"]) == (0.3864, 0.8152)
    body = response.content.decode()
    assert '62.5% <span class="muted">(38.6%–81.5%)</span>' in body
    assert '45.0% <span class="muted">(9/20;' in body
    # Which to quote upward and which to compare with, in words.
    assert "向上级报告时引用粗率" in body and "年龄性别标化率" in body
    point = fair_data(response)["kinds"]["knowledge"]["ranked"][0]
    assert (point["std"], point["stdLow"], point["stdHigh"]) == (0.625, 0.3864, 0.8152)


def test_one_community_sits_on_the_expected_line(page_client, educator_a, community_a, survey):
    leader = UserFactory(username="head_a", role=Role.LEADER, communities=[community_a])
    answer(survey, community_a, aware=3, total=4)
    response = page_client(leader).get("/dashboard/")
    body = response.content.decode()
    assert 'id="funnel-knowledge"' in body and 'id="rank-knowledge"' in body
    assert "没有超出随机波动的差异" in body or "95%控制限之内" in body
    data = fair_data(response)
    assert data["kinds"]["knowledge"]["points"][0]["signal"] is None
    assert [t["id"] for t in data["trends"]] == [community_a.pk]
    assert f'id="trend-chart-{community_a.pk}"' in body


def test_communities_without_respondents_say_no_data(page_client, leader, community_a):
    response = page_client(leader).get("/dashboard/")
    body = response.content.decode()
    assert 'id="fair-knowledge-none"' in body and 'id="funnel-knowledge"' not in body
    assert "暂无数据" in body
    data = fair_data(response)
    assert data["kinds"]["knowledge"]["points"] == [] and data["trends"] == []


def test_a_leader_with_no_community_sees_no_data_not_an_error(page_client, district):
    nobody = UserFactory(username="head_none", role=Role.LEADER)
    response = page_client(nobody).get("/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="fair-knowledge-none"' in body and "您的范围内没有社区" in body


def test_many_communities_each_get_a_small_trend_chart(
    page_client, leader, community_a, community_b, survey
):
    answer(survey, community_a, aware=2, total=3)
    answer(survey, community_b, aware=1, total=3)
    body = page_client(leader).get("/dashboard/").content.decode()
    assert body.count('class="multiple"') == 2
    assert f'id="trend-chart-{community_a.pk}"' in body
    assert f'id="trend-chart-{community_b.pk}"' in body


def test_leader_menu_leads_to_ledgers_referrals_and_progress(page_client, leader):
    body = page_client(leader).get("/dashboard/").content.decode()
    nav = body[body.index('class="nav"') : body.index("</nav>", body.index('class="nav"'))]
    for path in ("/dashboard/", "/dashboard/ledgers/", "/bp/referrals/", "/dashboard/progress/"):
        assert f'href="{path}"' in nav
    for path in ("/dashboard/ledgers/", "/bp/referrals/", "/dashboard/progress/"):
        assert page_client(leader).get(path).status_code == 200


def ledger_job(community, month: str, *, fmt="pdf", started=None):
    job = Job.objects.create(
        kind="ledger",
        community=community,
        params={"community": community.pk, "month": month, "format": fmt},
        status=Status.DONE,
        progress=100,
        started_at=started or timezone.now(),
        finished_at=started or timezone.now(),
    )
    job_attach_file(
        job, name=f"ledger-{month}.{fmt}", content=b"%PDF-1.4 test", content_type="application/pdf"
    )
    return job


def test_ledgers_show_finalised_and_draft_files_of_the_reach_only(
    page_client, leader, educator_a, community_a, community_b, community_c
):
    month = dt.date(2026, 10, 1)
    draft = ledger_job(community_a, "2026-10", started=timezone.now() - dt.timedelta(hours=2))
    PeriodLock.objects.create(community=community_a, month=month, locked_by=educator_a)
    final = ledger_job(community_a, "2026-10", started=timezone.now() + dt.timedelta(seconds=1))
    elsewhere = ledger_job(community_c, "2026-10")
    client = page_client(leader)
    response = client.get("/dashboard/ledgers/?month=2026-10")
    rows = {r["community"].pk: r for r in response.context["rows"]}
    assert set(rows) == {community_a.pk, community_b.pk}
    files = {f["job"].pk: f["final"] for f in rows[community_a.pk]["files"]}
    assert files == {final.pk: True, draft.pk: False}
    body = response.content.decode()
    assert f"/api/jobs/{final.pk}/file/" in body and f"/api/jobs/{elsewhere.pk}/" not in body
    assert "已定稿" in body and "草稿" in body
    download = client.get(f"/api/jobs/{final.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Read-only: no form that writes, and no way to make or finalise a ledger.
    assert '<form method="post"' not in body.split('id="main"')[1]
    one = client.get(f"/dashboard/ledgers/{community_a.pk}/?year=2026")
    assert one.status_code == 200 and f"/api/jobs/{draft.pk}/file/" in one.content.decode()


def test_another_streets_community_in_the_url_is_not_found(page_client, leader, community_c):
    client = page_client(leader)
    for path in (
        f"/dashboard/ledgers/{community_c.pk}/",
        f"/dashboard/progress/{community_c.pk}/",
        "/dashboard/ledgers/999999/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_leader_cannot_write_through_the_menu_pages(page_client, leader, community_a):
    client = page_client(leader)
    month = "2026-10"
    for path in (
        "/dashboard/ledgers/",
        f"/dashboard/ledgers/{community_a.pk}/",
        "/dashboard/progress/",
        f"/dashboard/progress/{community_a.pk}/",
        "/bp/referrals/",
    ):
        assert client.post(path, {"community": community_a.pk}).status_code == 403, path
    for path in ("/ledger/make/", "/ledger/finalise/"):
        response = client.post(path, {"community": community_a.pk, "month": month, "format": "pdf"})
        assert response.status_code == 403, path
    assert not PeriodLock.objects.exists() and not Job.objects.exists()


def test_progress_shows_each_communitys_result_with_its_reasons(
    page_client, leader, community_a, community_b, community_c
):
    from reports.progress import plan_progress

    client = page_client(leader)
    response = client.get("/dashboard/progress/?year=2026")
    shown = [r["community"].pk for r in response.context["reports"]]
    assert shown == [community_a.pk, community_b.pk]
    expected = plan_progress(community=community_a, year=2026, as_of=timezone.localdate())
    reasons = [reason for k in expected["kinds"] for reason in k["reasons"]]
    assert reasons  # nothing was held: the plan is behind
    body = response.content.decode()
    for reason in reasons:
        assert reason in body
    one = client.get(f"/dashboard/progress/{community_a.pk}/?year=2026")
    assert [r["community"].pk for r in one.context["reports"]] == [community_a.pk]


def test_the_ledgers_page_queries_do_not_grow_with_the_communities(
    page_client, leader, street, community_a, community_b
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CommunityFactory

    def count() -> int:
        client = page_client(leader)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/ledgers/?month=2026-10").status_code == 200
        return len(queries)

    ledger_job(community_a, "2026-10")
    before = count()
    for code in ("D01", "E01", "F01"):
        extra = CommunityFactory(code=code, name=f"{code}社区", street=street)
        ledger_job(extra, "2026-10")
        PeriodLock.objects.create(community=extra, month=dt.date(2026, 10, 1))
    assert count() == before
