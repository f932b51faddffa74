"""Merging community A into B: records move with their history, reach follows, A is gone;
refused while either has a finalised month."""

import datetime as dt
from decimal import Decimal

import pytest

from healthedu.activities.models import Event
from healthedu.org.models import Community, User
from healthedu.program.models import Target
from reports.models import PeriodLock
from residents.models import Resident
from tests.factories import make_event, make_resident
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db


def merge(api, user, source, into_code):
    return api(user).post(
        f"/api/communities/{source.pk}/merge/", {"into": into_code}, format="json"
    )


def test_merge_moves_records_and_reach_and_removes_the_source(
    api, admin_user, educator_a, educator_b, community_a, community_b
):
    kept = make_resident(community_a, name="甲")
    event = make_event(community_a, starts_at=NOW + dt.timedelta(hours=1), hours=1)
    Target.objects.create(community=community_a, year=2026, knowledge=0.9, behavior=0.8)
    Target.objects.create(community=community_b, year=2026, knowledge=0.85, behavior=0.7)
    Target.objects.create(community=community_a, year=2025, knowledge=0.8, behavior=0.6)
    PeriodLock.objects.create(community=community_a, month=dt.date(2026, 9, 1), active=False)

    response = merge(api, admin_user, community_a, "B01")
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "B01"
    assert not Community.objects.filter(pk=community_a.pk).exists()
    assert Resident.objects.get(pk=kept.pk).community_id == community_b.pk
    assert Event.objects.get(pk=event.pk).community_id == community_b.pk
    # B's own target for 2026 wins; A's 2025 target moves
    assert sorted(
        Target.objects.filter(community=community_b).values_list("year", "knowledge")
    ) == [(2025, Decimal("0.8")), (2026, Decimal("0.85"))]
    fresh = User.objects.get(pk=educator_a.pk)
    names = {r["name"] for r in api(fresh).get("/api/residents/").json()["results"]}
    assert names == {"甲"}


@pytest.mark.parametrize("locked", ["source", "into"])
def test_merge_is_refused_while_a_month_is_locked(
    api, admin_user, community_a, community_b, locked
):
    resident = make_resident(community_a, name="甲")
    PeriodLock.objects.create(
        community=community_a if locked == "source" else community_b, month=dt.date(2026, 10, 1)
    )
    response = merge(api, admin_user, community_a, "B01")
    assert response.status_code == 400 and "2026-10" in response.json()["into"][0]
    assert Community.objects.filter(pk=community_a.pk).exists()
    assert Resident.objects.get(pk=resident.pk).community_id == community_a.pk


@pytest.mark.parametrize(("into", "status"), [("A01", 400), ("NOPE", 400), ("", 400)])
def test_merge_needs_another_existing_community(
    api, admin_user, community_a, community_b, into, status
):
    response = merge(api, admin_user, community_a, into)
    assert response.status_code == status and "into" in response.json()
    assert Community.objects.filter(pk=community_a.pk).exists()


@pytest.mark.parametrize("who", ["educator_a", "leader"])
def test_only_admins_merge(request, api, community_a, community_b, who):
    response = merge(api, request.getfixturevalue(who), community_a, "B01")
    assert response.status_code == 403
    assert Community.objects.filter(pk=community_a.pk).exists()
