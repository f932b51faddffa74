"""The everyday pages in a real browser: a resident's history, the pinyin order and search, the
activities' list view, a form's first error in view and focused, a new resident's page after
registering, the language switch kept across sign-in."""

import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.models import Event
from tests.factories import make_id_number, make_reading, make_resident, make_response, make_survey
from tests.reports.conftest import attend
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pass-word-123"


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


def test_a_residents_history_page(new_page, educator_a, community_a, admin_user):
    person = make_resident(community_a, name="李秀英", sex="F", birth_date=dt.date(1950, 5, 17))
    start = timezone.now() - dt.timedelta(days=3)
    lecture = Event.objects.create(
        community=community_a,
        kind="lecture",
        title="高血压防治讲座",
        status="held",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    attend(lecture, [person])
    taken = timezone.localtime(start + dt.timedelta(hours=2))
    make_reading(person, 168, 102, on=taken.date(), at=taken.time())
    make_response(make_survey(community_a, user=admin_user), person, [0, 1, 0], on=start.date())
    for phone in (False, True):
        page = new_page(educator_a, phone=phone)
        page.goto("/residents/")
        page.get_by_role("link", name="李秀英").click()
        page.wait_for_url(f"**/residents/history/{person.pk}/")
        for heading in ("参加的活动", "血压测量", "转诊与随访", "填写的问卷"):
            assert page.get_by_role("heading", name=heading).is_visible()
        assert page.locator("#history-activities").get_by_text("高血压防治讲座").is_visible()
        assert page.locator("#history-referrals").get_by_text("168/102").is_visible()
        assert page.get_by_text(person.id_number_masked).is_visible()
        if phone:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "resident-history-phone" if phone else "resident-history")


def test_the_list_reads_in_pinyin_order_and_searches(new_page, educator_a, community_a):
    number = make_id_number(dt.date(1961, 2, 3), "M", area="420111", seq=41)
    for name, phone, id_number in [
        ("张伟", "13900001111", "auto"),
        ("白雪", "13900002222", "auto"),
        ("阿明", "13900003333", number),
    ]:
        sex = "M" if id_number == number else "F"
        birth = dt.date(1961, 2, 3) if id_number == number else None
        make_resident(
            community_a, name=name, phone=phone, id_number=id_number, sex=sex, birth_date=birth
        )
    page = new_page(educator_a)
    page.goto("/residents/")
    names = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert names == ["阿明", "白雪", "张伟"]
    search = page.get_by_label("搜索")
    search.fill("2222")
    page.get_by_role("button", name="筛选").click()
    assert page.locator("tbody tr td:first-child a").all_inner_texts() == ["白雪"]
    page.get_by_label("搜索").fill(number[-4:])  # an ID number's end finds no one
    page.get_by_role("button", name="筛选").click()
    assert page.locator("tbody tr td:first-child a").count() == 0
    page.get_by_label("搜索").fill(number)
    page.get_by_role("button", name="筛选").click()
    assert page.locator("tbody tr td:first-child a").all_inner_texts() == ["阿明"]
    page.get_by_label("搜索").fill("zhang")
    page.get_by_role("button", name="筛选").click()
    assert page.locator("tbody tr td:first-child a").all_inner_texts() == ["张伟"]
    screenshot(page, "residents-search")


