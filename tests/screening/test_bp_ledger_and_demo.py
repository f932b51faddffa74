"""What the ledger reads (rows and counts of a community-month) and the demo readings."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from healthedu.activities.models import Attendance
from healthedu.org.reach import Reach
from healthedu.screening.demo import seed_readings
from healthedu.screening.models import BPReading, Referral, Visit
from healthedu.screening.selectors import reading_counts, referral_queue, visit_rows_for_month
from tests.factories import make_event, make_resident
from tests.screening.conftest import SCREENING, SCREENING_DAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]
OCTOBER = dt.date(2026, 10, 1)


def post(api, user, resident, systolic, diastolic, when):
    response = api(user).post(
        "/api/bp-readings/",
        {
            "resident": resident.pk,
            "systolic": systolic,
            "diastolic": diastolic,
            "measured_at": when,
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def test_ledger_rows_are_masked_grouped_as_of_the_reading_and_labelled(
    api, educator_a, community_a, community_b, educator_b
):
    elder = make_resident(community_a, name="张桂兰", sex="F", age=66, phone="13812345678")
    post(api, educator_a, elder, 165, 88, "2026-10-17T09:05:00+08:00")
    post(api, educator_a, elder, 128, 82, "2026-09-30T23:30:00+08:00")  # September
    post(api, educator_b, make_resident(community_b), 150, 90, "2026-10-17T09:06:00+08:00")

    rows = visit_rows_for_month(reach=Reach.everything().narrow([community_a.pk]), month=OCTOBER)
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "张桂兰" and row["phone_masked"] == "138****5678"
    assert "13812345678" not in str(rows)
    assert row["groups"] == ["elderly", "women"] and row["group_labels"] == ["老年人", "妇女"]
    assert (row["category"], row["category_label"]) == ("grade_2", "二级高血压")
    assert row["isolated_systolic"] is True
    assert (row["referral"], row["referral_label"], row["referral_status"]) == (
        "referral",
        "建议转诊",
        "open",
    )

    counts = reading_counts(reach=Reach.everything().narrow([community_a.pk]), month=OCTOBER)
    assert counts["total"] == 1 and counts["by_category"]["grade_2"] == 1
    assert counts["by_category"]["normal"] == 0 and counts["referral_count"] == 1
    assert reading_counts(reach=Reach.everything().narrow([community_a.pk]))["total"] == 2
    assert reading_counts(reach=Reach.everything(), month=OCTOBER)["total"] == 2


def test_overdue_selector(api, educator_a, community_a):
    post(api, educator_a, make_resident(community_a), 150, 85, "2026-10-17T09:05:00+08:00")
    assert (
        list(
            referral_queue(
                reach=Reach.everything().narrow([community_a.pk]), overdue_on=dt.date(2026, 10, 31)
            )
        )
        == []
    )
    assert (
        len(
            referral_queue(
                reach=Reach.everything().narrow([community_a.pk]), overdue_on=dt.date(2026, 11, 1)
            )
        )
        == 1
    )


def test_demo_measures_the_screenings_attendees_deterministically(community_a, community_b):
    people = [make_resident(community_a, age=40 + i) for i in range(30)]
    minor = make_resident(community_a, age=15)
    screening = make_event(
        community_a, starts_at=SCREENING_DAY - dt.timedelta(days=30), **SCREENING
    )
    Attendance.objects.bulk_create([Attendance(event=screening, resident=p) for p in people[:20]])
    make_resident(community_b, age=70)
    today = dt.date(2026, 10, 17)

    stored = seed_readings(communities=[community_a, community_b], today=today)
    at_screening = Visit.objects.filter(event=screening)
    # The 20 attendees, and the minor who came along (checked in, measured, not graded).
    assert at_screening.count() == 21
    assert Attendance.objects.filter(event=screening).count() == 21
    assert at_screening.get(resident=minor).category == "not_graded"
    counts = sorted(at_screening.values_list("reading_count", flat=True))
    assert 1 in counts and 2 in counts  # single readings and pairs
    # The last screening ends with a visit waiting for its third reading.
    pending = at_screening.filter(needs_another=True, reading_count=2)
    assert pending.count() == 1
    assert BPReading.objects.filter(community=community_b).count() > 0
    assert BPReading.objects.count() == stored
    for visit in Visit.objects.prefetch_related("readings"):
        readings = list(visit.readings.all())
        assert len(readings) == visit.reading_count
        assert {(r.category, r.referral) for r in readings} == {(visit.category, visit.referral)}
    assert not Referral.objects.filter(visit__referral="none").exists()
    assert Referral.objects.count() == Visit.objects.exclude(referral="none").count()
    first = list(
        BPReading.objects.order_by("id").values_list("resident_id", "systolic", "diastolic")
    )

    Visit.objects.all().delete()
    seed_readings(communities=[community_a, community_b], today=today)
    again = list(
        BPReading.objects.order_by("id").values_list("resident_id", "systolic", "diastolic")
    )
    assert again == first


def test_seed_demo_has_readings_and_referrals():
    call_command("seed_demo", "--residents", "60", stdout=io.StringIO())
    assert BPReading.objects.count() > 50
    assert Referral.objects.filter(status="open").exists()
    assert Referral.objects.filter(status="followed_up").exists()
    # Visits of one, two and three readings, one still waiting for its third, a lecture with a
    # measurement afterwards.
    assert set(Visit.objects.values_list("reading_count", flat=True)) == {1, 2, 3}
    assert Visit.objects.filter(needs_another=True, reading_count=2).exists()
    assert Visit.objects.filter(event__kind="lecture").exists()


def test_the_ledgers_bp_table_has_one_row_per_visit_and_marks_single_readings(
    api, educator_a, community_a
):
    import openpyxl
    from pypdf import PdfReader

    from reports.ledger import build_ledger
    from reports.pdf import render_ledger_pdf
    from reports.xlsx import render_ledger_xlsx

    twice = make_resident(community_a, name="张桂兰", age=66)
    post(api, educator_a, twice, 142, 88, "2026-10-17T09:05:00+08:00")
    post(api, educator_a, twice, 136, 84, "2026-10-17T09:07:00+08:00")
    once = make_resident(community_a, name="李建国", age=70)
    post(api, educator_a, once, 150, 95, "2026-10-17T09:10:00+08:00")
    minor = make_resident(community_a, name="王小明", age=16)
    post(api, educator_a, minor, 150, 95, "2026-10-17T09:12:00+08:00")
    post(api, educator_a, minor, 148, 96, "2026-10-17T09:14:00+08:00")

    counts = reading_counts(reach=Reach.everything().narrow([community_a.pk]), month=OCTOBER)
    assert (counts["total"], counts["readings"], counts["single"]) == (3, 5, 1)
    assert counts["by_category"]["high_normal"] == 1 and counts["by_category"]["grade_1"] == 1
    assert counts["by_category"]["not_graded"] == 1 and counts["referral_count"] == 1

    ledger = build_ledger(community=community_a, month=OCTOBER, made_by="李健")
    bp = ledger.blood_pressure
    assert [(r.name, r.values, r.systolic, r.diastolic, r.category) for r in bp.readings] == [
        ("张桂兰", ((142, 88), (136, 84)), 139, 86, "high_normal"),
        ("李建国", ((150, 95),), 150, 95, "grade_1"),
        ("王小明", ((150, 95), (148, 96)), 149, 96, "not_graded"),
    ]
    assert [r.single for r in bp.readings] == [False, True, False]
    assert (bp.total, bp.reading_total, bp.single_total, bp.referrals) == (3, 5, 1, 1)

    book = openpyxl.load_workbook(io.BytesIO(render_ledger_xlsx(ledger)))
    sheet = book["血压测量"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "测量读数" in cells[0] and "收缩压（均值）" in cells[0]
    by_name = {row[1]: row for row in cells[1:]}
    assert "142/88、136/84" in by_name["张桂兰"] and 139 in by_name["张桂兰"]
    assert "150/95（单次读数）" in by_name["李建国"]
    assert "未分级（未成年人）" in by_name["王小明"]
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_ledger_pdf(ledger))).pages
    )
    assert "单次读数" in text.replace("\n", "") and "139" in text and "其中仅测一次" in text
