import pytest

from tests.factories import make_resident
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAMPLE = "tests/samples/天虹路社区居民花名册.xlsx"


def test_log_in_with_the_form_and_see_the_educators_nav(new_page, educator_a):
    page = new_page()
    page.goto("/")
    assert "/login/" in page.url
    screenshot(page, "login")
    page.get_by_label("用户名").fill("edu_a")
    page.get_by_label("密码").fill("pass-word-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    nav = page.get_by_role("navigation", name="主导航")
    for label in ("首页", "活动", "血压", "居民", "问卷", "台账"):
        assert nav.get_by_role("link", name=label).count() <= 1
    assert nav.get_by_role("link", name="居民").is_visible()
    screenshot(page, "home")


def test_residents_list_on_a_phone_shows_masked_data(new_page, educator_a, community_a):
    for i in range(3):
        make_resident(community_a, name=f"王{i}芳", age=30 + 20 * i, phone=f"1380000{i:04d}")
    page = new_page(educator_a, phone=True)
    page.goto("/residents/")
    assert page.get_by_text("王2芳").is_visible()
    assert page.get_by_text("138****0002").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "residents-phone")


def test_import_residents_and_watch_the_progress_finish(new_page, educator_a, community_a):
    page = new_page(educator_a)
    page.goto("/residents/import/")
    page.get_by_label("花名册文件").set_input_files(SAMPLE)
    page.get_by_role("button", name="导入").click()
    page.wait_for_url("**/jobs/**")
    page.locator("#job-result").wait_for()
    assert page.locator("#job-status").inner_text() == "已完成"
    assert page.locator("#job-progress").get_attribute("aria-valuenow") == "100"
    screenshot(page, "import-report")


def test_enter_a_paper_questionnaire(new_page, educator_a, community_a):
    from django.utils import timezone

    from healthedu.surveys.models import Response
    from tests.web.helpers import make_survey_with_answers

    survey = make_survey_with_answers(
        community_a, educator_a, on=timezone.localdate(), baseline=(0, 0), followup=(0, 0)
    )
    page = new_page(educator_a, phone=True)
    page.goto(f"/surveys/{survey.pk}/respond/")
    page.get_by_label("性别").select_option("F")
    page.get_by_label("年龄").fill("67")
    for question in page.locator(".questions .question").all():
        question.get_by_role("radio").first.check()
    screenshot(page, "survey-respond-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="保存并录入下一份").click()
    page.get_by_text("问卷已保存").wait_for()
    assert Response.objects.filter(survey=survey).count() == 1
