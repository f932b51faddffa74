"""Every benchmark, on PostgreSQL, in one command; the summary table goes into bench/README.md.

    make bench          (or: .venv/bin/python -m bench.run [--quick])
    .venv/bin/python -m bench.run --only imports    (one section again; the others kept)
    .venv/bin/python -m bench.run --only province   (the province, not part of the full run)
    .venv/bin/python -m bench.run --only partition  (the province's responses partitioned by year)

Each benchmark runs in its own process (each sets Django up on its own database) and prints
JSON; this collects the figures, writes bench/results.json, and rewrites the summary between
the markers in bench/README.md. The sections below the summary explain each benchmark.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
START, END = "<!-- bench:summary:start -->", "<!-- bench:summary:end -->"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
APP_DB = "healthedu_bench_app"


def sh(*args, env=None, check=True) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise SystemExit(
            f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def bench_json(module: str, *args: str, env=None) -> dict:
    out = sh(sys.executable, "-m", module, *args, env=env)
    return json.loads(out[out.index("{") :])


def prepare_app_database() -> dict:
    sh("psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {APP_DB}")
    sh("psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {APP_DB}")
    env = {"DATABASE_URL": f"{PG}/{APP_DB}", "DJANGO_SETTINGS_MODULE": "healthedu.settings"}
    sh(sys.executable, "manage.py", "migrate", "-v0", env=env)
    sh(sys.executable, "manage.py", "seed_demo", env=env)
    return env


def province_figures() -> dict:
    """bench.province at a district's and a province's size (the raw path's window over 20 M
    rows is left out: minutes, and rates(raw=True) is checked against the kept counts by the
    tests). Its generator's PostgreSQL backends run niced; the measurement does not."""
    return bench_json(
        "bench.province", "--size", "district", "--size", "province", "--no-raw-path", "--json"
    )


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgres": sh("psql", f"{PG}/postgres", "-Atc", "show server_version").strip(),
        "date": dt.date.today().isoformat(),
    }


