"""The leader's drill-down into a community's activities comes in pages."""

import datetime as dt

import pytest

from tests.factories import make_event
from tests.web.helpers import NOW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("count", "first_page", "pages"), [(0, 0, 1), (25, 25, 1), (26, 25, 2)])
def test_drill_down_activities_are_paginated(
    page_client, leader, community_a, count, first_page, pages
):
    for i in range(count):
        # Two hours apart: one venue is never booked twice at once (PostgreSQL refuses it).
        make_event(
            community_a,
            title=f"讲座{i:03d}",
            starts_at=NOW - dt.timedelta(hours=2 * (i + 1)),
            hours=1,
        )
    client = page_client(leader)
    response = client.get(f"/dashboard/?community={community_a.pk}")
    body = response.content.decode()
    assert body.count("讲座0") == first_page
    assert response.context["page"].paginator.num_pages == pages
    assert ('class="pager"' in body) == (pages > 1)
    if pages > 1:
        assert f"community={community_a.pk}&amp;page=2" in body
        second = client.get(f"/dashboard/?community={community_a.pk}&page=2").content.decode()
        assert second.count("讲座0") == count - first_page
