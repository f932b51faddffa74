"""Issue 13's whole morning on a phone-sized Chromium: 40 residents measured at the desk in the
square, the signal cut halfway, three of them urgent; afterwards every check-in, reading, visit and
referral is on the server once, the urgent ones head the home page, and their follow-ups are
recorded from the product until the home page no longer lists them."""

import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.models import Attendance
from healthedu.screening.models import BPReading, Referral, Visit
from tests.factories import make_event, make_resident
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_desk import _find, _open_desk, _reading, _waiting

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SURNAMES = "王李张刘陈杨赵黄"
GIVEN = ["秀英", "桂兰", "建华", "志强", "淑珍"]
URGENT = {6, 23, 37}  # one before the signal goes, two after


def _readings_count(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('#desk-readings li').length === {count}"
    )


def test_forty_residents_three_urgent_with_the_signal_cut_halfway(
    new_page, educator_a, community_a
):
    event = make_event(
        community_a,
        title="文化广场免费测血压",
        venue="文化广场",
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        kind="bp_screening",
        status="held",
        hours=3,
    )
    names = [s + g for s in SURNAMES for g in GIVEN]  # 40 distinct three-character names
    for index, name in enumerate(names):
        make_resident(community_a, name=name, phone=f"1380000{index:04d}", age=60 + index % 25)
    page = new_page(educator_a, phone=True)
    _open_desk(page, event)

    for index, name in enumerate(names):
        if index == 20:
            page.context.set_offline(True)
            page.wait_for_selector("#desk-network.offline")
        _find(page, name)
        assert page.text_content("#desk-person-name") == name
        page.click("#desk-check-in")
        page.wait_for_selector("#desk-check-in[hidden]", state="attached")
        if index in URGENT:
            _reading(page, 186, 112)
            page.wait_for_selector("#desk-urgent[open]")
            assert name in page.text_content("#desk-urgent-text")
            page.click("#desk-urgent-ack")
            _readings_count(page, 1)
        else:
            # Two readings within 5 mmHg of each other: the visit is complete, 正常 or 正常高值.
            systolic, diastolic = 118 + index % 12, 76 + index % 6
            _reading(page, systolic, diastolic)
            _readings_count(page, 1)
            _reading(page, systolic + 2, diastolic + 1)
            _readings_count(page, 2)
        page.click("#desk-next")
        if index == 19:
            # Online so far: each save went straight to the server.
            page.wait_for_function(
                "() => document.getElementById('desk-queue').dataset.waiting === '0'"
            )
            assert Attendance.objects.filter(event=event).count() == 20

    # Offline: 20 check-ins and 20 visits' readings wait on the device (2 urgent: one reading).
    assert _waiting(page) == 20 + 18 * 2 + 2
    assert Attendance.objects.filter(event=event).count() == 20
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('desk-queue').dataset.waiting === '0'")

    assert Attendance.objects.filter(event=event).count() == 40
    assert BPReading.objects.filter(event=event).count() == 37 * 2 + 3
    assert Visit.objects.filter(event=event).count() == 40
    urgent = Referral.objects.filter(urgency="urgent")
    assert Referral.objects.count() == 3 == urgent.count()
    assert {r.resident.name for r in urgent} == {names[i] for i in URGENT}

    # The urgent ones head the home page until their follow-ups are recorded.
    page.goto("/")
    block = page.locator("#urgent-referrals")
    assert all(names[i] in block.inner_text() for i in URGENT)
    screenshot(page, "morning-home-urgent")
    for index in sorted(URGENT):
        page.goto("/")
        page.locator("#urgent-referrals").get_by_role("link", name=names[index]).click()
        page.wait_for_url("**/bp/referrals/*/follow-up/")
        form = page.locator("#follow-up-form")
        form.locator("#id_followed_up_on").fill(timezone.localdate().isoformat())
        form.locator("fieldset", has_text="是否联系上").get_by_label("是", exact=True).check()
        form.locator("fieldset", has_text="是否就诊").get_by_label("是", exact=True).check()
        form.get_by_label("结果").fill("已电话通知，家庭医生当日复测")
        form.get_by_role("button", name="保存").click()
        page.wait_for_url("**/bp/referrals/")
    assert not Referral.objects.filter(status="open").exists()
    assert all(r.reached and r.seen_by_doctor for r in Referral.objects.all())
    page.goto("/")
    assert page.locator("#urgent-referrals").count() == 0
