"""The pages' behaviour under the Content-Security-Policy, in a real browser.

What used to be inline (onsubmit=, onchange=, onclick=, style=) now comes from static files and
data- attributes. Each test drives one such behaviour; the new_page fixture fails any test in
which the policy blocked something on a page it visited (see conftest.py).
"""

import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.models import Event, EventStatus
from reports.models import PeriodLock
from tests.factories import UserFactory, make_event, make_resident
from tests.web.browser.conftest import screenshot
from tests.web.helpers import make_survey_with_answers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_finalising_a_month_asks_first_and_cancel_leaves_it_open(new_page, educator_a):
    page = new_page(educator_a)
    page.goto("/ledger/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="定稿", exact=True).click()
    page.wait_for_load_state()
    assert asked == ["确定定稿并锁定本月吗？"]
    assert "/ledger/" in page.url
    assert not PeriodLock.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="定稿", exact=True).click()
    page.wait_for_url("**/jobs/**")
    assert PeriodLock.objects.filter(active=True).count() == 1


def test_cancelling_a_repeat_asks_first(new_page, api, educator_a, community_a):
    start = timezone.localtime() + dt.timedelta(days=1)
    response = api(educator_a).post(
        "/api/event-series/",
        {
            "community": community_a.code,
            "kind": "fitness",
            "title": "晨练",
            "venue": "社区广场",
            "starts_at": start.replace(hour=7, minute=0).isoformat(),
            "ends_at": start.replace(hour=8, minute=0).isoformat(),
            "rule": "weekly",
            "count": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    first = Event.objects.filter(title="晨练").order_by("starts_at").first()
    page = new_page(educator_a)
    page.goto(f"/activities/{first.pk}/")
    cancel = page.get_by_role("button", name="取消之后的各次活动")
    page.once("dialog", lambda dialog: dialog.dismiss())
    cancel.click()
    page.wait_for_load_state()
    assert not Event.objects.filter(title="晨练", status=EventStatus.CANCELLED).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    cancel.click()
    page.locator(".messages .success").wait_for()
    assert Event.objects.filter(title="晨练", status=EventStatus.CANCELLED).count() == 3


def test_choosing_a_community_or_a_year_shows_it_at_once(
    new_page, leader, community_a, community_b
):
    both = UserFactory(username="edu_ab", communities=[community_a, community_b])
    page = new_page(both)
    page.goto("/")
    page.locator("#id_community").select_option(str(community_b.pk))
    page.wait_for_url(f"**/?community={community_b.pk}")
    assert page.locator("#id_community").input_value() == str(community_b.pk)

    page = new_page(leader)
    page.goto("/dashboard/")
    last_year = str(timezone.localdate().year - 1)
    page.locator("#id_year").select_option(last_year)
    page.wait_for_url(f"**/dashboard/?year={last_year}")
    assert page.get_by_role("heading", level=1).inner_text().endswith(last_year)


def test_the_print_button_prints_the_qr_sheet(new_page, educator_a, community_a):
    event = make_event(
        community_a, title="控烟讲座", starts_at=timezone.now() + dt.timedelta(hours=1), hours=1
    )
    page = new_page(educator_a)
    page.goto(f"/activities/{event.pk}/qr/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.printed") is True


def test_looking_up_a_respondent_keeps_the_round_and_date(new_page, educator_a, community_a):
    survey = make_survey_with_answers(
        community_a, educator_a, on=timezone.localdate(), baseline=(0, 0), followup=(0, 0)
    )
    make_resident(community_a, name="钱淑珍")
    page = new_page(educator_a)
    page.goto(f"/surveys/{survey.pk}/respond/")
    page.locator("#id_round").select_option("followup")
    page.locator("#id_answered_on").fill("2026-10-20")
    page.locator("#id_q").fill("钱淑珍")
    page.locator("#id_q").press("Enter")
    page.wait_for_url("**q=*")
    assert page.locator("#id_round").input_value() == "followup"
    assert page.locator("#id_answered_on").input_value() == "2026-10-20"
    page.get_by_role("link", name="钱淑珍").click()
    page.locator("#respondent").wait_for()
    assert page.locator("#id_round").input_value() == "followup"
    assert page.locator("#id_answered_on").input_value() == "2026-10-20"


def test_the_api_docs_try_a_request(new_page, educator_a):
    page = new_page(educator_a)
    page.goto("/api/docs/")
    operation = page.locator(".opblock").filter(
        has=page.locator(".opblock-summary-path", has_text="/api/health/")
    )
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    screenshot(page, "api-docs")


def test_the_admin_builds_its_widgets(new_page, admin_user):
    page = new_page(admin_user)
    page.goto("/admin/")
    page.goto("/admin/org/user/")
    page.locator("#changelist-form").wait_for()
    page.goto("/admin/auth/group/add/")
    # SelectFilter2.js turns the permissions list into the two-box chooser.
    page.locator("#id_permissions_filter").wait_for()
    assert page.locator(".selector-chooseall").count() == 1
    screenshot(page, "admin-group")
