"""Leaders' summary (JSON and files), the make_ledgers command, and the 1st-of-month schedule."""

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from healthedu.jobs.models import Job
from healthedu.schedule import BEAT_SCHEDULE
from tests.factories import TZ, make_response, make_survey

pytestmark = pytest.mark.django_db


def test_summary_json_for_the_street(api, leader, october, community_b, admin_user):
    # A baseline and a follow-up round in A, so that the comparison has both sides.
    survey = make_survey(october.community, user=admin_user)
    r1, r2, r3, _r4 = october.residents
    make_response(survey, r1, [1, 1, 1], on=dt.date(2026, 3, 1), round="baseline")
    make_response(survey, r2, [1, 1, 1], on=dt.date(2026, 3, 1), round="baseline")
    make_response(survey, r3, [0, 0, 0], on=dt.date(2026, 11, 1), round="followup")
    response = api(leader).get("/api/reports/summary/", {"street": "天虹街道", "year": 2026})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "天虹街道"
    assert [c["community"] for c in body["communities"]] == ["A01", "B01"]
    a, b = body["communities"]
    # Each person once, by their latest response of the year: r1 routine Oct (aware), r2 routine
    # Oct (not; their March baseline no longer counts), r3 follow-up Nov (aware), r4 routine Oct
    # (aware): 3 of 4 people, over all three rounds.
    assert (a["knowledge"]["numerator"], a["knowledge"]["denominator"]) == (3, 4)
    assert a["rounds"] == ["followup", "routine"]
    assert body["rounds"] == ["followup", "routine"]
    assert a["knowledge"]["target"] == 0.85
    assert a["knowledge"]["gap"] == pytest.approx(3 / 4 - 0.85, abs=1e-4)
    assert b["knowledge"]["rate"] is None and b["knowledge"]["target"] == 0.85
    months = {t["month"]: t["knowledge"]["denominator"] for t in a["trend"]}
    assert (months["2026-09"], months["2026-10"]) == (1, 3)
    comparison = a["comparison"]["knowledge"]
    assert (comparison["before"]["denominator"], comparison["after"]["denominator"]) == (2, 1)
    assert comparison["change"] == 1.0 and comparison["test"] == "fisher"
    lecture = next(k for k in a["compliance"] if k["kind"] == "lecture")
    assert lecture["minimum"] == 12


def test_summary_of_an_educator_is_cut_to_their_communities(api, educator_a, october, community_b):
    body = api(educator_a).get("/api/reports/summary/", {"street": "天虹街道", "year": 2026}).json()
    assert [c["community"] for c in body["communities"]] == ["A01"]


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_summary_files(api, leader, october, community_b, django_capture_on_commit_callbacks, fmt):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(leader).post(
            "/api/reports/summaries/",
            {"street": "天虹街道", "year": 2026, "format": fmt},
            format="json",
        )
    job = api(leader).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done", job
    content = b"".join(api(leader).get(f"/api/jobs/{job['id']}/file/").streaming_content)
    if fmt == "pdf":
        if os.environ.get("SUMMARY_PDF_OUT"):
            Path(os.environ["SUMMARY_PDF_OUT"]).write_bytes(content)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace(
            " ", ""
        )
        assert "天虹路社区" in text and "春晖社区" in text
    else:
        book = openpyxl.load_workbook(io.BytesIO(content))
        rows = list(book["两率"].iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == ["天虹路社区", "春晖社区"]
        assert rows[0][1:3] == (3, 4)


def test_make_ledgers_command_writes_files_and_prints_job_ids(october, community_b):
    out = io.StringIO()
    call_command("make_ledgers", "--month", "2026-10", stdout=out)
    text = out.getvalue()
    jobs = list(Job.objects.filter(kind="ledger").order_by("community__code"))
    assert [j.community.code for j in jobs] == ["A01", "B01"]
    for job in jobs:
        assert job.status == "done" and job.progress == 100
        assert Path(job.file.path).read_bytes().startswith(b"%PDF")
        assert str(job.pk) in text and job.file.path in text
    assert "100.0%" in text and "2 ledger(s) made." in text


def test_make_ledgers_for_one_community_in_excel(october, community_b):
    call_command(
        "make_ledgers",
        "--month",
        "2026-10",
        "--community",
        "A01",
        "--format",
        "xlsx",
        stdout=io.StringIO(),
    )
    job = Job.objects.get()
    assert job.community.code == "A01" and job.file.name.endswith(".xlsx")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--month", "2026/10"], "YYYY-MM"), (["--month", "2026-10", "--community", "ZZZ"], "ZZZ")],
)
def test_make_ledgers_refuses_bad_arguments(community_a, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("make_ledgers", *args, stdout=io.StringIO())


def test_on_the_first_last_months_ledgers_are_made_for_every_community(
    october, community_b, community_c, django_capture_on_commit_callbacks
):
    entry = BEAT_SCHEDULE["reports-last-month-ledgers"]
    assert entry["task"] == "reports.tasks.make_last_month_ledgers"
    assert entry["schedule"].day_of_month == {1}
    from reports.tasks import make_last_month_ledgers

    first_of_november = dt.datetime(2026, 11, 1, 1, 30, tzinfo=TZ)
    with (
        time_machine.travel(first_of_november, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert make_last_month_ledgers() == 3
    jobs = Job.objects.filter(kind="ledger")
    assert sorted(j.community.code for j in jobs) == ["A01", "B01", "C01"]
    assert {j.params["month"] for j in jobs} == {"2026-10"}
    assert {j.status for j in jobs} == {"done"}
    assert all(j.created_by is None for j in jobs)


def test_a_ledger_job_for_a_vanished_community_fails_with_its_error(
    community_a, django_capture_on_commit_callbacks
):
    from healthedu.jobs.services import job_start

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="ledger", params={"community": 999999, "month": "2026-10", "format": "pdf"}
        )
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "该社区已不存在。"


def test_admin_summary_for_a_district_covers_its_streets(
    api, admin_user, october, community_b, community_c
):
    body = api(admin_user).get("/api/reports/summary/", {"district": "东湖区", "year": 2026}).json()
    assert [c["community"] for c in body["communities"]] == ["A01", "B01", "C01"]
    assert body["title"] == "东湖区"


@pytest.mark.parametrize(
    "params",
    [
        {"year": 2026},
        {"street": "天虹街道", "community": "A01", "year": 2026},
        {"street": "天虹街道"},
        {"street": "9" * 40, "year": 2026},
        {"street": "天虹街道", "year": 1900},
    ],
)
def test_summary_refuses_an_unclear_place_or_year(api, leader, community_a, params):
    assert api(leader).get("/api/reports/summary/", params).status_code == 400


def test_tests_and_p_values_read_as_a_reader_expects():
    from django.utils import translation

    from reports.labels import p_text, test_name

    with translation.override("zh-hans"):
        assert test_name("chi2") == "卡方检验" and test_name("fisher") == "Fisher 精确检验"
    assert p_text(0.0004) == "< 0.001" and p_text(0.0312) == "0.031" and p_text(None) == "—"


def test_a_street_leaders_summary_is_named_after_the_street(
    leader, street, community_a, community_b
):
    from reports.summary import summary_scope

    title, communities = summary_scope(user=leader)
    assert title == street.name and {c.pk for c in communities} == {community_a.pk, community_b.pk}
