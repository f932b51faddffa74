"""The screening desk in headless Chromium: a morning with the signal cut, then synced; the same
batch again; a refused item; the offline grade agreeing with the server's rule."""

import datetime as dt
import itertools
import json

import pytest
from django.utils import timezone

from healthedu.activities.models import Attendance
from healthedu.audit.models import AuditEntry
from healthedu.screening import bp
from healthedu.screening.models import BPReading, Referral, Visit
from reports.models import PeriodLock
from residents.models import Resident
from tests.factories import make_event, make_resident
from tests.screening.conftest import SCREENING
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _screening(community):
    return make_event(
        community,
        title="文化广场免费测血压",
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        **SCREENING,
    )


def _open_desk(page, event):
    page.goto(f"/activities/{event.pk}/desk/")
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
    )
    # The page itself is kept for opening offline once the worker is there.
    cached = "() => caches.open('healthedu-desk-pages').then(c => c.match(location.pathname))"
    for _ in range(100):
        if page.evaluate(cached + ".then(Boolean)"):
            break
        page.wait_for_timeout(100)
    page.wait_for_function("() => document.getElementById('desk-queue').dataset.waiting === '0'")


def _find(page, text):
    page.fill("#desk-search", text)
    page.press("#desk-search", "Enter")
    page.wait_for_selector("#desk-person:not([hidden])")


def _reading(page, systolic, diastolic, pulse=""):
    page.fill("#desk-reading [name=systolic]", str(systolic))
    page.press("#desk-reading [name=systolic]", "Enter")
    page.fill("#desk-reading [name=diastolic]", str(diastolic))
    page.press("#desk-reading [name=diastolic]", "Enter")
    page.fill("#desk-reading [name=pulse]", str(pulse))
    page.press("#desk-reading [name=pulse]", "Enter")


def _waiting(page) -> int:
    return int(page.get_attribute("#desk-queue", "data-waiting"))


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def _post_sync(page, body: str) -> list:
    response = page.request.post(
        "/api/sync/",
        data=body,
        headers={"Content-Type": "application/json", "X-CSRFToken": _csrf(page)},
    )
    assert response.status == 200, response.text()
    return response.json()["results"]


def _counts():
    return (
        Resident.objects.count(),
        Attendance.objects.count(),
        BPReading.objects.count(),
        Visit.objects.count(),
        Referral.objects.count(),
    )


