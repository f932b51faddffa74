"""One rule, every place: the progress API, the ledger's figures, the leaders' summary (JSON and
page) and the educator's home page say the same met and the same reasons."""

import datetime as dt
import html
import io

import openpyxl
import pytest
import time_machine

from tests.factories import TZ, make_event

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 31, 12, 0, tzinfo=TZ)


@pytest.fixture
def shortfalls(community_a):
    """Lectures in every month but March up to October; board 1 last updated 1 August (overdue
    from 1 October), board 2 kept; meetings in Q1 and Q3 only (Q2 missed)."""
    for month in range(1, 11):
        if month != 3:
            make_event(
                community_a,
                title=f"{month}月讲座",
                starts_at=dt.datetime(2026, month, 6, 9, 0, tzinfo=TZ),
                topics=["hypertension"],
                summary="x",
                status="held",
                venue="",
            )
    for day in [(2026, 1, 3), (2026, 2, 20), (2026, 4, 10), (2026, 6, 1), (2026, 8, 1)]:
        make_event(
            community_a,
            kind="board_update",
            title="宣传栏",
            venue="1号宣传栏",
            starts_at=dt.datetime(*day, 14, 0, tzinfo=TZ),
            summary="x",
            status="held",
        )
    day = dt.date(2026, 1, 2)
    while day < dt.date(2026, 10, 31):
        make_event(
            community_a,
            kind="board_update",
            title="宣传栏",
            venue="2号宣传栏",
            starts_at=dt.datetime(day.year, day.month, day.day, 15, 0, tzinfo=TZ),
            summary="x",
            status="held",
        )
        day += dt.timedelta(days=40)
    for day in [(2026, 2, 1), (2026, 8, 1)]:
        make_event(
            community_a,
            kind="meeting",
            title="领导小组会议",
            starts_at=dt.datetime(*day, 15, 0, tzinfo=TZ),
            summary="x",
            status="held",
            venue="",
        )


def by_kind(rows, key="kind"):
    return {row[key]: row for row in rows}


def test_the_same_reasons_everywhere(
    api,
    page_client,
    educator_a,
    leader,
    community_a,
    shortfalls,
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(NOW, tick=False):
        body = api(educator_a).get("/api/reports/progress/", {"community": "A01"}).json()
        summary = api(leader).get("/api/reports/summary/", {"community": "A01", "year": 2026})
        home = page_client(educator_a).get("/").content.decode()
        dashboard = page_client(leader).get(
            "/dashboard/", {"community": community_a.pk, "year": 2026}
        )
        with django_capture_on_commit_callbacks(execute=True):
            job = api(educator_a).post(
                "/api/reports/ledgers/",
                {"community": "A01", "month": "2026-10", "format": "xlsx"},
                format="json",
            )
        ledger = b"".join(
            api(educator_a).get(f"/api/jobs/{job.json()['id']}/file/").streaming_content
        )
    kinds = by_kind(body["kinds"])
    lecture, board, meeting = kinds["lecture"], kinds["board_update"], kinds["meeting"]
    assert lecture["months_missing"] == ["2026-03"]
    assert board["boards"][0]["overdue_since"] == "2026-10-01"
    assert meeting["periods_missing"] == ["2026-Q2"]
    assert [lecture["met"], board["met"], meeting["met"]] == [False, False, False]
    reasons = [r for row in body["kinds"] for r in row["reasons"]]
    assert "2026-03 未开展健康知识讲座；每月至少应开展一次。" in reasons
    assert any("宣传栏“1号宣传栏”自 2026-10-01 起逾期未更新" in r for r in reasons)
    assert any(
        r.startswith("2026-Q2（2026-04-01 至 2026-06-30）未召开领导小组会议") for r in reasons
    )

    # The summary: the same rows, met and reasons.
    community = summary.json()["communities"][0]
    assert [(k["kind"], k["met"], k["reasons"]) for k in community["compliance"]] == [
        (k["kind"], k["met"], k["reasons"]) for k in body["kinds"]
    ]
    # The pages: every reason in words.
    text = html.unescape(home)
    dashboard_text = html.unescape(dashboard.content.decode())
    for reason in reasons:
        assert reason in text
        assert reason in dashboard_text
    assert "未达标" in text
    # The ledger of October, judged on its last day (today): the same met and reasons.
    sheet = openpyxl.load_workbook(io.BytesIO(ledger))["工作量"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    for row in body["kinds"]:
        if row["minimum"] is None:
            continue
        line = rows[row["label"]]
        assert line[6] == ("是" if row["met"] else "否")
        assert (line[7] or "") == "\n".join(row["reasons"])


def test_the_home_page_says_what_comes_due(page_client, educator_a, community_a):
    for venue, day in (("1号宣传栏", (2026, 9, 1)), ("2号宣传栏", (2026, 10, 20))):
        make_event(
            community_a,
            kind="board_update",
            title="宣传栏",
            venue=venue,
            starts_at=dt.datetime(*day, 14, 0, tzinfo=TZ),
            summary="x",
            status="held",
        )
    # 1 September + 60 days = 31 October: due within ten days from 21 October on, not before.
    with time_machine.travel(dt.datetime(2026, 10, 20, 12, 0, tzinfo=TZ), tick=False):
        before = page_client(educator_a).get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 10, 21, 12, 0, tzinfo=TZ), tick=False):
        after = page_client(educator_a).get("/").content.decode()
    assert 'id="coming-due"' not in before
    assert "宣传栏“1号宣传栏”应在 2026-10-31 前更新。" in html.unescape(after)
