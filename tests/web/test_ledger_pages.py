import datetime as dt

import pytest
from django.utils import timezone

from healthedu.jobs.models import Job
from reports.models import PeriodLock
from tests.factories import make_event
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_ledger_page_shows_the_checks(page_client, educator_a, community_a):
    make_event(
        community_a,
        title="未写总结的讲座",
        starts_at=NOW - dt.timedelta(hours=3),
        status="held",
        hours=1,
    )
    body = (
        page_client(educator_a)
        .get(f"/ledger/?community={community_a.pk}&month={this_month()}")
        .content.decode()
    )
    assert 'id="ledger-checks"' in body and "未写总结的讲座" in body
    # Each check says what to do about it; none of them is printed on the ledger.
    assert "处理办法：" in body and "请在活动记录中填写活动总结评价。" in body


def test_make_a_ledger_then_download_it(
    page_client, educator_a, community_a, django_capture_on_commit_callbacks
):
    client = page_client(educator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/ledger/make/", {"community": community_a.pk, "month": this_month(), "format": "xlsx"}
        )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/api/jobs/{job.pk}/file/" in page
    listing = client.get(
        f"/ledger/?community={community_a.pk}&month={this_month()}"
    ).content.decode()
    assert f"/api/jobs/{job.pk}/file/" in listing
    download = client.get(f"/api/jobs/{job.pk}/file/")
    assert download.status_code == 200 and "spreadsheetml" in download["Content-Type"]


def test_finalise_locks_the_month_and_makes_its_final_ledger(
    page_client, educator_a, community_a, django_capture_on_commit_callbacks
):
    client = page_client(educator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/ledger/finalise/", {"community": community_a.pk, "month": this_month()}
        )
    assert PeriodLock.objects.filter(community=community_a, active=True).exists()
    # As through the API, the month's ledger is made at once; the page shows its progress.
    job = Job.objects.get(kind="ledger")
    assert job.params == {"community": community_a.pk, "month": this_month(), "format": "pdf"}
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    body = client.get(f"/ledger/?community={community_a.pk}&month={this_month()}").content.decode()
    assert "/ledger/finalise/" not in body and f"/api/jobs/{job.pk}/file/" in body


def test_ledger_of_another_community_cannot_be_made_or_finalised(
    page_client, educator_b, community_a
):
    client = page_client(educator_b)
    client.post(
        "/ledger/make/", {"community": community_a.pk, "month": this_month(), "format": "pdf"}
    )
    client.post("/ledger/finalise/", {"community": community_a.pk, "month": this_month()})
    assert not Job.objects.exists() and not PeriodLock.objects.exists()


def test_leader_sees_the_ledger_page_without_controls_and_gets_403_on_posts(
    page_client, leader, community_a
):
    client = page_client(leader)
    body = client.get(f"/ledger/?community={community_a.pk}").content.decode()
    assert "/ledger/make/" not in body and "/ledger/finalise/" not in body
    assert (
        client.post("/ledger/make/", {"community": community_a.pk, "format": "pdf"}).status_code
        == 403
    )
    assert client.post("/ledger/finalise/", {"community": community_a.pk}).status_code == 403


def test_only_an_admin_unlocks_with_a_reason(page_client, educator_a, admin_user, community_a):
    page_client(educator_a).post(
        "/ledger/finalise/", {"community": community_a.pk, "month": this_month()}
    )
    data = {"community": community_a.pk, "month": this_month(), "reason": "补录漏登的讲座"}
    assert page_client(educator_a).post("/ledger/unlock/", data).status_code == 403
    admin = page_client(admin_user)
    admin.post("/ledger/unlock/", {**data, "reason": ""})
    assert PeriodLock.objects.get().active
    admin.post("/ledger/unlock/", data)
    assert not PeriodLock.objects.get().active