def test_the_activity_list_filters_and_names_each_status(new_page, educator_a, community_a):
    now = timezone.now()
    for title, kind, status, days in [
        ("血压筛查日", "bp_screening", "planned", 1),
        ("合理膳食讲座", "lecture", "planned", 2),
        ("控烟讲座", "lecture", "cancelled", 3),
    ]:
        start = now + dt.timedelta(days=days)
        Event.objects.create(
            community=community_a,
            kind=kind,
            title=title,
            status=status,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
    page = new_page(educator_a)
    page.goto("/activities/")
    page.get_by_role("link", name="列表").click()
    page.wait_for_url("**/activities/list/")
    rows = page.locator("#activity-list tbody tr")
    assert rows.count() == 3
    page.get_by_label("类型").select_option("lecture")
    page.get_by_label("状态", exact=True).select_option("cancelled")
    page.get_by_role("button", name="筛选").click()
    assert rows.count() == 1 and "控烟讲座" in rows.first.inner_text()
    assert "已取消" in rows.first.inner_text()  # the word, not only the colour
    legend = page.locator("#status-legend").inner_text()
    assert "计划" in legend and "已开展" in legend and "已取消" in legend
    page.get_by_role("button", name="生成我的日历链接").click()
    assert page.locator("#feed-url").input_value().endswith(".ics")
    assert _in_view(page, ".messages")  # the page opens at its message
    screenshot(page, "activities-list")


def test_the_first_field_in_error_is_focused_and_in_view(new_page, educator_a, community_a):
    page = new_page(educator_a, phone=True)
    page.goto("/residents/new/")
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("女").check()
    page.get_by_label("出生日期").fill("1960-04-02")
    page.get_by_label("身份证号").fill("110101196004021231")  # a man's number, wrong check digit
    page.get_by_role("button", name="保存").click()
    page.locator(".field.has-error").first.wait_for()
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    assert _in_view(page, "#id_id_number_field .errorlist")
    screenshot(page, "resident-form-error-phone")
    # The summary's link takes one to the field as well.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".form-errors a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_id_number"


def test_registering_a_resident_lands_on_their_page(new_page, educator_a, community_a):
    number = make_id_number(dt.date(1956, 3, 8), "F")
    page = new_page(educator_a, phone=True)
    page.goto("/residents/new/")
    page.get_by_label("姓名").fill("李秀兰")
    page.get_by_label("女").check()
    page.get_by_label("出生日期").fill("1956-03-08")
    page.get_by_label("住址").fill("3栋2单元501室")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("身份证号").fill(number)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/residents/history/*/")
    assert page.get_by_role("heading", name="李秀兰").first.is_visible()
    for heading in ("参加的活动", "血压测量", "转诊与随访", "填写的问卷"):
        assert page.get_by_role("heading", name=heading).is_visible()
    # Masked on the page as everywhere: neither the whole number nor the whole phone.
    body = page.locator("main").inner_text()
    assert number not in body and "13912345678" not in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "resident-registered-phone")


def test_the_language_switch_is_kept_across_sign_in(new_page, educator_a):
    page = new_page()
    page.goto("/login/")
    page.get_by_label("语言 / Language").select_option("en")
    page.get_by_role("heading", name="Log in").wait_for()
    screenshot(page, "login-english")
    page.get_by_label("Username").fill("edu_a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Residents").count()
    page.goto("/residents/")
    assert page.get_by_role("heading", name="Residents").is_visible()
    screenshot(page, "residents-english")
    # Another browser without the cookie: signed in, the user's choice comes back.
    other = new_page()
    other.goto("/login/")
    assert other.get_by_role("heading", name="登录").is_visible()
    other.get_by_label("用户名").fill("edu_a")
    other.get_by_label("密码").fill(PASSWORD)
    other.get_by_role("button", name="登录").click()
    other.wait_for_url("**/")
    other.goto("/activities/list/")
    assert other.get_by_role("heading", name="Activities", exact=True).is_visible()
    other.get_by_label("语言 / Language").select_option("zh-hans")
    other.get_by_role("heading", name="健康教育活动", exact=True).wait_for()
    educator_a.refresh_from_db()
    assert educator_a.language == "zh-hans"


def test_a_jobs_status_word_follows_its_bar_while_it_runs(new_page, educator_a):
    from healthedu.jobs.models import Job

    job = Job.objects.create(
        kind="resident_import", status="pending", progress=0, created_by=educator_a
    )
    page = new_page(educator_a)
    page.goto(f"/jobs/{job.pk}/")
    assert page.locator("#job-percent").inner_text() == "等待开始 · 0%"
    Job.objects.filter(pk=job.pk).update(status="running", progress=40)
    page.locator("#job-status", has_text="进行中").wait_for()
    assert page.locator("#job-percent").inner_text() == "进行中 · 40%"
    assert page.locator("#job-progress").get_attribute("aria-valuenow") == "40"
    screenshot(page, "job-running")
    Job.objects.filter(pk=job.pk).update(status="done", progress=100, result={})
    page.locator("#job-status", has_text="已完成").wait_for()
    assert page.locator("#job-percent").inner_text() == "已完成 · 100%"