def summary(figures: dict) -> str:
    lines = [
        START,
        "",
        f"Run on {figures['machine']['date']}: {figures['machine']['cpu']}, {figures['machine']['cores']} cores, "
        f"{figures['machine']['memory_gb']} GB, PostgreSQL {figures['machine']['postgres']}, Python {figures['machine']['python']}."
        + "".join(
            f" The {section} section measured again alone on {date}."
            for section, date in figures.get("remeasured", {}).items()
        ),
        "",
        "| benchmark | measured | against | ratio | target | met |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    rates = figures.get("rates", {}).get("sizes", {})
    for size, row in rates.items():
        ratio = row["api_seconds"] / row["bare_seconds"]
        lines.append(
            f"| two rates, {size} ({row['responses']:,} responses) | API {row['api_seconds']:.2f} s | bare SQL {row['bare_seconds']:.2f} s | {ratio:.2f} | ≤ 1.5 | {'yes' if ratio <= 1.5 else 'no'} |"
        )
    ledger = figures.get("ledger")
    if ledger:
        lines.append(
            f"| ledger PDF, {ledger['activities']} activities, {ledger['rows']:,} rows | {ledger['ledger_seconds']:.2f} s | bare reportlab table {ledger['bare_table_seconds']:.2f} s | {ledger['ratio']:.2f} | ≤ 1.3 | {'yes' if ledger['ratio'] <= 1.3 else 'no'} |"
        )
    for rows, row in figures.get("imports", {}).items():
        # The target is set for 100,000 rows; the smaller size shows how the cost grows.
        if int(rows) >= 100_000:
            target = "≥ 5,000 rows/s and ≤ 3"
            met = "yes" if row["rows_per_s"] >= 5000 and row["ratio_to_pandas"] <= 3 else "no"
        else:
            target, met = "— (growth)", "—"
        lines.append(
            f"| resident import, {int(rows):,} rows | {row['import_s']:.2f} s ({row['rows_per_s']:,} rows/s) | pandas read {row['pandas_read_s']:.2f} s | {row['ratio_to_pandas']:.2f} | {target} | {met} |"
        )
    load = figures.get("api_load", {})
    for path, counts in load.get("query_counts", {}).items():
        equal = counts.get(10) == counts.get(500) or counts.get("10") == counts.get("500")
        small, large = counts.get("10", counts.get(10)), counts.get("500", counts.get(500))
        lines.append(
            f"| queries {path} | page_size 10: {small} | page_size 500: {large} | — | equal, ≤ 8 | {'yes' if equal and isinstance(small, int) and small <= 8 else 'no'} |"
        )
    for path, row in load.get("latency", {}).items():
        if path == "/api/health/":
            continue
        same = row["same_load"]
        lines.append(
            f"| p95, 20 clients, {path} and /api/health/ taking turns | {same['p95_ms']} ms | /api/health/ in that load {same['health_p95_ms']} ms | {same['ratio']:.2f} | ≤ 3 | {'yes' if same['ratio'] <= 3 else 'no'} |"
        )
    desk = figures.get("desk")
    if desk:
        save, load_ = desk["save"], desk["first_load"]
        lines.append(
            f"| desk save (POST /api/sync/, one reading), {save['clients']} clients taking turns with /api/health/ | p95 {save['save_p95_ms']} ms | /api/health/ in that load {save['health_p95_ms']} ms | {save['ratio']:.2f} | ≤ 2 | {'yes' if save['ratio'] <= 2 else 'no'} |"
        )
        lines.append(
            f"| desk first load, Chromium 3G profile, empty cache ({desk['roster']} residents) | {load_['cold_s']:.2f} s, {load_['cold_kb']} KB | opened again (service worker) {load_['warm_s']:.2f} s, {load_['warm_kb']} KB | — | — | — |"
        )
    growth = figures.get("list_growth", {})
    if len(growth) == 2:
        (small, low), (large, high) = growth.items()
        for path in low:
            a, b = low[path], high[path]
            lines.append(
                f"| list first page {path}, {a['rows']:,} → {b['rows']:,} rows | {a['ms']} → {b['ms']} ms | {b['rows'] / a['rows']:.0f} × the rows | {b['ms'] / a['ms']:.2f} × the time | — | — |"
            )
    health_alone = load.get("latency", {}).get("/api/health/")
    if health_alone:
        lines.append(
            "| p95, 20 clients, one path each (for comparison) | "
            + ", ".join(
                f"{path.split('/')[2]} {row['p95_ms']} ms ({row['ratio_to_health']:.1f}×)"
                for path, row in load["latency"].items()
                if path != "/api/health/"
            )
            + f" | /api/health/ alone {health_alone['p95_ms']} ms | — | — | — |"
        )
    province = figures.get("province", {}).get("sizes", {})
    for size, row in province.items():
        responses = f"{row['responses']:,} responses"
        ratio = row["province_ratio"]
        lines.append(
            f"| two rates from kept counts, {size} ({responses}), by=community,group,month | API {row['province_api_seconds']:.2f} s | bare SQL {row['province_bare_sql_seconds']:.2f} s | {ratio:.3f} | ≤ 0.1 | {'yes' if ratio <= 0.1 else 'no'} |"
        )
        cell = row["cell_ratio"]
        lines.append(
            f"| one community-month, {size} ({responses}) | {row['cell_api_seconds'] * 1000:.1f} ms, {row['cell_queries']} queries | /api/health/ {row['health_seconds'] * 1000:.1f} ms, {row['health_queries']} queries | {cell:.2f} | ≤ 2 | {'yes' if cell <= 2 else 'no'} |"
        )
        write = row["write_ratio"]
        lines.append(
            f"| a response saved, counts kept, {size} ({responses}) | {row['write_kept_seconds'] * 1000:.1f} ms | not kept {row['write_unkept_seconds'] * 1000:.1f} ms | {write:.2f} | ≤ 1.3 | {'yes' if write <= 1.3 else 'no'} |"
        )
    growth = figures.get("province", {}).get("growth")
    if growth:
        lines.append(
            f"| province growth, {growth['responses']:.0f} × the responses | API {growth['province_api_seconds']:.2f} ×, community-month {growth['cell_api_seconds']:.2f} ×, write {growth['write_kept_seconds']:.2f} × | bare SQL {growth['province_bare_sql_seconds']:.2f} × | — | rates flat | {'yes' if growth['province_api_seconds'] <= 1.5 else 'no'} |"
        )
    partition = figures.get("partition")
    if partition:
        shapes = {
            "year_by_quarter": "one year's quarters",
            "community_year_by_quarter": "one community's year by quarter",
            "three_years_by_quarter": "three years' quarters",
        }
        for key, label in shapes.items():
            row = partition[key]
            lines.append(
                f"| raw fallback, {label}, responses partitioned by year ({partition['size']}) | {row['partitioned_seconds']:.3f} s | one table {row['table_seconds']:.3f} s | {row['ratio']:.2f} | < 1 to partition | {'partition' if row['ratio'] < 1 else 'one table'} |"
            )
        removal = partition["remove_2024"]
        lines.append(
            f"| removing a year ({partition['size']}) | DETACH PARTITION {removal['detach_seconds'] * 1000:.0f} ms | DELETE {removal['delete_seconds']:.1f} s | — | — | — |"
        )
    workers = figures.get("workers")
    if workers:
        lines.append(
            f"| a street's ledgers ({workers['ledgers']}), 2 workers | {workers['two']:.1f} s | 1 worker {workers['one']:.1f} s | {workers['one'] / workers['two']:.2f} speed-up | — | — |"
        )
    lines += ["", "Figures in `bench/results.json`; how each is measured, below.", "", END]
    return "\n".join(lines)


def write_readme(block: str) -> None:
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        title, _sep, body = text.partition("\n")
        text = f"{title}\n\n{block}\n{body}"
    README.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--quick", action="store_true", help="small sizes only (minutes, not a quarter hour)"
    )
    parser.add_argument(
        "--only",
        choices=["imports", "province", "partition"],
        help="measure this section alone, keeping the other figures of bench/results.json"
        " (province: 2,000,000 and 20,000,000 responses; builds each once, about 25 minutes)",
    )
    args = parser.parse_args()
    results = ROOT / "bench" / "results.json"
    if args.only:
        figures = json.loads(results.read_text())
        if args.only == "imports":
            env = prepare_app_database()
            figures["imports"] = bench_json("bench.imports", "--rows", "20000", "100000", env=env)
        elif args.only == "partition":
            figures["partition"] = bench_json("bench.partition", "--json")
        else:
            figures["province"] = province_figures()
        figures.setdefault("remeasured", {})[args.only] = dt.date.today().isoformat()
        results.write_text(json.dumps(figures, indent=1, ensure_ascii=False, default=str))
        write_readme(summary(figures))
        print(summary(figures))
        return
    previous = json.loads(results.read_text()) if results.exists() else {}
    figures = {"machine": machine()}
    for section in ("province", "partition"):
        if section in previous:
            # Not part of the full run (its 20,000,000 rows take minutes to read even when
            # built): the figures of its own run are kept, and say when they were taken.
            figures[section] = previous[section]
            taken = previous.get("remeasured", {}).get(section)
            if taken:
                figures.setdefault("remeasured", {})[section] = taken
    env = prepare_app_database()
    figures["imports"] = bench_json(
        "bench.imports",
        "--rows",
        *(["5000", "20000"] if args.quick else ["20000", "100000"]),
        env=env,
    )
    figures["api_load"] = bench_json("bench.api_load", env=env)
    figures["desk"] = bench_json("bench.desk", env=env)
    figures["ledger"] = bench_json("bench.ledger", env=env)
    figures["workers"] = bench_json(
        "bench.workers",
        env={
            **env,
            "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/0"),
        },
    )
    sizes = ["--size", "small"] if args.quick else ["--size", "small", "--size", "full"]
    figures["rates"] = bench_json("bench.rates", *sizes, "--json")
    figures["list_growth"] = bench_json("bench.api_load", "--growth", *sizes[1::2], env=env)
    results.write_text(json.dumps(figures, indent=1, ensure_ascii=False, default=str))
    write_readme(summary(figures))
    print(summary(figures))


if __name__ == "__main__":
    main()
