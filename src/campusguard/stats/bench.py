"""Stats benchmark: a year of rollups for N schools, then the city dashboard and a quarterly assessment.

Seeds the rollup tables directly (what a year of events would have produced) plus drill-down facts for
alarms, on a fresh database (SQLite file, or a throw-away PostgreSQL database next to --database-url).
Prints JSON with dashboard p50/p99 per period, the assessment run time, and baselines measured in the
same run: a database round trip, and the same year aggregated from the daily table (no monthly rollup).
"""

from __future__ import annotations

import io
import json
import os
import random
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from campusguard.core import crypto
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import Database, make_engine
from campusguard.core.migrate import upgrade
from campusguard.core.permissions import Role, permissions_for
from campusguard.stats import api as stats_api
from campusguard.stats import metrics as M
from campusguard.stats.democity import CITY, make_city
from campusguard.stats.histogram import bucket_of
from campusguard.stats.models import StatsDaily, StatsFact, StatsMonthly, StatsSource
from campusguard.stats.periods import local_midnight_utc, parse_period

log = structlog.get_logger(__name__)

ALARM_TYPES = ("panic", "intrusion", "duress", "fire", "medical", "tamper")
DAILY_COLS = ("series", "day", "dim", "school_id", "n", "total")


def _rows_for_school(rng: random.Random, sid: int, days: list[date], quality: float
                     ) -> Iterator[tuple[tuple[str, date, str, int, int, float], dict[str, Any] | None]]:
    """Yield (daily row, optional alarm fact) for one school over the year."""
    cams = rng.randint(12, 40)
    buttons = rng.randint(2, 4)
    faces = rng.randint(1, 3)
    for day in days:
        acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])

        def add(series: str, value: float = 1.0, dim: str = "", n: int = 1,
                acc: dict[tuple[str, str], list[float]] = acc) -> None:
            a = acc[(series, dim)]
            a[0] += n
            a[1] += value

        for _ in range(rng.choices((0, 1, 2, 3), (0.55, 0.3, 0.1, 0.05))[0]):
            alarm_type = rng.choice(ALARM_TYPES)
            hour = rng.choices(range(24), [1] * 7 + [4] * 11 + [2] * 6)[0]
            add(M.S_ALARM_RAISED)
            add(M.S_ALARM_RAISED, dim=f"type:{alarm_type}")
            add(M.S_ALARM_RAISED, dim=f"hour:{hour:02d}")
            ack = rng.lognormvariate(3.6 + (1 - quality) * 1.5, 0.6)
            add(M.S_ALARM_ACK, ack)
            add(M.S_ALARM_ACK, ack, dim=f"b:{bucket_of(ack)}")
            arrive = ack + rng.lognormvariate(5.2, 0.4)
            add(M.S_ALARM_ARRIVAL, arrive)
            add(M.S_ALARM_ARRIVAL, arrive, dim=f"b:{bucket_of(arrive)}")
            outcome = "false_alarm" if rng.random() < 0.25 else "real"
            add(M.S_ALARM_RESOLVED)
            add(M.S_ALARM_RESOLVED, dim=f"outcome:{outcome}")
            if outcome == "false_alarm":
                add(M.S_ALARM_FALSE)
            at = local_midnight_utc(day) + timedelta(hours=hour, minutes=rng.randint(0, 59))
            yield ((M.S_ALARM_RAISED, day, "", sid, 0, 0.0), {
                "event_id": uuid.uuid4().hex, "series": M.S_ALARM_RAISED, "school_id": sid, "day": day,
                "occurred_at": at, "ref_type": "incident", "ref_id": uuid.uuid4().hex[:12], "value": 1.0,
                "label": alarm_type, "detail": {"alarm_type": alarm_type}})
        planned = 48
        add(M.S_PATROL_PLANNED, planned, n=planned)
        add(M.S_PATROL_DONE, round(planned * min(1.0, rng.gauss(quality, 0.05))), n=planned)
        add(M.S_ROLLCALL_ASKED, 4, n=4)
        add(M.S_ROLLCALL_ANSWERED, sum(rng.random() < quality for _ in range(4)), n=4)
        if rng.random() < 0.08:
            add(M.S_HAZARD_FOUND)
            if rng.random() < quality:
                add(M.S_HAZARD_RECTIFIED)
            elif rng.random() < 0.5:
                add(M.S_HAZARD_OVERDUE)
        if day.day == 15 and rng.random() < quality:
            add(M.S_DRILL_DONE)
        for series, value in ((M.S_CAMERAS, cams), (M.S_CAMERAS_NET, cams - (rng.random() > quality)),
                              (M.S_CAMERAS_ON, cams - rng.randint(0, 3)), (M.S_ALARM_POINTS, buttons),
                              (M.S_ALARM_POINTS_NET, buttons), (M.S_ALARM_POINTS_ON, buttons - (rng.random() > 0.97)),
                              (M.S_FACE_TERM, faces), (M.S_FACE_TERM_ON, faces),
                              (M.S_STAFFING_SCHOOLS, 1), (M.S_STAFFING_OK, float(rng.random() < quality))):
            add(series, float(value))
        for (series, dim), (n, total) in acc.items():
            yield (series, day, dim, sid, int(n), float(total)), None


