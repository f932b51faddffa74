"""On a phone: the urgent referral heads the home page; the educator reveals the number with a
reason, calls it (a tel: link), records the follow-up, and the home page no longer lists it."""

import datetime as dt

import pytest
from django.utils import timezone

from healthedu.audit.models import AuditEntry
from healthedu.screening.models import Referral
from healthedu.screening.services import reading_create
from tests.factories import make_event, make_resident
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = "13912345678"


def test_urgent_referral_from_home_to_call_to_follow_up(new_page, educator_a, community_a):
    event = make_event(
        community_a, kind="bp_screening", starts_at=timezone.now() - dt.timedelta(hours=1), hours=1
    )
    resident = make_resident(community_a, name="赵大爷", age=72, phone=PHONE)
    for systolic, diastolic in ((188, 112), (184, 110)):
        reading_create(
            user=educator_a,
            data={
                "resident": resident,
                "event": event,
                "systolic": systolic,
                "diastolic": diastolic,
            },
        )
    referral = Referral.objects.get()
    assert referral.urgency == "urgent"

    page = new_page(educator_a, phone=True)
    page.goto("/")
    block = page.locator("#urgent-referrals")
    assert block.is_visible() and "赵大爷" in block.inner_text()
    assert "186/111" in block.inner_text()
    screenshot(page, "home-urgent-referral")
    block.get_by_role("link", name="赵大爷").click()
    page.wait_for_url(f"**/bp/referrals/{referral.pk}/follow-up/")
    assert PHONE not in page.content() and "139****5678" in page.content()

    page.get_by_label("查看号码的原因").fill("紧急转诊，电话通知就医")
    page.get_by_role("button", name="查看完整号码").click()
    call = page.locator("#revealed-phone")
    call.wait_for()
    assert call.get_attribute("href") == f"tel:{PHONE}" and PHONE in call.inner_text()
    screenshot(page, "referral-phone-revealed")
    assert AuditEntry.objects.get(action="reveal").note.endswith("紧急转诊，电话通知就医")

    form = page.locator("#follow-up-form")
    form.locator("#id_followed_up_on").fill(timezone.localdate().isoformat())
    form.locator("fieldset", has_text="是否联系上").get_by_label("是", exact=True).check()
    form.locator("fieldset", has_text="是否就诊").get_by_label("是", exact=True).check()
    form.locator("fieldset", has_text="是否确诊").get_by_label("是", exact=True).check()
    form.locator("fieldset", has_text="是否开始治疗").get_by_label("是", exact=True).check()
    form.get_by_label("结果").fill("家庭医生当日上门复测，确诊，已开始服药")
    form.get_by_role("button", name="保存").click()
    page.wait_for_url("**/bp/referrals/")
    assert "赵大爷" in page.content()

    stored = Referral.objects.get()
    assert stored.status == "followed_up" and stored.reached is True
    assert stored.seen_by_doctor and stored.diagnosis_confirmed and stored.treatment_started
    page.goto("/")
    assert page.locator("#urgent-referrals").count() == 0
    assert PHONE not in page.content()
