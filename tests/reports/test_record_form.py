"""The activity record form (健康教育活动记录表) in the ledger's files: 接受健康教育人员类别 from the
attendees' groups as of the activity's day (else the planned target groups), and the 存档材料
boxes as SPEC.md names them."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from pypdf import PdfReader

from healthedu.activities.models import WalkIn
from tests.factories import TZ, make_event, make_resident
from tests.reports.conftest import attend

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 5, 12, 0, tzinfo=TZ)


def ledger_file(api, user, capture, fmt):
    with time_machine.travel(NOW, tick=False):
        with capture(execute=True):
            response = api(user).post(
                "/api/reports/ledgers/",
                {"community": "A01", "month": "2026-10", "format": fmt},
                format="json",
            )
        job = api(user).get(f"/api/jobs/{response.json()['id']}/").json()
        assert job["status"] == "done", job
        return b"".join(api(user).get(f"/api/jobs/{job['id']}/file/").streaming_content)


def audience_of(api, user, capture):
    book = openpyxl.load_workbook(io.BytesIO(ledger_file(api, user, capture, "xlsx")))
    sheet = book["活动记录"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("接受健康教育人员类别")
    return {row[3]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(
    ("born", "event_day", "expected"),
    [
        # What is shown of a person follows the birth month (the age reached in that month,
        # residents.groups), so that the printed form does not give away the day of birth:
        # born 31 October 1966, elderly from 1 October 2026; born 1 November, not in October.
        (dt.date(1966, 10, 31), 1, "老年人"),
        (dt.date(1966, 10, 1), 1, "老年人"),
        (dt.date(1966, 11, 1), 31, "一般人群"),
    ],
)
def test_audience_is_the_attendees_groups_on_the_day(
    api, educator_a, community_a, django_capture_on_commit_callbacks, born, event_day, expected
):
    person = make_resident(community_a, name="周建国", sex="M", birth_date=born)
    lecture = make_event(
        community_a,
        title="讲座",
        starts_at=dt.datetime(2026, 10, event_day, 9, 0, tzinfo=TZ),
        topics=["hypertension"],
        summary="x",
        target_groups=["youth"],  # the plan, overruled by who came
        status="held",
        venue="",
    )
    attend(lecture, [person])
    audience = audience_of(api, educator_a, django_capture_on_commit_callbacks)
    assert audience["讲座（高血压）"] == expected


def test_audience_lists_every_group_present_in_order(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    on = dt.date(2026, 10, 10)
    people = [
        make_resident(community_a, name="陈芳", sex="F", age=30, on=on, is_migrant=True),
        make_resident(community_a, name="王秀英", sex="F", age=70, on=on),
    ]
    lecture = make_event(
        community_a,
        title="讲座",
        starts_at=dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ),
        topics=["hypertension"],
        summary="x",
        status="held",
        venue="",
    )
    attend(lecture, people)
    audience = audience_of(api, educator_a, django_capture_on_commit_callbacks)
    assert audience["讲座（高血压）"] == "老年人、妇女、流动人口"


@pytest.mark.parametrize(
    ("targets", "expected"),
    [(["elderly", "women"], "老年人、妇女"), ([], "辖区居民")],
)
def test_with_no_registered_attendee_the_planned_groups(
    api, educator_a, community_a, django_capture_on_commit_callbacks, targets, expected
):
    lecture = make_event(
        community_a,
        title="讲座",
        starts_at=dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ),
        topics=["hypertension"],
        summary="x",
        walk_ins=1,
        target_groups=targets,
        status="held",
        venue="",
    )
    WalkIn.objects.create(event=lecture, name="路人")
    audience = audience_of(api, educator_a, django_capture_on_commit_callbacks)
    assert audience["讲座（高血压）"] == expected


def test_archive_boxes_read_as_the_paper_form(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    make_event(
        community_a,
        title="讲座",
        starts_at=dt.datetime(2026, 10, 10, 9, 0, tzinfo=TZ),
        topics=["hypertension"],
        summary="x",
        attachments=["printed"],
        status="held",
        venue="",
    )
    book = openpyxl.load_workbook(
        io.BytesIO(ledger_file(api, educator_a, django_capture_on_commit_callbacks, "xlsx"))
    )
    sheet = book["活动记录"]
    headers = [c.value for c in sheet[1]]
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    assert (
        row[headers.index("存档材料")]
        == "☐书面材料、☐图片材料、☑印刷材料、☐影音材料、☐签到表、☐其他材料"
    )
    pdf = ledger_file(api, educator_a, django_capture_on_commit_callbacks, "pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert "书面材料图片材料印刷材料影音材料签到表其他材料" in text.replace("\n", "")