def seed_year(session: Session, school_ids: list[int], days: list[date], seed: int = 7) -> dict[str, int]:
    """Write a year of daily and monthly rollups (and alarm facts) for the schools."""
    rng = random.Random(seed)
    daily: list[tuple[str, date, str, int, int, float]] = []
    facts: list[dict[str, Any]] = []
    monthly: dict[tuple[str, date, str, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for sid in school_ids:
        quality = rng.uniform(0.7, 0.99)
        for row, fact in _rows_for_school(rng, sid, days, quality):
            if fact is not None:
                facts.append(fact)
                continue
            daily.append(row)
            m = monthly[(row[0], row[1].replace(day=1), row[2], row[3])]
            m[0] += row[4]
            m[1] += row[5]
    monthly_rows = [(k[0], k[1], k[2], k[3], int(v[0]), float(v[1])) for k, v in monthly.items()]
    _bulk(session, StatsDaily.__tablename__, DAILY_COLS, daily)
    _bulk(session, StatsMonthly.__tablename__, ("series", "month", "dim", "school_id", "n", "total"), monthly_rows)
    for i in range(0, len(facts), 5000):
        session.execute(insert(StatsFact), facts[i:i + 5000])
    series = sorted({r[0] for r in daily})
    session.execute(insert(StatsSource), [{"series": s} for s in series])
    return {"daily_rows": len(daily), "monthly_rows": len(monthly_rows), "facts": len(facts)}


def _bulk(session: Session, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    raw_sqlite: Any = conn.connection.dbapi_connection
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"  # noqa: S608
    raw_sqlite.executemany(sql, [(*r[:1], r[1].isoformat(), *r[2:]) for r in rows])


_cpu: list[float] = []


def _time(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Wall times in ms (the CPU time of this process is kept in `_cpu` for a loaded shared machine)."""
    out = []
    _cpu.clear()
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        _cpu.append((time.process_time() - c) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))], 1)


def _fresh_database(url: str | None) -> tuple[str, Callable[[], None]]:
    """A new empty database: a temp SQLite file, or a throw-away PostgreSQL database."""
    if not url or url.startswith("sqlite"):
        tmp = tempfile.mkdtemp(prefix="cg-bench-stats-")
        return f"sqlite:///{Path(tmp) / 'bench.db'}", lambda: None
    name = f"cg_bench_stats_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.rsplit("/", 1)[0] + f"/{name}", drop


def _city_admin() -> Principal:
    """A fresh city_admin principal, as each HTTP request builds one from its token (empty scope cache)."""
    return Principal(kind="user", id=1, name="admin", role=Role.city_admin, region_code=CITY[0],
                     permissions=permissions_for(Role.city_admin))


def _dashboard_request(db: Database, period: str) -> int:
    """What GET /api/v1/stats/overview?period=… does for the city admin: own session, the view, JSON body."""
    with db.session() as session:
        body = stats_api.get_overview(session, _city_admin(), region=None, school=None, period=period, schools=True)
    return len(json.dumps(body, ensure_ascii=False, default=str))


def run(*, database_url: str | None = None, schools: int = 300, days: int = 365, repeat: int = 30,
        gc_freeze: bool = True,
        secret: str = "bench-secret-key-not-for-production-000000") -> dict[str, Any]:  # noqa: S107
    """Seed, measure, clean up; returns the JSON-able figures."""
    from campusguard.assessment import service as assessment

    crypto.configure(secret)
    url, cleanup = _fresh_database(database_url)
    try:
        t0 = time.perf_counter()
        upgrade(url)
        db = Database(url)
        today = datetime.now(UTC).date()
        day_list = [today - timedelta(days=days - i) for i in range(days)]
        with db.session() as s:
            ids = make_city(s, schools=schools, districts=9)
        with db.session() as s:
            volume = seed_year(s, ids, day_list)
        with db.engine.connect() as conn:  # planner statistics, as autovacuum/ANALYZE would have them
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        seed_s = time.perf_counter() - t0
        figures: dict[str, Any] = {"benchmark": "stats", "dialect": db.dialect, "schools": schools, "days": days,
                                   **volume, "seed_s": round(seed_s, 1), "repeat": repeat}
        with db.session() as s:
            figures["baseline_roundtrip_ms"] = _p(_time(lambda: s.execute(text("SELECT 1")), repeat), 0.5)
            year = parse_period(f"{day_list[0].isoformat()}..{day_list[-1].isoformat()}")

            def raw_scan() -> None:
                s.execute(select(StatsDaily.series, func.sum(StatsDaily.total)).where(
                    StatsDaily.day >= year.start, StatsDaily.day < year.end).group_by(StatsDaily.series)).all()

            figures["baseline_year_daily_scan_ms"] = _p(_time(raw_scan, 3), 0.5)
        if gc_freeze:  # what the server does after start-up (app.freeze_startup_heap)
            from campusguard.app import freeze_startup_heap

            freeze_startup_heap()
        figures["gc_frozen"] = gc_freeze
        # Each dashboard call opens its own session (as a request does), so no outer transaction stays open.
        month = parse_period(f"{today.year}-{today.month:02d}")
        quarter = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
        cases = (("month", month, repeat), ("30d", parse_period("30d", today=today), repeat),
                 ("quarter", quarter, repeat), ("year365", year, max(5, repeat // 3)))
        for label, period, n in cases:
            times = _time(partial(_dashboard_request, db, period.label), n)
            figures[f"dashboard_{label}_p50_ms"] = _p(times, 0.5)
            figures[f"dashboard_{label}_p99_ms"] = _p(times, 0.99)
            figures[f"dashboard_{label}_cpu_p50_ms"] = _p(_cpu, 0.5)
        figures["dashboard_p99_ms"] = figures["dashboard_month_p99_ms"]  # the default city view
        figures["dashboard_path"] = "stats.api.get_overview as city_admin, own session per call, JSON body"
        last_quarter = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}").previous()
        with db.session() as s:
            t = time.perf_counter()
            first = assessment.run_assessment(s, SYSTEM, period_label=last_quarter.label)
            figures["assessment_run_s"] = round(time.perf_counter() - t, 2)
            figures["assessment_period"] = last_quarter.label
            figures["assessment_schools"] = first.school_count
        with db.session() as s:
            t = time.perf_counter()
            again = assessment.run_assessment(s, SYSTEM, period_label=last_quarter.label)
            figures["assessment_rerun_frozen_s"] = round(time.perf_counter() - t, 2)
            figures["assessment_reproducible"] = again.result_digest == first.result_digest
        figures["load_average_1m"] = round(os.getloadavg()[0], 1)
        figures["cpus"] = os.cpu_count()
        figures["targets"] = {"dashboard_p99_ms": 300, "assessment_run_s": 30}
        figures["met"] = figures["dashboard_p99_ms"] < 300 and figures["assessment_run_s"] < 30
        db.dispose()
        return figures
    finally:
        cleanup()


def main(argv: list[str] | None = None) -> None:
    """`python bench/stats.py [--database-url URL] [--schools N] [--days N] [--repeat N]`."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    out = io.StringIO()
    json.dump(run(database_url=args.database_url, schools=args.schools, days=args.days, repeat=args.repeat),
              out, ensure_ascii=False)
    sys.stdout.write(out.getvalue() + "\n")


