"""Finalising a month locks its records; only an admin unlocks, with a reason in the audit log,
and the month's next ledger notes it."""

import io

import pytest
from pypdf import PdfReader

from healthedu.audit.models import Action, AuditEntry
from healthedu.locking import PeriodLocked, ensure_period_open
from reports.ledger import build_ledger
from reports.models import PeriodLock
from tests.reports.conftest import MONTH, at

pytestmark = pytest.mark.django_db


def finalise(api, user, community="A01", month="2026-10"):
    return api(user).post(
        "/api/reports/finalise/", {"community": community, "month": month}, format="json"
    )


def unlock(api, user, reason="补录一场讲座的签到", community="A01", month="2026-10"):
    return api(user).post(
        "/api/reports/unlock/",
        {"community": community, "month": month, "reason": reason},
        format="json",
    )


def test_educator_finalises_and_the_months_records_are_refused(
    api, educator_a, october, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = finalise(api, educator_a)
    assert response.status_code == 200, response.content
    assert response.json()["active"] is True and response.json()["month"] == "2026-10"
    job = api(educator_a).get(f"/api/jobs/{response.json()['ledger_job']['id']}/").json()
    assert job["status"] == "done" and job["file"]  # the final ledger, made at once
    lock = PeriodLock.objects.get()
    assert AuditEntry.objects.filter(action=Action.LOCK, object_id=str(lock.pk)).count() == 1

    with pytest.raises(PeriodLocked):
        ensure_period_open(october.community.pk, at(10, 15))
    ensure_period_open(october.community.pk, at(11, 1, 0, 0))  # November stays open

    event = october.events[0]
    changed = api(educator_a).patch(f"/api/events/{event.pk}/", {"title": "改名"}, format="json")
    assert changed.status_code == 409
    assert "2026-10" in changed.json()["detail"]

    again = finalise(api, educator_a)  # idempotent
    assert again.status_code == 200 and PeriodLock.objects.count() == 1


def test_leader_cannot_finalise_and_b_cannot_name_a(api, leader, educator_b, october):
    assert finalise(api, leader).status_code == 403
    response = finalise(api, educator_b)
    assert response.status_code == 400 and "community" in response.json()
    assert not PeriodLock.objects.exists()


@pytest.mark.parametrize("month", ["2099-01", "2026-13", "10/2026", ""])
def test_bad_or_future_month_is_refused(api, educator_a, community_a, month):
    response = finalise(api, educator_a, month=month)
    assert response.status_code == 400
    assert "month" in response.json()


def test_only_an_admin_unlocks_with_a_reason_and_the_next_ledger_notes_it(
    api, educator_a, leader, admin_user, october
):
    finalise(api, educator_a)
    assert unlock(api, educator_a).status_code == 403
    assert unlock(api, leader).status_code == 403
    blank = unlock(api, admin_user, reason="  ")
    assert blank.status_code == 400 and "reason" in blank.json()

    response = unlock(api, admin_user)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["active"] is False and body["unlock_reason"] == "补录一场讲座的签到"
    entry = AuditEntry.objects.get(action=Action.UNLOCK)
    assert (entry.user, entry.note, entry.model) == (
        admin_user,
        "补录一场讲座的签到",
        "reports.PeriodLock",
    )
    ensure_period_open(october.community.pk, at(10, 15))  # writable again

    ledger = build_ledger(community=october.community, month=MONTH)
    assert [(n.reason, n.unlocked_by) for n in ledger.unlocks] == [("补录一场讲座的签到", "admin")]
    assert ledger.finalised is False
    from reports.pdf import render_ledger_pdf

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_ledger_pdf(ledger))).pages)
    assert "补录一场讲座的签到" in text.replace(" ", "")

    assert unlock(api, admin_user).status_code == 400  # nothing left to unlock
    assert finalise(api, educator_a).json()["active"] is True  # and it can be finalised again


def test_lock_list_is_scoped(api, educator_a, educator_b, admin_user, october):
    finalise(api, educator_a)
    assert api(educator_a).get("/api/reports/locks/").json()["count"] == 1
    assert api(educator_b).get("/api/reports/locks/").json()["count"] == 0
    assert api(admin_user).get("/api/reports/locks/").json()["results"][0]["community"] == "A01"


def test_finalising_from_the_page_also_makes_the_final_ledger(
    page_client, educator_a, october, django_capture_on_commit_callbacks
):
    from healthedu.jobs.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(educator_a).post(
            "/ledger/finalise/", {"community": october.community.pk, "month": "2026-10"}
        )
    assert response.status_code == 302
    assert PeriodLock.objects.filter(active=True).count() == 1
    job = Job.objects.get(kind="ledger")
    assert job.status == "done" and job.file
