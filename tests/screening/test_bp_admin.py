"""The admin shows readings and referrals masked and read-only."""

import pytest

from healthedu.screening.models import BPReading, Referral
from tests.factories import make_resident

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]
PHONE = "13812345678"


def test_admin_lists_readings_and_referrals_masked_and_read_only(
    api, page_client, educator_a, admin_user, community_a
):
    resident = make_resident(community_a, phone=PHONE)
    response = api(educator_a).post(
        "/api/bp-readings/",
        {
            "resident": resident.pk,
            "systolic": 150,
            "diastolic": 85,
            "measured_at": "2026-10-17T09:30:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201
    client = page_client(admin_user)
    reading, referral = BPReading.objects.get(), Referral.objects.get()
    for url in (
        "/admin/screening/bpreading/",
        f"/admin/screening/bpreading/{reading.pk}/change/",
        "/admin/screening/referral/",
        f"/admin/screening/referral/{referral.pk}/change/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "138****5678" in html and PHONE not in html
    assert client.get("/admin/screening/bpreading/add/").status_code == 403
    post = client.post(f"/admin/screening/bpreading/{reading.pk}/change/", {"systolic": 120})
    assert post.status_code == 403
    assert BPReading.objects.get().systolic == 150
