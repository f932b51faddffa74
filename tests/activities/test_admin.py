"""The admin lists activities through the same reach as the API."""

import pytest

from tests.activities.conftest import TODAY
from tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/activities/event/",
        "/admin/activities/series/",
        "/admin/activities/attendance/",
        "/admin/activities/attachment/",
    ],
)
def test_admin_pages_load(page_client, admin_user, community_a, path):
    make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    assert page_client(admin_user).get(path).status_code == 200


def test_admin_event_form_loads(page_client, admin_user, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    assert (
        page_client(admin_user).get(f"/admin/activities/event/{event.pk}/change/").status_code
        == 200
    )


def test_staff_educator_sees_only_events_in_reach(
    page_client, educator_a, community_a, community_b
):
    from django.contrib.auth.models import Permission

    educator_a.is_staff = True
    educator_a.save()
    educator_a.user_permissions.add(Permission.objects.get(codename="view_event"))
    make_event(community_a, title="甲社区讲座", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    make_event(community_b, title="乙社区讲座", on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    text = page_client(educator_a).get("/admin/activities/event/").content.decode()
    assert "甲社区讲座" in text and "乙社区讲座" not in text
