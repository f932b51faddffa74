"""In Chromium: the admin says why a finalised month's activity is not deleted or changed."""

import pytest

from reports.models import PeriodLock
from tests.admin.conftest import LOCKED
from tests.reports.conftest import MONTH, october  # noqa: F401  (the designed month)
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_admin_shows_the_lock_when_deleting_or_changing(new_page, admin_user, october):  # noqa: F811
    event = october.events[0]
    PeriodLock.objects.create(community=october.community, month=MONTH, locked_by=admin_user)
    page = new_page(admin_user)

    page.goto(f"/admin/activities/event/{event.pk}/delete/")
    page.wait_for_url(f"**/admin/activities/event/{event.pk}/change/")
    error = page.locator(".messagelist .error")
    assert LOCKED in error.inner_text()
    screenshot(page, "admin-locked-delete")

    page.fill("#id_title", "改过的讲座")
    page.click("input[name=_save]")
    assert (
        LOCKED
        in page.locator(".errornote + ul.errorlist, ul.errorlist.nonfield").first.inner_text()
    )
    screenshot(page, "admin-locked-change")
    event.refresh_from_db()
    assert event.title == "高血压防治讲座"