def test_a_morning_offline_then_synced_once(new_page, educator_a, community_a):
    event = _screening(community_a)
    make_resident(community_a, name="孙秀英", phone="13600001234", age=68)
    make_resident(community_a, name="周建华", phone="13700005678", age=71, sex="M")
    make_resident(community_a, name="钱桂兰", phone="13800004321", age=75)
    page = new_page(educator_a, phone=True)
    batches = []
    page.on(
        "request",
        lambda r: batches.append(r.post_data) if r.url.endswith("/api/sync/") else None,
    )
    _open_desk(page, event)

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#desk-network.offline")

    # A walk-up, registered and measured: 142/88 then 136/84 differ by 6 mmHg, a third is asked.
    page.click("#desk-walkup-open")
    page.fill("#desk-walkup [name=name]", "王秀兰")
    page.check("#desk-walkup [name=sex][value=F]")
    page.fill("#desk-walkup [name=birth_date]", "1951-03-08")
    page.fill("#desk-walkup [name=phone]", "13912340001")
    page.click("#desk-walkup button[type=submit]")
    page.wait_for_selector("#desk-person:not([hidden])")
    _reading(page, 142, 88, 76)
    page.wait_for_function("() => document.querySelectorAll('#desk-readings li').length === 1")
    _reading(page, 136, 84)
    page.wait_for_function("() => document.querySelectorAll('#desk-readings li').length === 2")
    page.fill("#desk-reading [name=systolic]", "139")
    page.fill("#desk-reading [name=diastolic]", "86")
    assert page.text_content("#desk-preview").startswith("139/86")
    assert page.text_content("#desk-prompt") == ""
    page.fill("#desk-reading [name=systolic]", "")
    page.fill("#desk-reading [name=diastolic]", "")
    assert page.text_content("#desk-prompt") == bp.visit_prompt(2, True)
    _reading(page, 139, 86)
    page.wait_for_function("() => document.querySelectorAll('#desk-readings li').length === 3")
    page.click("#desk-next")

    # Three residents checked in: by name, by the phone's last four digits, and one measured.
    _find(page, "孙秀英")
    page.click("#desk-check-in")
    page.wait_for_selector("#desk-check-in[hidden]", state="attached")
    page.click("#desk-next")
    _find(page, "5678")
    assert page.text_content("#desk-person-name") == "周建华"
    page.click("#desk-check-in")
    page.wait_for_selector("#desk-check-in[hidden]", state="attached")
    _reading(page, 128, 82)
    page.wait_for_function("() => document.querySelectorAll('#desk-readings li').length === 1")
    page.click("#desk-next")
    _find(page, "钱桂兰")
    page.click("#desk-check-in")
    # Grade 3: the notice must be acknowledged before anyone else.
    _reading(page, 186, 112)
    page.wait_for_selector("#desk-urgent[open]")
    assert "钱桂兰" in page.text_content("#desk-urgent-text")
    assert "186/112" in page.text_content("#desk-urgent-text")
    screenshot(page, "desk-urgent")
    page.click("#desk-urgent-ack")
    page.wait_for_function("() => document.querySelectorAll('#desk-readings li').length === 1")
    assert _waiting(page) == 10  # 1 walk-up, 4 check-ins, 5 readings
    assert not BPReading.objects.exists() and not Attendance.objects.exists()
    screenshot(page, "desk-offline")

    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('desk-queue').dataset.waiting === '0'")
    page.wait_for_selector("#desk-network:not(.offline)")
    screenshot(page, "desk")

    walker = Resident.objects.get(name="王秀兰")
    assert walker.phone_masked == "139****0001"
    assert Attendance.objects.filter(event=event).count() == 4
    assert BPReading.objects.filter(event=event).count() == 5
    visit = Visit.objects.get(resident=walker)
    assert (visit.reading_count, visit.systolic, visit.diastolic) == (3, 139, 86)
    urgent = Referral.objects.get(urgency="urgent")
    assert urgent.resident.name == "钱桂兰"
    assert AuditEntry.objects.filter(
        model="screening.Referral",
        object_id=str(urgent.pk),
        fields=["urgent_notice_acknowledged"],
        user=educator_a,
    ).exists()

    # The same batches again: nothing changes.
    before = _counts()
    sent = [b for b in batches if b]
    assert sent
    for body in sent:
        results = _post_sync(page, body)
        assert {r["status"] for r in results} == {"duplicate"}, results
    assert _counts() == before
    items = [i for body in sent for i in json.loads(body)["items"]]
    assert len(items) == len({i["id"] for i in items}) == 10


def test_an_item_in_a_locked_month_is_refused_on_the_desk_and_the_others_applied(
    new_page, educator_a, community_a
):
    event = _screening(community_a)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    old = make_event(
        community_a,
        title="上月义诊",
        starts_at=timezone.now().replace(year=last_month.year, month=last_month.month, day=10),
        **SCREENING,
    )
    make_resident(community_a, name="孙秀英", phone="13600001234", age=68)
    other = make_resident(community_a, name="周建华", phone="13700005678", age=71, sex="M")
    PeriodLock.objects.create(community=community_a, month=last_month)
    page = new_page(educator_a, phone=True)
    _open_desk(page, event)

    body = json.dumps(
        {
            "items": [
                {
                    "id": "8d7a1f3e-1111-4c2b-9d0e-000000000001",
                    "op": "check_in",
                    "event": old.pk,
                    "resident": other.pk,
                },
                {
                    "id": "8d7a1f3e-1111-4c2b-9d0e-000000000002",
                    "op": "check_in",
                    "event": event.pk,
                    "resident": other.pk,
                },
            ]
        }
    )
    results = _post_sync(page, body)
    assert [r["status"] for r in results] == ["refused", "applied"]
    assert last_month.strftime("%Y-%m") in results[0]["reason"]

    # On the desk: the month of this activity is finalised meanwhile; the reading is refused and
    # the desk says why and what to do; it stays on the device.
    PeriodLock.objects.create(community=community_a, month=timezone.localdate().replace(day=1))
    _find(page, "孙秀英")
    _reading(page, 130, 80)
    page.wait_for_selector("#desk-refused:not([hidden])")
    text = page.text_content("#desk-refused-list")
    assert timezone.localdate().strftime("%Y-%m") in text and "管理员" in text
    assert not BPReading.objects.exists()
    screenshot(page, "desk-refused")


