"""Ledger benchmark: the monthly ledger PDF against reportlab rendering a bare table of the same rows.

`run()` renders, in one process and one run, (a) the full ledger of `activities` activities with
`rows` sign-in rows in all (forms, rosters, readings, rates, chart, 第 x 页 共 y 页) and (b) a
bare reportlab table of the same roster rows in the same font, and reports the ratio of the
times (target ≤ 1.3) and the peak memory of the ledger at two sizes (tracemalloc), whose
per-row figure should stay flat as the rows grow.

    .venv/bin/python -m bench.ledger            # prints the figures as JSON
"""

import datetime as dt
import gc
import io
import json
import os
import time
import tracemalloc
import zoneinfo

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
GROUPS = ["老年人", "妇女", "青少年", "流动人口", "一般人群"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉梅建国志强海燕丽娟明华春生淑珍文静晓东国庆"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    import django
    from django.conf import settings

    if not settings.configured or not hasattr(settings, "INSTALLED_APPS"):
        django.setup()
    from django.apps import apps

    if not apps.ready:
        django.setup()


def synthetic_ledger(activities: int = 60, rows: int = 3000, readings: int = 200):
    """A believable ledger built in memory (no database): what the builder would hand the renderer."""
    from reports import data

    month = dt.date(2026, 10, 1)
    per, extra = divmod(rows, activities)
    records = []
    for i in range(activities):
        start = dt.datetime(2026, 10, 1 + i % 28, 9, 0, tzinfo=ZONE)
        roster = [
            data.RosterRow(
                name=SURNAMES[(i + j) % len(SURNAMES)]
                + GIVEN[(2 * j) % len(GIVEN)]
                + GIVEN[(3 * j + 1) % len(GIVEN)],
                sex="F" if j % 2 else "M",
                age=20 + (i * 7 + j) % 70,
                groups="、".join(GROUPS[(j + k) % 5] for k in range(1 + j % 2)),
                phone=f"139****{(i * 100 + j) % 10000:04d}",
                checked_in_at=start + dt.timedelta(minutes=j % 30),
            )
            for j in range(per + (1 if i < extra else 0))
        ]
        records.append(
            data.ActivityRecord(
                id=i + 1,
                kind="lecture",
                form="健康知识讲座",
                title=f"高血压防治知识讲座（第{i + 1}期）",
                status="held",
                status_label="已开展",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                venue="社区活动室",
                topics=["高血压", "健康生活方式"],
                organiser="社区卫生服务站",
                audience="辖区居民、老年人",
                attendee_count=len(roster),
                walk_ins=3,
                materials=[data.Material("高血压防治折页", 50), data.Material("控盐勺", 30)],
                content="讲解高血压的危害、诊断标准、合理膳食与规律用药，现场答疑。" * 3,
                summary="居民参与积极，现场测量血压并发放资料，效果良好。",
                archive=[
                    data.ArchiveBox(code, label, ticked=(k + i) % 2 == 0)
                    for k, (code, label) in enumerate(
                        [
                            ("written", "书面材料"),
                            ("photo", "图片材料"),
                            ("printed", "印刷材料"),
                            ("av", "影音材料"),
                            ("signin", "签到表"),
                            ("other", "其他材料"),
                        ]
                    )
                ],
                recorder="李健",
                responsible="王主任",
                filled_on=start.date(),
                roster=roster,
            )
        )
    bp_rows = [
        data.Reading(
            measured_at=dt.datetime(2026, 10, 1 + n % 28, 10, n % 60, tzinfo=ZONE),
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
            sex="M" if n % 2 else "F",
            age=40 + n % 45,
            systolic=110 + n % 80,
            diastolic=70 + n % 40,
            pulse=72,
            category="grade_1",
            category_label="一级高血压",
            isolated_systolic=n % 7 == 0,
            referral="referral" if n % 5 == 0 else "none",
            referral_label="建议转诊" if n % 5 == 0 else "",
            event_title="免费测量血压",
        )
        for n in range(readings)
    ]
    rate = data.Rate(17, 20, 0.85, 0.64, 0.95)
    group_rates = [
        data.GroupRates(g, label, rate, data.Rate(12, 20, 0.6, 0.39, 0.78))
        for g, label in zip(
            ["elderly", "women", "youth", "migrant", "general"], GROUPS, strict=True
        )
    ]
    return data.Ledger(
        cover=data.Cover(
            "A01",
            "天虹路社区",
            "天虹街道",
            "东湖区",
            month,
            "李健",
            dt.datetime(2026, 11, 1, 8, 0, tzinfo=ZONE),
        ),
        figures=[
            data.Figure("lecture", "健康知识讲座", "次", activities, activities, 12, 10),
            data.Figure("consultation", "公众健康咨询活动", "次", 1, 8, 9, 8),
        ],
        activities=records,
        blood_pressure=data.BloodPressure(
            bp_rows, [("grade_1", "一级高血压", readings)], readings // 5, 0
        ),
        rates=data.Rates(group_rates[0], group_rates, 20),
        checks=[],
        unlocks=[],
    )


def _fill_database(activities: int, rows: int, readings: int = 200):
    """The same month in a throwaway test database, by bulk inserts (no per-row services)."""
    from healthedu.activities.models import Attendance, Event, EventMaterial
    from healthedu.org.models import Community, District, Street
    from healthedu.screening.services import reading_create
    from residents.masking import mask_phone
    from residents.models import Resident

    district = District.objects.create(name="东湖区")
    street = Street.objects.create(district=district, name="天虹街道")
    community = Community.objects.create(code="A01", name="天虹路社区", street=street)
    people = Resident.objects.bulk_create(
        [
            Resident(
                name=SURNAMES[n % len(SURNAMES)]
                + GIVEN[(2 * n) % len(GIVEN)]
                + GIVEN[(3 * n + 1) % len(GIVEN)],
                sex="F" if n % 2 else "M",
                birth_date=dt.date(1940 + n % 70, 1 + n % 12, 1 + n % 28),
                community=community,
                is_migrant=n % 9 == 0,
                phone_masked=mask_phone(f"139{n:08d}"),
            )
            for n in range(rows)
        ]
    )
    events = Event.objects.bulk_create(
        [
            Event(
                community=community,
                kind="lecture",
                title=f"高血压防治知识讲座（第{i + 1}期）",
                # Two or three a day: morning and afternoon rooms, so no booking clashes
                # (PostgreSQL enforces that with an exclusion constraint).
                venue=f"社区活动室{i // 28 + 1}",
                starts_at=dt.datetime(2026, 10, 1 + i % 28, 9, 0, tzinfo=ZONE),
                ends_at=dt.datetime(2026, 10, 1 + i % 28, 11, 0, tzinfo=ZONE),
                status="held",
                walk_ins=3,
                organiser="社区卫生服务站",
                content="讲解高血压的危害、诊断标准、合理膳食与规律用药，现场答疑。" * 3,
                summary="居民参与积极，效果良好。",
                signin_token=f"bench-{i}",
            )
            for i in range(activities)
        ]
    )
    EventMaterial.objects.bulk_create(
        [EventMaterial(event=e, kind="高血压防治折页", count=50) for e in events]
    )
    Attendance.objects.bulk_create(
        [Attendance(event=events[n % activities], resident=people[n]) for n in range(rows)]
    )
    for n in range(readings):  # through the service: category and referral as in life
        reading_create(
            user=None,
            data={
                "resident": people[n],
                "event": None,
                "systolic": 110 + n % 80,
                "diastolic": 70 + n % 40,
                "pulse": 72,
                "measured_at": dt.datetime(2026, 10, 1 + n % 28, 10, n % 60, tzinfo=ZONE),
            },
        )
    return community


def run_database(activities: int = 60, rows: int = 3000, repeat: int = 5) -> dict:
    """The whole ledger job (build from the database + render) against the bare table of the
    same roster rows, in a throwaway test database of the configured engine."""
    _setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.utils import translation

    from healthedu.months import parse_month
    from reports.ledger import build_ledger
    from reports.services import ledger_make

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        community = _fill_database(activities, rows)
        month = parse_month("2026-10")
        with translation.override("zh-hans"):
            ledger = build_ledger(community=community, month=month)
            build_seconds, _ = _timed(
                lambda: build_ledger(community=community, month=month), repeat=repeat
            )
            job_seconds, bare_seconds = _timed_pair(
                lambda: ledger_make(community=community, month=month, fmt="pdf"),
                lambda: bare_table_pdf(ledger),
                repeat,
            )
        return {
            "engine": connection.vendor,
            "roster_rows": ledger.roster_rows,
            "build_seconds": round(build_seconds, 3),
            "job_seconds": round(job_seconds, 3),
            "bare_table_seconds": round(bare_seconds, 3),
            "ratio": round(job_seconds / bare_seconds, 2),
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def bare_table_pdf(ledger) -> bytes:
    """reportlab's floor: the same roster rows as one plain table, same font, no forms."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    from reports.fonts import register_fonts

    font = register_fonts()
    rows = [["序号", "姓名", "性别", "年龄", "人群", "电话", "签到时间"]]
    for activity in ledger.activities:
        for n, r in enumerate(activity.roster, start=1):
            rows.append(
                [n, r.name, r.sex, r.age, r.groups, r.phone, f"{r.checked_in_at:%Y-%m-%d %H:%M}"]
            )
    table = LongTable(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [("FONT", (0, 0), (-1, -1), font, 8.5), ("GRID", (0, 0), (-1, -1), 0.5, "#444444")]
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([table])
    return buffer.getvalue()


def _timed(fn, *args, repeat: int = 3):
    best, out = float("inf"), b""
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def _timed_pair(first, second, repeat: int):
    """Best time of each of two callables, run alternately, so that load on a shared machine
    falls on both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for index, fn in enumerate((first, second)):
            gc.collect()
            start = time.perf_counter()
            fn()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def _peak(fn, *args) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(activities: int = 60, rows: int = 3000, repeat: int = 5, database: bool = True) -> dict:
    _setup()
    from django.utils import translation

    from reports.fonts import register_fonts
    from reports.pdf import render_ledger_pdf

    register_fonts()  # loading the font file once is not part of either timing
    with translation.override("zh-hans"):
        ledger = synthetic_ledger(activities, rows)
        pdf, bare = render_ledger_pdf(ledger), bare_table_pdf(ledger)
        ledger_seconds, bare_seconds = _timed_pair(
            lambda: render_ledger_pdf(ledger), lambda: bare_table_pdf(ledger), repeat
        )
        small = synthetic_ledger(activities, rows // 2)
        peak_small = _peak(render_ledger_pdf, small)
        peak_large = _peak(render_ledger_pdf, ledger)
    figures = {
        "activities": activities,
        "rows": rows,
        "ledger_seconds": round(ledger_seconds, 3),
        "bare_table_seconds": round(bare_seconds, 3),
        "ratio": round(ledger_seconds / bare_seconds, 2),
        "target_ratio": 1.3,
        "ledger_pdf_bytes": len(pdf),
        "bare_pdf_bytes": len(bare),
        "peak_memory_bytes": {str(rows // 2): peak_small, str(rows): peak_large},
        "peak_bytes_per_row": {
            str(rows // 2): round(peak_small / (rows // 2)),
            str(rows): round(peak_large / rows),
        },
        "marginal_bytes_per_row": round((peak_large - peak_small) / (rows - rows // 2)),
    }
    if database:
        figures["database"] = run_database(activities, rows, repeat=repeat)
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
