import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_event
from tests.web.browser.conftest import screenshot
from tests.web.helpers import make_survey_with_answers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_generate_a_ledger_and_download_it(new_page, educator_a, community_a, tmp_path):
    make_event(
        community_a,
        title="本月讲座",
        starts_at=timezone.now() - dt.timedelta(hours=3),
        status="held",
        summary="效果良好",
        hours=1,
    )
    page = new_page(educator_a)
    page.goto("/ledger/")
    screenshot(page, "ledger")
    page.get_by_role("button", name="生成 PDF").click()
    page.wait_for_url("**/jobs/**")
    download_link = page.locator("#job-file")
    download_link.wait_for(timeout=20000)
    assert page.locator("#job-progress").get_attribute("aria-valuenow") == "100"
    screenshot(page, "ledger-job")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "ledger.pdf"
    info.value.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-"


def test_leader_sees_the_charts_drills_down_and_finds_no_way_to_edit(
    new_page, leader, educator_a, community_a, street
):
    survey = make_survey_with_answers(community_a, educator_a, on=timezone.localdate())
    event = make_event(
        community_a,
        title="社区高血压讲座",
        starts_at=timezone.now() + dt.timedelta(hours=1),
        hours=1,
    )
    page = new_page(leader)
    page.goto("/")
    page.wait_for_url("**/dashboard/")
    page.locator("#chart-months[data-drawn=true]").wait_for()
    page.locator("#chart-groups[data-drawn=true]").wait_for()
    assert page.locator("#chart-months").bounding_box()["height"] > 100
    screenshot(page, "dashboard")
    page.locator("#compliance").get_by_role("link", name=community_a.name).click()
    page.wait_for_url(f"**community={community_a.pk}**")
    page.locator("#activities").get_by_role("link", name="社区高血压讲座").click()
    page.wait_for_url(f"**/activities/{event.pk}/")
    screenshot(page, "leader-activity")
    main = page.locator("main")
    assert main.locator("form[method=post]").count() == 0
    assert main.get_by_role("button", name="签到").count() == 0
    assert main.get_by_role("link", name="编辑").count() == 0
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link").all_inner_texts() == [
        "总览",
        "各社区台账",
        "转诊随访清单",
        "计划进度",
    ]
    phone = new_page(leader, phone=True)
    phone.goto("/dashboard/")
    phone.locator("#chart-groups[data-drawn=true]").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "dashboard-phone")
    page.goto(f"/surveys/{survey.pk}/rates/")
    page.locator("#chart-groups[data-drawn=true]").wait_for()
    assert page.locator("main form[method=post]").count() == 0
    screenshot(page, "survey-rates")
