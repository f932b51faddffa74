import datetime as dt

import pytest
from django.utils import timezone

from healthedu.activities.attendance import attendance_check_in
from healthedu.jobs.models import Job
from tests.factories import make_event, make_resident
from tests.web.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_progress_bar_follows_a_running_job_until_it_ends(new_page, educator_a, community_a):
    job = Job.objects.create(
        kind="resident_import",
        status="running",
        progress=40,
        created_by=educator_a,
        community=community_a,
    )
    page = new_page(educator_a)
    page.goto(f"/jobs/{job.pk}/")
    bar = page.locator("#job-progress")
    assert bar.get_attribute("aria-valuenow") == "40"
    # Drawn by job.js, not by a style= attribute in the page (the CSP would block that).
    filled = bar.locator("span").bounding_box()["width"] / bar.bounding_box()["width"]
    assert filled == pytest.approx(0.40, abs=0.01)
    assert bar.locator("span").get_attribute("style") == "width: 40%;"
    Job.objects.filter(pk=job.pk).update(progress=75)
    page.locator("#job-progress[aria-valuenow='75']").wait_for()
    result = {
        "total_rows": 2,
        "imported": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "error_count": 1,
        "errors": [
            {"row": 3, "serial": "2", "field": "name", "column": "姓名", "reason": "缺少姓名。"}
        ],
    }
    Job.objects.filter(pk=job.pk).update(status="done", progress=100, result=result)
    page.locator("#job-result").wait_for()
    assert "缺少姓名" in page.locator("#row-errors").inner_text()


def test_every_educator_page_fits_a_phone(new_page, educator_a, community_a):
    event = make_event(
        community_a,
        kind="bp_screening",
        title="社区义诊测血压",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        hours=1,
    )
    person = make_resident(community_a, name="欧阳秀兰", age=72)
    attendance_check_in(user=educator_a, event=event, resident=person)
    page = new_page(educator_a, phone=True)
    pages = {
        "home": "/",
        "calendar": "/activities/",
        "activity": f"/activities/{event.pk}/?q=欧阳",
        "activity-form": "/activities/new/",
        "bp-sheet": f"/bp/screenings/{event.pk}/",
        "referrals": "/bp/referrals/",
        "resident-form": "/residents/new/",
        "surveys": "/surveys/",
        "ledger": "/ledger/",
    }
    for name, path in pages.items():
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        screenshot(page, f"phone-{name}")
