"""Resident import speed: our import of N rows against pandas only reading the same file.

    python -m bench.imports --rows 100000      (uses DATABASE_URL; a fresh community each run)

Targets (issue 7): at least 5,000 rows/s, and at most 3x pandas' read of the same file.
"""

import argparse
import datetime as dt
import gc
import io
import os
import random
import statistics
import time

import django


def make_roster(rows: int, *, seed: int = 11, bad_every: int = 997) -> bytes:
    """A seeded .xlsx roster: Chinese headers, a title row, mixed date styles, a few bad rows."""
    import openpyxl

    from residents.idnumber import check_digit

    rng = random.Random(seed)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(["基准测试社区居民花名册"])
    sheet.append(
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "联系电话",
            "楼栋",
            "单元",
            "门牌号",
            "是否流动人口",
            "慢性病",
        ]
    )
    for i in range(rows):
        sex = rng.choice("MF")
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 33000))
        body = f"{420100 + i // 100000:06d}{birth:%Y%m%d}{i % 100:02d}{rng.choice('13579' if sex == 'M' else '02468')}"
        number = body + check_digit(body)
        if i % bad_every == 0:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
        style = i % 3
        born = (
            birth
            if style == 0
            else (
                f"{birth.year}/{birth.month}/{birth.day}"
                if style == 1
                else birth.strftime("%Y%m%d")
            )
        )
        sheet.append(
            [
                i + 1,
                f"居民{i}",
                "男" if sex == "M" else "女",
                born,
                number,
                f"139 {i % 10000:04d} {i // 10000:04d}",
                f"{rng.randint(1, 30)}号",
                f"{rng.randint(1, 4)}单元",
                str(rng.randint(101, 1804)),
                rng.choice(["是", "否", ""]),
                rng.choice(["", "", "高血压", "糖尿病", "高血压、糖尿病"]),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(sizes=(20000, 100000), repeats: int = 3) -> dict:
    """Medians of `repeats` rounds, the pandas read and the import taking turns."""
    import pandas as pd
    from django.db import connection

    from healthedu.org.models import Community, District, Street
    from residents.importing import import_residents
    from residents.models import Resident

    figures = {}
    district, _ = District.objects.get_or_create(name="基准区")
    street, _ = Street.objects.get_or_create(district=district, name="基准街道")
    for rows in sizes:
        content = make_roster(rows)
        pandas_times, import_times = [], []
        for round_ in range(repeats):
            # Each measurement starts with no one else's garbage to collect.
            gc.collect()
            started = time.perf_counter()
            # pandas reading the same file with the same engine (calamine) as the import.
            pd.read_excel(io.BytesIO(content), header=1, dtype=str, engine="calamine")
            pandas_times.append(time.perf_counter() - started)

            code = f"BENCH{rows}-{round_}-{int(time.time())}"
            community = Community.objects.create(
                code=code[:32], name=f"基准社区{rows}-{round_}", street=street
            )
            gc.collect()
            started = time.perf_counter()
            report = import_residents(
                fileobj=io.BytesIO(content), filename="roster.xlsx", community=community
            )
            import_times.append(time.perf_counter() - started)
            if round_ == repeats - 1:
                gc.collect()
                started = time.perf_counter()
                again = import_residents(
                    fileobj=io.BytesIO(content), filename="roster.xlsx", community=community
                )
                second_seconds = time.perf_counter() - started
            Resident.objects.filter(community=community).delete()
            community.delete()
            # Untimed: the next round starts from the table as it was, not on the 100,000 dead
            # index entries this round leaves (autovacuum would clear them, at its own time).
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Resident._meta.db_table}")
        pandas_seconds = statistics.median(pandas_times)
        first_seconds = statistics.median(import_times)
        figures[rows] = {
            "rows": rows,
            "pandas_read_s": round(pandas_seconds, 2),
            "import_s": round(first_seconds, 2),
            "rows_per_s": round(rows / first_seconds),
            "ratio_to_pandas": round(first_seconds / pandas_seconds, 2),
            "reimport_s": round(second_seconds, 2),
            "created": report.created,
            "errors": len(report.errors),
            "reimport_created": again.created,
        }
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[20000, 100000])
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    # Measured as the worker runs imports in production: DEBUG off, no query log kept.
    os.environ.setdefault("DEBUG", "0")
    django.setup()
    import json

    print(json.dumps(run(args.rows), indent=1))
