"""The leader's pages in headless Chromium: the fair comparison drawn (funnel plots, ranked bars,
a small trend chart per community), the drill-down, and the leader's menu clicked through, on a
desktop and a phone, under the Content-Security-Policy (the new_page fixture fails on a
violation). The README's screenshots of the funnel plot, the comparison and the drill-down are
taken here: always into tests/screenshots/, and into docs/screenshots/ when
HEALTHEDU_README_SCREENSHOTS=1 (so that an ordinary run leaves the repository as it was)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import CommunityFactory, make_event, make_resident, make_response, make_survey
from tests.web.browser.conftest import PHONE, readme_shot, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def answers_by_month(survey, community, *, per_month: int, tenths_aware: int, tenths_formed: int):
    """Respondents of the community in each month of the year so far: tenths_aware in ten know
    enough, tenths_formed in ten keep the healthy behaviour."""
    today = timezone.localdate()
    count = 0
    for month in range(1, today.month + 1):
        day = dt.date(today.year, month, 1)
        for _ in range(per_month):
            count += 1
            person = make_resident(
                community, age=20 + (count * 7) % 60, sex="MF"[count % 2], on=day
            )
            knows = 0 if (count % 10) < tenths_aware else 1
            does = 0 if (count * 3 % 10) < tenths_formed else 1
            make_response(survey, person, [knows, knows, does], on=day)


@pytest.fixture
def street_with_data(admin_user, street, community_a, community_b):
    survey = make_survey(None, user=admin_user)
    community_d = CommunityFactory(code="D01", name="东风社区", street=street)
    community_e = CommunityFactory(code="E01", name="新华社区", street=street)
    answers_by_month(survey, community_a, per_month=6, tenths_aware=9, tenths_formed=7)
    answers_by_month(survey, community_b, per_month=3, tenths_aware=3, tenths_formed=5)
    answers_by_month(survey, community_d, per_month=9, tenths_aware=6, tenths_formed=4)
    answers_by_month(survey, community_e, per_month=1, tenths_aware=5, tenths_formed=8)
    for i in range(30):  # more than a page of the drill-down (25)
        make_event(
            community_a,
            title=f"健康讲座{i + 1:02d}",
            starts_at=timezone.now() - dt.timedelta(hours=2 * (i + 1)),
            status="held",
            hours=1,
        )
    return [community_a, community_b, community_d, community_e]


def watch_errors(page) -> list:
    """The page's uncaught script errors: a chart script that throws fails the test."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def wait_drawn(page, selector: str):
    page.locator(f"{selector}[data-drawn=true]").wait_for()


def test_leader_compares_communities_in_pictures_and_drills_down(
    new_page, leader, street_with_data, community_a
):
    page = new_page(leader)
    errors = watch_errors(page)
    page.goto("/dashboard/")
    for kind in ("knowledge", "behavior"):
        wait_drawn(page, f"#funnel-{kind}")
        wait_drawn(page, f"#rank-{kind}")
    for community in street_with_data:
        wait_drawn(page, f"#trend-chart-{community.pk}")
    assert page.locator("#funnel-knowledge").bounding_box()["height"] > 200
    # Four communities, two bars each: the ranked chart is given room for all of them.
    assert page.locator("#rank-knowledge").bounding_box()["height"] >= 4 * 34
    signals = page.locator("#signals-knowledge").inner_text()
    assert "高于预期" in signals or "低于预期" in signals or "控制限之内" in signals
    table = page.locator("#fair-table-knowledge")
    assert table.locator("tbody tr").count() == 4
    readme_shot(page.locator("#fair-knowledge figure").first, "leader-funnel")
    readme_shot(page.locator("#fair-knowledge figure").nth(1), "leader-comparison")
    readme_shot(page.locator("#trends"), "leader-trends")
    page.locator("#compliance").get_by_role("link", name=community_a.name).click()
    page.wait_for_url(f"**community={community_a.pk}**")
    activities = page.locator("#activities")
    assert activities.locator("tbody tr").count() == 25
    wait_drawn(page, "#funnel-knowledge")  # one community: drawn against its street's rate
    assert page.locator("#compared-with-knowledge").inner_text().startswith("与所在街道比较")
    readme_shot(page.locator("#fair-knowledge figure").first, "leader-drill-down-funnel")
    readme_shot(page.locator("#activities-h").locator(".."), "leader-drill-down")
    page.get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2**")
    assert page.locator("#activities tbody tr").count() == 5
    assert not errors


def test_leader_menu_leads_to_ledgers_referrals_and_progress(
    new_page, leader, community_a, community_b
):
    page = new_page(leader)
    page.goto("/dashboard/")
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link").all_inner_texts() == [
        "总览",
        "各社区台账",
        "转诊随访清单",
        "计划进度",
    ]
    nav.get_by_role("link", name="各社区台账").click()
    page.wait_for_url("**/dashboard/ledgers/")
    assert page.locator("#leader-ledgers tbody tr").count() == 2
    assert page.locator("main form[method=post]").count() == 0
    page.locator("#leader-ledgers").get_by_role("link", name=community_a.name).click()
    page.wait_for_url(f"**/dashboard/ledgers/{community_a.pk}/**")
    assert page.locator("#community-ledgers tbody tr").count() >= 1
    screenshot(page, "leader-community-ledgers")
    nav.get_by_role("link", name="转诊随访清单").click()
    page.wait_for_url("**/bp/referrals/")
    assert page.get_by_role("link", name="登记随访").count() == 0
    nav.get_by_role("link", name="计划进度").click()
    page.wait_for_url("**/dashboard/progress/")
    assert page.locator(f"#progress-{community_a.pk}").count() == 1
    assert page.locator(f"#progress-{community_b.pk}").count() == 1
    assert page.locator("main form[method=post]").count() == 0
    screenshot(page, "leader-progress")
    nav.get_by_role("link", name="总览").click()
    page.wait_for_url("**/dashboard/")


def test_dashboard_fits_a_phone_with_its_charts(new_page, leader, street_with_data):
    phone = new_page(leader, phone=True)
    errors = watch_errors(phone)
    phone.goto("/dashboard/")
    wait_drawn(phone, "#funnel-knowledge")
    wait_drawn(phone, "#rank-behavior")
    wait_drawn(phone, f"#trend-chart-{street_with_data[-1].pk}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "leader-dashboard-phone")
    assert not errors


def test_a_leader_without_communities_reads_no_data_plainly(new_page, district):
    from healthedu.org.models import Role
    from tests.factories import UserFactory

    nobody = UserFactory(username="head_none", role=Role.LEADER)
    phone = new_page(nobody, phone=True)
    errors = watch_errors(phone)
    phone.goto("/dashboard/")
    assert "您的范围内没有社区" in phone.locator("#fair-knowledge-none").inner_text()
    assert phone.locator("#fair canvas, #fair-knowledge canvas, #trends canvas").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not errors
