import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.attendance import attendance_check_in
from healthedu.activities.models import Attendance, Event
from tests.factories import make_event, make_resident
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_create_an_activity_with_the_form(new_page, educator_a, community_a):
    page = new_page(educator_a)
    page.goto("/activities/")
    screenshot(page, "calendar")
    page.get_by_role("link", name="计划一项活动").first.click()
    start = timezone.localtime() + dt.timedelta(days=1)
    page.get_by_label("类型").select_option("lecture")
    page.get_by_label("标题").fill("冬季心脑血管病预防讲座")
    page.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("结束时间").fill(start.strftime("%Y-%m-%dT10:30"))
    page.get_by_label("地点").fill("社区二楼会议室")
    page.get_by_label("老年人").check()
    screenshot(page, "activity-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/activities/*/")
    assert page.get_by_role("heading", name="冬季心脑血管病预防讲座").is_visible()
    assert Event.objects.get().venue == "社区二楼会议室"


def test_check_two_residents_in(new_page, educator_a, community_a):
    event = make_event(
        community_a, title="控烟讲座", starts_at=timezone.now() + dt.timedelta(hours=1), hours=1
    )
    make_resident(community_a, name="孙秀英", phone="13600001234")
    make_resident(community_a, name="周建华", phone="13700005678")
    page = new_page(educator_a)
    page.goto(f"/activities/{event.pk}/")
    page.get_by_label("查找居民").fill("孙秀英")
    page.get_by_label("查找居民").press("Enter")
    page.get_by_role("button", name="为孙秀英签到").click()
    page.get_by_label("查找居民").fill("5678")
    page.get_by_label("查找居民").press("Enter")
    page.get_by_role("button", name="为周建华签到").click()
    attendees = page.locator("#attendees tbody")
    assert (
        attendees.get_by_text("孙秀英").is_visible()
        and attendees.get_by_text("周建华").is_visible()
    )
    assert "136****1234" in attendees.inner_text()
    screenshot(page, "activity-check-in")
    assert Attendance.objects.filter(event=event).count() == 2


def test_sign_in_by_qr_on_a_phone(new_page, educator_a, community_a):
    event = make_event(
        community_a,
        title="健康生活方式讲座",
        starts_at=timezone.now() + dt.timedelta(hours=0.2),
        hours=1,
    )
    make_resident(community_a, name="吴桂兰", phone="13512348888", birth_date=dt.date(1952, 3, 8))
    desk = new_page(educator_a)
    desk.goto(f"/activities/{event.pk}/qr/")
    assert desk.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(desk, "activity-qr")
    link = desk.locator("#signin-link").get_attribute("href")
    phone = new_page(phone=True)
    phone.goto(link)
    # The sign-in page's own styles apply (from site.css): the button spans the phone's width.
    assert phone.get_by_role("button", name="签到").first.bounding_box()["width"] > 300
    phone.locator("input[name=name]").fill("吴桂兰")
    phone.locator("input[name=birth_month]").fill("3")
    phone.locator("input[name=birth_day]").fill("8")
    screenshot(phone, "qr-signin-form")
    phone.get_by_role("button", name="签到").first.click()
    phone.locator("[data-outcome=checked_in]").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "qr-signin-phone")
    assert Attendance.objects.filter(event=event, resident__name="吴桂兰").exists()


def test_enter_readings_and_see_the_grade(new_page, educator_a, community_a):
    event = make_event(
        community_a,
        kind="bp_screening",
        title="免费测量血压",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        hours=1,
    )
    first = make_resident(community_a, name="郑大爷", age=70)
    second = make_resident(community_a, name="冯阿姨", age=65)
    for person in (first, second):
        attendance_check_in(user=educator_a, event=event, resident=person)
    page = new_page(educator_a)
    page.goto(f"/bp/screenings/{event.pk}/")
    page.keyboard.type("165")
    page.keyboard.press("Tab")
    page.keyboard.type("92")
    row = page.locator(f"tr[data-resident='{first.pk}'] output.category")
    row.filter(has_text="二级高血压").wait_for()
    assert "建议转诊" in row.inner_text()
    page.get_by_label("冯阿姨：收缩压").fill("118")
    page.get_by_label("冯阿姨：舒张压").fill("76")
    page.locator(f"tr[data-resident='{second.pk}'] output.category").filter(
        has_text="正常血压"
    ).wait_for()
    screenshot(page, "bp-entry")
    page.get_by_label("冯阿姨：舒张压").press("Enter")
    page.wait_for_load_state()
    page.locator("#readings").get_by_text("二级高血压").wait_for()
    screenshot(page, "bp-saved")
    # The second reading: the sheet shows the mean the visit would record and asks for a third
    # when the two differ by more than 5 mmHg.
    page.get_by_label("郑大爷：收缩压").fill("150")
    page.get_by_label("郑大爷：舒张压").fill("88")
    preview = page.locator(f"tr[data-resident='{first.pk}'] output.category")
    preview.filter(has_text="158/90").wait_for()
    assert "请测量第三次" in preview.inner_text()
    page.get_by_label("郑大爷：舒张压").press("Enter")
    page.wait_for_load_state()
    page.get_by_text("两次读数相差超过 5 mmHg，请测量第三次").first.wait_for()
    screenshot(page, "bp-third-reading")
