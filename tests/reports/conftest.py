"""A designed month for the ledger tests: October 2026 in community A, with its boundaries.

Residents of A: 王秀英 (F, 70: elderly + women), 李明 (M, 20: youth), 赵强 (M, 40: general),
陈芳 (F, 30, migrant: women + migrant). Activities (all in A unless said):
  e1 lecture 高血压防治讲座, 10 Oct, held, topic hypertension, residents 1–3 + 2 QR walk-ins
     (walk_ins 2), print and AV materials, photo + sign-in sheet archived, summary given
  e2 lecture "=cmd()", 20 Oct, held, no topic, no summary, resident 4, walk_ins 3 not signed
  e3 consultation 控烟咨询, 15 Oct, held, topic tobacco control, nobody
  e4 board update, 5 Oct, held
  outside the ledger: a lecture on 30 Sep 23:30, one on 1 Nov 00:00, a cancelled one in
  October, a planned one on 25 Oct (still planned → a check), and a lecture in community B.
Readings in October: 150/95 (王秀英, grade 1, referral), 185/100 (赵强, grade 3, urgent),
118/76 (李明, normal); one in September. Survey responses in October: 王秀英 aware + formed,
李明 not aware + formed, 陈芳 aware + not formed; one response in September.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from healthedu.activities.models import Attendance, WalkIn
from tests.factories import TZ, make_event, make_reading, make_resident, make_response, make_survey

MONTH = dt.date(2026, 10, 1)
PHONES = ["13912345001", "13912345002", "13912345003", "13912345004"]


@pytest.fixture(autouse=True)
def _chinese():
    """Each test in the product's language: a request with Accept-Language: en activates English
    for the thread, which would leak into the next test's labels."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


def at(month, day, hour=9, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def attend(event, residents, minutes=5):
    for n, resident in enumerate(residents):
        attendance = Attendance.objects.create(event=event, resident=resident)
        Attendance.objects.filter(pk=attendance.pk).update(
            checked_in_at=event.starts_at + dt.timedelta(minutes=minutes + n)
        )


def job_download(api, user, capture, url, params, *, now):
    """Ask for a file through the API at the moment `now`, run its job, and return the file's
    response (its content streams)."""
    with time_machine.travel(now, tick=False):
        with capture(execute=True):
            response = api(user).post(url, params, format="json")
        assert response.status_code == 202, response.content
        job = api(user).get(f"/api/jobs/{response.json()['id']}/").json()
        assert job["status"] == "done", job
        return api(user).get(f"/api/jobs/{job['id']}/file/")


@pytest.fixture
def october(community_a, community_b, admin_user):
    on = dt.date(2026, 10, 10)
    r1 = make_resident(community_a, name="王秀英", sex="F", age=70, on=on, phone=PHONES[0])
    r2 = make_resident(community_a, name="李明", sex="M", age=20, on=on, phone=PHONES[1])
    r3 = make_resident(community_a, name="赵强", sex="M", age=40, on=on, phone=PHONES[2])
    r4 = make_resident(
        community_a, name="陈芳", sex="F", age=30, on=on, phone=PHONES[3], is_migrant=True
    )
    e1 = make_event(
        community_a,
        title="高血压防治讲座",
        starts_at=at(10, 10),
        topics=["hypertension"],
        venue="社区活动室",
        organiser="社区卫生服务站",
        walk_ins=2,
        summary="居民参与积极。",
        content="讲解高血压的危害与防治。",
        recorder="李健",
        responsible="王主任",
        recorded_on=dt.date(2026, 10, 10),
        target_groups=["elderly"],
        materials=[("高血压防治折页", 50, "print"), ("控烟宣传片", 1, "av")],
        attachments=["photo", "sign_in"],
        status="held",
    )
    attend(e1, [r1, r2, r3])
    WalkIn.objects.create(event=e1, name="张三")
    WalkIn.objects.create(event=e1, name="")
    e2 = make_event(
        community_a, title="=cmd()", starts_at=at(10, 20), walk_ins=3, venue="@venue", status="held"
    )
    attend(e2, [r4])
    e3 = make_event(
        community_a,
        kind="consultation",
        title="控烟咨询",
        starts_at=at(10, 15),
        topics=["tobacco_control"],
        summary="咨询 0 人。",
        status="held",
        venue="",
    )
    e4 = make_event(
        community_a,
        kind="board_update",
        title="十月宣传栏",
        starts_at=at(10, 5),
        venue="1号宣传栏",
        summary="更新。",
        status="held",
    )
    make_event(
        community_a,
        title="九月讲座",
        starts_at=at(9, 30, 23, 30),
        hours=1,
        topics=["hypertension"],
        summary="x",
        status="held",
        venue="",
    )
    make_event(
        community_a,
        title="十一月讲座",
        starts_at=at(11, 1, 0, 0),
        topics=["hypertension"],
        summary="x",
        status="held",
        venue="",
    )
    make_event(community_a, title="取消的讲座", starts_at=at(10, 12), status="cancelled", venue="")
    make_event(community_a, title="计划中的讲座", starts_at=at(10, 25), status="planned", venue="")
    make_event(
        community_b,
        title="春晖社区讲座",
        starts_at=at(10, 11),
        topics=["hypertension"],
        summary="x",
        status="held",
        venue="",
    )

    make_reading(r1, 150, 95, on=dt.date(2026, 10, 10), at="10:00")
    make_reading(r3, 185, 100, on=dt.date(2026, 10, 10), at="10:05")
    make_reading(r2, 118, 76, on=dt.date(2026, 10, 10), at="10:10")
    make_reading(r1, 130, 85, on=dt.date(2026, 9, 20), at="10:00")

    survey = make_survey(community_a, user=admin_user)
    make_response(survey, r1, [0, 0, 0], on=dt.date(2026, 10, 10))
    make_response(survey, r2, [0, 1, 0], on=dt.date(2026, 10, 11))
    make_response(survey, r4, [0, 0, 1], on=dt.date(2026, 10, 12))
    make_response(survey, r3, [0, 0, 0], on=dt.date(2026, 9, 12))
    return SimpleNamespace(
        community=community_a, residents=[r1, r2, r3, r4], events=[e1, e2, e3, e4], survey=survey
    )