def test_a_wrong_reading_is_corrected_then_deleted_from_the_desk(new_page, educator_a, community_a):
    event = _screening(community_a)
    make_resident(community_a, name="孙秀英", phone="13600001234", age=68)
    page = new_page(educator_a, phone=True)
    page.on("dialog", lambda dialog: dialog.accept())
    _open_desk(page, event)
    _find(page, "1234")
    _reading(page, 168, 88)
    page.wait_for_function("() => document.getElementById('desk-queue').dataset.waiting === '0'")
    page.wait_for_function(
        # The list is drawn again as the queue drains: an item may be absent for a moment.
        "() => { const li = document.querySelector('#desk-readings li');"
        " return li !== null && !li.textContent.includes('待同步'); }"
    )
    reading = BPReading.objects.get()
    assert (reading.systolic, reading.diastolic) == (168, 88)

    page.click("#desk-readings [data-action=correct]")
    page.fill("#desk-reading [name=systolic]", "148")
    page.press("#desk-reading [name=systolic]", "Enter")
    page.press("#desk-reading [name=diastolic]", "Enter")
    page.press("#desk-reading [name=pulse]", "Enter")
    page.wait_for_function(
        "() => { const li = document.querySelector('#desk-readings li');"
        " return li !== null && li.textContent.startsWith('148/88'); }"
    )
    reading.refresh_from_db()
    assert (reading.systolic, reading.diastolic) == (148, 88)
    assert AuditEntry.objects.filter(
        model="screening.BPReading", action="update", fields=["systolic"]
    ).exists()

    page.click("#desk-readings [data-action=remove]")
    page.wait_for_function("() => document.querySelectorAll('#desk-readings li').length === 0")
    assert not BPReading.objects.exists()
    assert AuditEntry.objects.filter(model="screening.BPReading", action="delete").exists()


def test_the_desk_grades_as_the_server_rule_does(new_page, educator_a, community_a):
    event = _screening(community_a)
    page = new_page(educator_a)
    page.goto(f"/activities/{event.pk}/desk/")
    page.wait_for_function("() => window.deskRule !== undefined")
    values = sorted({*range(60, 301, 9), *bp._SYSTOLIC_FROM[1:], 139, 159, 179, 300})
    lows = sorted({*range(30, 201, 7), *bp._DIASTOLIC_FROM[1:], 79, 89, 99, 109})
    pairs = [(s, d) for s, d in itertools.product(values, lows) if s > d]
    got = page.evaluate(
        """([pairs, rule]) => pairs.map(([s, d]) => [false, true, null].map(
               known => deskRule.classify(rule, s, d, known, true)))""",
        [pairs, json.loads(json.dumps(bp.rule_table()))],
    )
    for (s, d), answers in zip(pairs, got, strict=True):
        for known, answer in zip([False, True], answers, strict=False):
            expected = bp.classify(s, d, known)
            assert answer == expected._asdict(), (s, d, known)
        unknown = answers[2]
        assert unknown["category"] == bp.classify(s, d, False).category
        if unknown["referral"] is not None:
            assert unknown["referral"] == bp.classify(s, d, False).referral
    visits = [
        [(142, 88)],
        [(142, 88), (136, 84)],
        [(142, 88), (137, 83)],
        [(139, 90), (140, 89), (141, 91)],
        [(120, 80), (159, 99)],
    ]
    got = page.evaluate(
        "([visits, rule]) => visits.map(v => deskRule.visitValue(rule, v))",
        [visits, bp.rule_table()],
    )
    assert got == [bp.visit_value(v)._asdict() for v in visits]
    minor = page.evaluate(
        "(rule) => deskRule.classify(rule, 190, 120, false, false)", bp.rule_table()
    )
    assert minor == bp.classify(190, 120, False, age=12)._asdict()
