"""Urgent referrals on the pages: the home page's first block, the queue (first, filtered by the
follow-up items), the follow-up page with its phone reveal, and the ledger's marked rows."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from healthedu.audit.models import AuditEntry
from healthedu.screening.models import Referral
from healthedu.screening.services import reading_create
from tests.factories import make_event, make_resident
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def referral_of(user, event, resident, systolic, diastolic=96):
    reading = reading_create(
        user=user,
        data={"resident": resident, "event": event, "systolic": systolic, "diastolic": diastolic},
    )
    return Referral.objects.get(visit=reading.visit)


@pytest.fixture
def referrals(community_a, community_b, educator_a, educator_b):
    event = make_event(
        community_a, kind="bp_screening", starts_at=NOW - dt.timedelta(hours=1), hours=1
    )
    urgent = referral_of(
        educator_a, event, make_resident(community_a, name="赵大爷", phone=PHONE), 188, 112
    )
    ordinary = referral_of(educator_a, event, make_resident(community_a, name="钱阿姨"), 152)
    elsewhere_event = make_event(
        community_b, kind="bp_screening", starts_at=NOW - dt.timedelta(hours=1), hours=1
    )
    elsewhere = referral_of(
        educator_b, elsewhere_event, make_resident(community_b, name="孙奶奶"), 190, 115
    )
    return urgent, ordinary, elsewhere


def test_home_heads_with_the_open_urgent_referrals_in_reach(page_client, educator_a, referrals):
    urgent, ordinary, elsewhere = referrals
    client = page_client(educator_a)
    body = client.get("/").content.decode()
    block = body.split('id="urgent-referrals"')[1].split("</section>")[0]
    assert body.index('id="urgent-referrals"') < body.index('id="progress-h"')
    assert "赵大爷" in block and "188/112" in block
    assert f"/bp/referrals/{urgent.pk}/follow-up/" in block
    assert "钱阿姨" not in block and "孙奶奶" not in body
    assert "紧急转诊" in block or "三级" in block

    # Not reached: still there, marked; reached and recorded: gone.
    today = timezone.localdate().isoformat()
    tried = client.post(
        f"/bp/referrals/{urgent.pk}/follow-up/",
        {
            "followed_up_on": today,
            "reached": "false",
            "next_follow_up_on": today,
            "outcome": "无人接听",
        },
    )
    assert tried.status_code == 302
    block = client.get("/").content.decode().split('id="urgent-referrals"')[1]
    assert "赵大爷" in block.split("</section>")[0] and "未联系上" in block
    client.post(
        f"/bp/referrals/{urgent.pk}/follow-up/",
        {"followed_up_on": today, "reached": "true", "seen_by_doctor": "true", "outcome": "已就诊"},
    )
    assert 'id="urgent-referrals"' not in client.get("/").content.decode()


def test_queue_lists_urgent_first_and_filters_by_the_follow_up_items(
    page_client, educator_a, referrals
):
    urgent, ordinary, _elsewhere = referrals
    client = page_client(educator_a)
    body = client.get("/bp/referrals/").content.decode()
    assert body.index("赵大爷") < body.index("钱阿姨") and "孙奶奶" not in body
    assert 'class="urgent"' in body
    today = timezone.localdate().isoformat()
    client.post(
        f"/bp/referrals/{ordinary.pk}/follow-up/",
        {
            "followed_up_on": today,
            "reached": "false",
            "next_follow_up_on": today,
            "outcome": "关机",
        },
    )
    not_reached = client.get("/bp/referrals/", {"show": "open", "reached": "false"})
    text = not_reached.content.decode()
    assert "钱阿姨" in text and "赵大爷" not in text and "未联系上" in text
    unknown = client.get("/bp/referrals/", {"reached": "unknown"}).content.decode()
    assert "赵大爷" in unknown and "钱阿姨" not in unknown
    urgent_only = client.get("/bp/referrals/", {"urgency": "urgent"}).content.decode()
    assert "赵大爷" in urgent_only and "钱阿姨" not in urgent_only


def test_follow_up_page_records_the_items_and_names_the_field_at_fault(
    page_client, educator_a, referrals
):
    urgent = referrals[0]
    client = page_client(educator_a)
    today = timezone.localdate().isoformat()
    refused = client.post(
        f"/bp/referrals/{urgent.pk}/follow-up/",
        {
            "followed_up_on": today,
            "reached": "true",
            "seen_by_doctor": "false",
            "diagnosis_confirmed": "true",
            "outcome": "确诊",
        },
    )
    assert refused.status_code == 200
    assert "diagnosis_confirmed" in refused.context["form"].errors
    assert Referral.objects.get(pk=urgent.pk).status == "open"
    done = client.post(
        f"/bp/referrals/{urgent.pk}/follow-up/",
        {
            "followed_up_on": today,
            "reached": "true",
            "seen_by_doctor": "true",
            "diagnosis_confirmed": "true",
            "treatment_started": "true",
            "next_follow_up_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "outcome": "确诊，已服药",
        },
    )
    assert done.status_code == 302
    stored = Referral.objects.get(pk=urgent.pk)
    assert (stored.status, stored.seen_by_doctor, stored.diagnosis_confirmed) == (
        "followed_up",
        True,
        True,
    )
    assert stored.treatment_started is True and stored.next_follow_up_on is not None
    done_list = client.get("/bp/referrals/", {"show": "done"}).content.decode()
    assert "赵大爷" in done_list and "确诊，已服药" in done_list


def test_the_phone_is_shown_once_with_a_tel_link_after_a_reason(page_client, educator_a, referrals):
    urgent = referrals[0]
    client = page_client(educator_a)
    page = client.get(f"/bp/referrals/{urgent.pk}/follow-up/")
    body = page.content.decode()
    assert PHONE not in body and "139****5678" in body and 'id="reveal-form"' in body
    assert page["Cache-Control"] == "no-store"

    no_reason = client.post(f"/bp/referrals/{urgent.pk}/reveal-phone/", {"reason": ""})
    assert no_reason.status_code == 400 and PHONE not in no_reason.content.decode()

    shown = client.post(f"/bp/referrals/{urgent.pk}/reveal-phone/", {"reason": "紧急转诊电话随访"})
    body = shown.content.decode()
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert f'href="tel:{PHONE}"' in body
    assert urgent.resident.id_number_masked not in body  # never the ID number here
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.user == educator_a and "紧急转诊电话随访" in entry.note
    # Once: the next load of the page shows it masked again.
    assert PHONE not in client.get(f"/bp/referrals/{urgent.pk}/follow-up/").content.decode()
    # A GET of the reveal route shows nothing either.
    assert client.get(f"/bp/referrals/{urgent.pk}/reveal-phone/").status_code == 302


def test_reveal_page_refuses_over_the_limit_out_of_reach_and_leaders(
    page_client, educator_a, leader, referrals, settings
):
    urgent, _ordinary, elsewhere = referrals
    settings.HEALTHEDU = {**settings.HEALTHEDU, "PHONE_REVEALS_PER_DAY": 1}
    client = page_client(educator_a)
    url = f"/bp/referrals/{urgent.pk}/reveal-phone/"
    assert client.post(url, {"reason": "随访"}).status_code == 200
    over = client.post(url, {"reason": "再次随访"})
    assert over.status_code == 429
    assert PHONE not in over.content.decode() and "每日上限" in over.content.decode()
    away = client.post(f"/bp/referrals/{elsewhere.pk}/reveal-phone/", {"reason": "随访"})
    assert away.status_code == 404
    assert page_client(leader).post(url, {"reason": "随访"}).status_code == 403
    assert AuditEntry.objects.filter(action="reveal").count() == 1


def test_followed_up_referral_has_no_reveal_button(page_client, educator_a, referrals):
    urgent = referrals[0]
    client = page_client(educator_a)
    client.post(
        f"/bp/referrals/{urgent.pk}/follow-up/",
        {
            "followed_up_on": timezone.localdate().isoformat(),
            "reached": "true",
            "outcome": "已就诊",
        },
    )
    body = client.get(f"/bp/referrals/{urgent.pk}/follow-up/").content.decode()
    assert 'id="reveal-form"' not in body
    refused = client.post(f"/bp/referrals/{urgent.pk}/reveal-phone/", {"reason": "随访"})
    assert refused.status_code == 400 and PHONE not in refused.content.decode()


def test_the_ledger_marks_urgent_rows_in_pdf_and_excel(educator_a, community_a, referrals):
    import openpyxl
    from pypdf import PdfReader

    from reports.ledger import build_ledger
    from reports.pdf import render_ledger_pdf
    from reports.xlsx import render_ledger_xlsx

    month = timezone.localtime(referrals[0].visit.started_at).date().replace(day=1)
    ledger = build_ledger(community=community_a, month=month, made_by="李健")
    book = openpyxl.load_workbook(io.BytesIO(render_ledger_xlsx(ledger)))
    sheet = book["血压测量"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    urgent_row, ordinary_row = rows["赵大爷"], rows["钱阿姨"]
    assert urgent_row[10].value == "！紧急转诊" and urgent_row[10].font.bold
    assert urgent_row[0].fill.fgColor.rgb.endswith("FFE3E3")
    assert ordinary_row[10].value == "建议转诊" and not ordinary_row[10].font.bold
    assert not (ordinary_row[0].fill.fgColor.rgb or "").endswith("FFE3E3")
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_ledger_pdf(ledger))).pages
    )
    assert re.search(r"！\s*紧急转诊", text) and "建议转诊" in text
