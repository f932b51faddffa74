"""The everyday pages (issue 14): a resident's history, the pinyin order and the one search, the
activities' list view and calendar link, the language switch, form errors and a job's status."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from healthedu.activities.models import Event
from healthedu.jobs.models import Job
from healthedu.pii import pii_decrypt
from residents.models import Resident
from residents.services import resident_update
from tests.factories import make_id_number, make_reading, make_resident, make_response, make_survey
from tests.reports.conftest import at, attend
from tests.web.test_residents_pages import form_data

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def names_in(body: str, names) -> list[str]:
    """The names in the order the page shows them."""
    found = [(body.find(f">{n}<"), n) for n in names]
    assert all(at_ >= 0 for at_, _n in found), found
    return [n for _at, n in sorted(found)]


# ---------------------------------------------------------------- a resident's history


@pytest.fixture
def history(community_a, community_b, educator_a, admin_user):
    person = make_resident(community_a, name="李秀英", sex="F", birth_date=dt.date(1950, 5, 17))
    lecture = Event.objects.create(
        community=community_a,
        kind="lecture",
        title="高血压防治讲座",
        starts_at=at(10, 10),
        ends_at=at(10, 10, 11),
        status="held",
    )
    elsewhere = Event.objects.create(
        community=community_b,
        kind="lecture",
        title="外社区讲座",
        starts_at=at(10, 11),
        ends_at=at(10, 11, 11),
        status="held",
    )
    attend(lecture, [person])
    attend(elsewhere, [person])
    make_reading(
        person, 186, 112, on=dt.date(2026, 10, 12), at="10:00"
    )  # grade 3: an urgent referral
    survey = make_survey(community_a, user=admin_user)
    make_response(survey, person, [0, 0, 0], on=dt.date(2026, 10, 12))
    return person


def test_a_residents_page_shows_their_history_in_reach_and_masked(page_client, educator_a, history):
    body = page_client(educator_a).get(f"/residents/history/{history.pk}/").content.decode()
    assert "高血压防治讲座" in body and "2026-10-10 09:00" in body
    assert "外社区讲座" not in body  # an activity of a community out of reach
    assert "186/112" in body  # the visit and the referral made of it
    referrals = body.split('id="history-referrals"')[1].split("</section>")[0]
    assert "186/112" in referrals and "紧急转诊" in referrals
    assert "高血压知识与行为问卷" in body and "知晓" in body
    number = pii_decrypt(history.id_number_enc)
    phone = pii_decrypt(history.phone_enc)
    assert history.id_number_masked in body and number not in body
    assert history.phone_masked in body and phone not in body
    assert "1950-05" in body and "1950-05-17" not in body  # the birth month, not the day


def test_a_leader_reads_the_history_without_controls_and_no_one_out_of_reach(
    page_client, leader, educator_b, history
):
    body = page_client(leader).get(f"/residents/history/{history.pk}/").content.decode()
    assert "高血压防治讲座" in body
    assert f'/residents/{history.pk}/"' not in body  # no edit link
    assert "/follow-up/" not in body
    assert page_client(educator_b).get(f"/residents/history/{history.pk}/").status_code == 404


def test_after_registering_a_resident_you_land_on_their_page(page_client, educator_a, community_a):
    response = page_client(educator_a).post("/residents/new/", form_data(community_a))
    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/residents/history/{resident.pk}/"
    page = page_client(educator_a).get(response["Location"]).content.decode()
    assert "李秀兰" in page


# ---------------------------------------------------------------- pinyin order and search


def test_the_list_is_in_pinyin_order_and_paged_in_sql(page_client, educator_a, community_a):
    # In code-point order 张 (U+5F20) < 白 (U+767D) < 阿 (U+963F): the reverse of the register's.
    for name in ["张伟", "白雪", "阿明", "曾国强", "李", "李明"]:
        make_resident(community_a, name=name)
    body = page_client(educator_a).get("/residents/").content.decode()
    assert names_in(body, ["张伟", "白雪", "阿明", "曾国强", "李明"]) == [
        "阿明",
        "白雪",
        "李明",
        "曾国强",  # the surname 曾 reads zēng, not céng
        "张伟",
    ]
    api = Client()
    api.force_login(educator_a)
    rows = api.get("/api/residents/", {"page_size": 3}).json()
    assert [r["name"] for r in rows["results"]] == ["阿明", "白雪", "李"]
    second = api.get("/api/residents/", {"page_size": 3, "page": 2}).json()
    assert [r["name"] for r in second["results"]] == ["李明", "曾国强", "张伟"]


def test_the_sort_key_follows_the_name_and_the_migration_fills_old_rows(community_a, educator_a):
    person = make_resident(community_a, name="张伟")
    assert Resident.objects.get(pk=person.pk).name_pinyin == "zhang1 wei3"
    resident_update(user=educator_a, resident=person, data={"name": "白伟"})
    assert Resident.objects.get(pk=person.pk).name_pinyin == "bai2 wei3"
    Resident.objects.update(name_pinyin="")  # as rows stood before the key was kept
    migration = importlib.import_module("residents.migrations.0004_name_pinyin")
    migration.fill_name_pinyin(django_apps, None)
    assert Resident.objects.get(pk=person.pk).name_pinyin == "bai2 wei3"


def _found(client, query) -> str:
    body = client.get("/residents/", {"search": query}).content.decode()
    return body.split("<tbody>")[1].split("</tbody>")[0]


def test_search_by_name_pinyin_phone_digits_and_only_a_whole_id_number(
    page_client, educator_a, community_a
):
    number = make_id_number(dt.date(1960, 4, 2), "M", area="420111", seq=37)
    wang = make_resident(
        community_a,
        name="王建国",
        sex="M",
        birth_date=dt.date(1960, 4, 2),
        id_number=number,
        phone="13955551234",
    )
    make_resident(community_a, name="张桂英", phone="13800009999")
    client = page_client(educator_a)
    assert "王建国" in _found(client, "建国") and "张桂英" not in _found(client, "建国")
    assert "张桂英" in _found(client, "zhang") and "王建国" not in _found(client, "zhang")
    assert "王建国" in _found(client, "1234") and "张桂英" not in _found(client, "1234")
    assert "王建国" in _found(client, "34")  # the last digits, fewer than four
    assert "王建国" in _found(client, number)  # the whole number, exactly
    assert "王建国" in _found(client, number[:-1] + number[-1].lower())
    # No fragment of an ID number finds anyone: that would rebuild the masked digits.
    for fragment in (number[-4:], number[-6:], number[:10], number[6:14], number[:17]):
        assert "王建国" not in _found(client, fragment), fragment
    assert wang.id_number_masked in _found(client, number)
    # The API's search is the same selector.
    api = Client()
    api.force_login(educator_a)
    names = [r["name"] for r in api.get("/api/residents/", {"search": number}).json()["results"]]
    assert names == ["王建国"]
    tail = api.get("/api/residents/", {"search": number[-4:]}).json()["results"]
    assert "王建国" not in [r["name"] for r in tail]


def test_an_administrator_also_finds_by_an_id_numbers_last_digits(
    page_client, admin_user, community_a
):
    """An administrator may reveal the whole number (audited): its end tells them nothing new."""
    number = make_id_number(dt.date(1960, 4, 2), "M", area="420111", seq=37)
    make_resident(
        community_a,
        name="王建国",
        sex="M",
        birth_date=dt.date(1960, 4, 2),
        id_number=number,
        phone="13955551234",
    )
    assert number[-4:] != "1234"
    assert "王建国" in _found(page_client(admin_user), number[-4:])


# ---------------------------------------------------------------- activities


def test_activity_list_filters_by_kind_and_status_and_shows_a_legend(
    page_client, educator_a, community_a
):
    for title, kind, status, days in [
        ("血压筛查日", "bp_screening", "planned", 2),
        ("讲座甲", "lecture", "planned", 3),
        ("讲座乙", "lecture", "cancelled", 4),
        ("旧讲座", "lecture", "held", -30),
    ]:
        start = at(11, 1) + dt.timedelta(days=days)
        Event.objects.create(
            community=community_a,
            kind=kind,
            title=title,
            status=status,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
    client = page_client(educator_a)
    import time_machine

    with time_machine.travel(at(11, 1), tick=False):
        coming = client.get("/activities/list/").content.decode()
        lectures = client.get("/activities/list/", {"kind": "lecture"}).content.decode()
        cancelled = client.get(
            "/activities/list/", {"kind": "lecture", "status": "cancelled"}
        ).content.decode()
        past = client.get("/activities/list/", {"when": "past"}).content.decode()
    assert names_in(coming, ["血压筛查日", "讲座甲", "讲座乙"]) == [
        "血压筛查日",
        "讲座甲",
        "讲座乙",
    ]
    assert "旧讲座" not in coming and "旧讲座" in past and "讲座甲" not in past
    assert "血压筛查日" not in lectures and "讲座甲" in lectures
    assert "讲座乙" in cancelled and "讲座甲" not in cancelled
    legend = re.search(r'<p class="legend" id="status-legend">.*?</p>', coming, re.S).group()
    assert all(word in legend for word in ("计划", "已开展", "已取消"))
    # The status is a word in every row, never a colour alone.
    row = re.search(r'<tr class="event-row status-cancelled">.*?</tr>', cancelled, re.S).group()
    assert "event-status status-cancelled" in row and re.search(r"</span>[^<]+</span>", row)


def test_the_calendar_feed_is_linked_with_instructions_and_its_link_works(
    page_client, educator_a, leader, community_a
):
    client = page_client(educator_a)
    page = client.get("/activities/").content.decode()
    assert 'action="/activities/calendar-link/"' in page and "/calendar/" not in page
    response = client.post("/activities/calendar-link/", {"next": "web:activities"})
    assert response.status_code == 302 and response["Location"] == "/activities/"
    educator_a.refresh_from_db()
    page = client.get("/activities/").content.decode()
    url = f"http://testserver/calendar/{educator_a.feed_token}.ics"
    assert url in page and "webcal://testserver/calendar/" in page
    assert "iPhone" in page and "添加已订阅的日历" in page
    feed = Client().get(f"/calendar/{educator_a.feed_token}.ics")
    assert feed.status_code == 200 and feed.content.startswith(b"BEGIN:VCALENDAR")
    old = educator_a.feed_token
    client.post("/activities/calendar-link/", {"rotate": "1", "next": "web:activity_list"})
    assert Client().get(f"/calendar/{old}.ics").status_code == 404
    # A leader reads; the link is made by those who write (their pages hold no form but one).
    assert page_client(leader).post("/activities/calendar-link/").status_code == 403


# ---------------------------------------------------------------- language


def test_the_language_switch_is_stored_on_the_user_and_comes_back_at_sign_in(educator_a):
    browser = Client()
    browser.post("/login/", {"username": "edu_a", "password": PASSWORD})
    page = browser.get("/residents/").content.decode()
    assert 'action="/language/"' in page and '<html lang="zh-hans">' in page
    response = browser.post("/language/", {"language": "en", "next": "/residents/"})
    assert response.status_code == 302 and response["Location"] == "/residents/"
    educator_a.refresh_from_db()
    assert educator_a.language == "en"
    assert '<html lang="en">' in browser.get("/residents/").content.decode()
    # Another browser, no cookie: English again once signed in.
    other = Client()
    assert '<html lang="zh-hans">' in other.get("/login/").content.decode()
    response = other.post("/login/", {"username": "edu_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = other.get("/residents/").content.decode()
    assert (
        '<html lang="en">' in page
        and "Residents" in page
        and "居民" not in page.split("<main")[1].split("</h1>")[0]
    )


def test_a_choice_on_the_sign_in_page_is_kept_and_stored_for_a_user_without_one(educator_a):
    browser = Client()
    response = browser.post("/language/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert "Log in" in browser.get("/login/").content.decode()
    browser.post("/login/", {"username": "edu_a", "password": PASSWORD})
    educator_a.refresh_from_db()
    assert educator_a.language == "en"
    assert browser.post("/language/", {"language": "xx", "next": "/"}).status_code == 302
    educator_a.refresh_from_db()
    assert educator_a.language == "en"  # an unknown code changes nothing


def test_english_pages_read_in_english(page_client, educator_a, community_a, history):
    client = page_client(educator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    job = Job.objects.create(
        kind="resident_import", status="running", progress=40, created_by=educator_a
    )
    pages = {
        "/residents/": ["Residents", "Register a resident"],
        f"/residents/history/{history.pk}/": ["Activities attended", "Questionnaires answered"],
        "/activities/": ["Calendar", "List"],
        "/activities/list/": ["Apply filters", "Planned"],
        "/residents/new/": ["Register a resident", "Date of birth", "Save"],
        f"/jobs/{job.pk}/": ["Importing a roster", "Running · 40%"],
    }
    for path, words in pages.items():
        body = client.get(path).content.decode()
        main = body.split('<main id="main" class="main">')[1]
        for word in words:
            assert word in main, (path, word)
        # Data stay as written (names, communities, titles; an address example in its form).
        for data in (
            "李秀英",
            "天虹路社区",
            "高血压防治讲座",
            "高血压知识与行为问卷",
            "3栋2单元501室",
        ):
            main = main.replace(data, "")
        assert not re.search(r"[\u4e00-\u9fff]", main), (path, main)


# ---------------------------------------------------------------- forms and jobs


def test_a_refused_form_puts_each_error_beside_its_field_and_links_to_it(
    page_client, educator_a, community_a
):
    body = (
        page_client(educator_a)
        .post("/residents/new/", form_data(community_a, name="", birth_date="1956-13-45"))
        .content.decode()
    )
    summary = re.search(r'<div class="error card form-errors".*?</div>', body, re.S).group()
    assert 'href="#id_name_field"' in summary and 'href="#id_birth_date_field"' in summary
    field = re.search(r'<div id="id_birth_date_field" class="field has-error.*?</div>', body, re.S)
    assert field and 'class="errorlist"' in field.group()


def test_a_refusal_names_the_sexes_not_their_codes(page_client, educator_a, community_a):
    api_refusal = Client()
    api_refusal.force_login(educator_a)
    body = api_refusal.post(
        "/api/residents/",
        {"name": "甲", "sex": "X", "birth_date": "1960-01-01", "community": community_a.pk},
        content_type="application/json",
    ).content.decode("unicode_escape")
    from django.core.exceptions import ValidationError

    from residents.validation import clean_resident

    with pytest.raises(ValidationError) as refused:
        clean_resident({"name": "甲", "sex": "X", "birth_date": dt.date(1960, 1, 1)})
    text = " ".join(refused.value.message_dict["sex"])
    assert text == "性别须为“男”或“女”。"
    assert "M（" not in body and "F（" not in body


@pytest.mark.parametrize(
    ("status", "progress", "shown"),
    [
        ("pending", 30, "等待开始 · 0%"),
        ("running", 40, "进行中 · 40%"),
        ("done", 95, "已完成 · 100%"),
    ],
)
def test_a_jobs_status_word_agrees_with_its_bar(page_client, educator_a, status, progress, shown):
    job = Job.objects.create(
        kind="resident_import", status=status, progress=progress, created_by=educator_a
    )
    body = page_client(educator_a).get(f"/jobs/{job.pk}/").content.decode()
    bar = re.search(r'id="job-progress"', body)
    assert bar
    value = shown.split(" · ")[1].rstrip("%")
    assert f'aria-valuenow="{value}"' in body
    assert re.search(r'id="job-percent"[^>]*>' + re.escape(shown) + "<", body), body


def test_an_import_keeps_the_sort_key_of_new_and_renamed_residents(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    from residents.sorting import name_sort_key
    from tests.residents.test_import import XLSX, run_import, upload

    job = run_import(api, educator_a, community_a, upload(XLSX), django_capture_on_commit_callbacks)
    assert job["status"] == "done", job
    imported = list(Resident.objects.filter(community=community_a))
    assert len(imported) > 100
    assert all(r.name_pinyin == name_sort_key(r.name) and r.name_pinyin for r in imported)
    # Ordered in SQL as by the key: each syllable ends in its tone digit, so that the order is
    # the same under a byte-wise and a language-aware collation (which skips the spaces).
    keys = list(
        Resident.objects.filter(community=community_a)
        .order_by("name_pinyin")
        .values_list("name_pinyin", flat=True)
    )
    assert keys == sorted(keys)
