"""Demo readings: the demo's blood-pressure screenings, measured, with referrals worked through.

Runs after the activities step, so the screenings exist; where a community has none, monthly
readings without an activity stand in. Deterministic (seeded), and bulk: a few queries per
community. About a third of the elderly measure as hypertensive (China's prevalence among
people over 60 is above 50 %, but many are treated and controlled); isolated systolic
hypertension is common among them, as in life.
"""

import datetime as dt
import random

from django.utils import timezone

from healthedu.activities.models import Attendance, Event
from healthedu.screening.bp import classify
from healthedu.screening.models import BPReading, Referral, ReferralStatus
from healthedu.screening.services import referral_due_on
from residents.groups import age_on
from residents.models import Resident

OUTCOMES = [
    "已到社区卫生服务中心复测，确诊高血压，纳入慢病管理",
    "家庭医生复测血压正常，嘱定期监测",
    "已到医院心内科就诊，开始服药",
    "电话随访，居民表示已自行就医，血压控制中",
    "复测仍偏高，已预约家庭医生门诊",
]


def seed_readings(*, communities, today: dt.date, stdout=None) -> int:
    total = 0
    for community in communities:
        rng = random.Random(f"bp-{community.code}-{today.year}")
        sessions = _sessions(community, today, rng)
        residents = list(
            Resident.objects.filter(community=community, status="active").order_by("id")
        )
        if not residents:
            continue
        readings = _measure(sessions, residents, rng, today)
        readings = BPReading.objects.bulk_create(readings, batch_size=500)
        Referral.objects.bulk_create(_referrals(readings, rng, today), batch_size=500)
        total += len(readings)
    if stdout is not None:
        stdout.write(f"blood pressure: {total} readings, {Referral.objects.count()} referrals")
    return total


def _sessions(community, today, rng) -> list[tuple[Event | None, dt.datetime, list[int]]]:
    """(event, start, attendee ids) of each held screening up to today; monthly stand-ins if none."""
    now = timezone.now()
    events = list(
        Event.objects.filter(
            community=community, kind="bp_screening", status="held", starts_at__lte=now
        ).order_by("starts_at")
    )
    if events:
        attendees: dict[int, list[int]] = {e.pk: [] for e in events}
        for event_id, resident_id in (
            Attendance.objects.filter(event__in=events)
            .order_by("id")
            .values_list("event_id", "resident_id")
        ):
            attendees[event_id].append(resident_id)
        return [(e, e.starts_at, attendees[e.pk]) for e in events]
    zone = timezone.get_current_timezone()
    sessions = []
    for months_back in range(11, -1, -1):
        year, month = today.year, today.month - months_back
        while month < 1:
            year, month = year - 1, month + 12
        day = dt.date(year, month, min(rng.randint(5, 25), 28))
        if day >= today:
            continue
        sessions.append((None, dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone), []))
    return sessions


def _measure(sessions, residents, rng, today) -> list[BPReading]:
    by_id = {r.pk: r for r in residents}
    adults = [r for r in residents if age_on(r.birth_date, today) >= 35]
    weights = [3 if age_on(r.birth_date, today) >= 60 else 1 for r in adults]
    readings = []
    for event, starts_at, attendee_ids in sessions:
        # Blood pressure is measured for adults; children who came along are not screened.
        people = [
            by_id[i]
            for i in attendee_ids
            if i in by_id and age_on(by_id[i].birth_date, starts_at.date()) >= 18
        ]
        if not people and adults:
            wanted = min(len(adults), rng.randint(12, 25))
            people = list(dict.fromkeys(rng.choices(adults, weights=weights, k=wanted * 2)))[
                :wanted
            ]
        for position, resident in enumerate(people):
            measured_at = starts_at + dt.timedelta(minutes=2 * position)
            systolic, diastolic = _values(resident, measured_at.date(), rng)
            category, isolated, referral = classify(systolic, diastolic, resident.has_hypertension)
            readings.append(
                BPReading(
                    community_id=resident.community_id,
                    resident=resident,
                    event=event,
                    systolic=systolic,
                    diastolic=diastolic,
                    pulse=min(110, max(50, round(rng.gauss(74, 9))))
                    if rng.random() < 0.9
                    else None,
                    measured_at=measured_at,
                    known_hypertension=resident.has_hypertension,
                    category=category,
                    isolated_systolic=isolated,
                    referral=referral,
                )
            )
    return readings


def _values(resident, on, rng) -> tuple[int, int]:
    """A resident's own level (the same at every screening) plus the day's variation."""
    own = random.Random(f"bp-level-{resident.pk}")
    age = age_on(resident.birth_date, on)
    if age >= 60:
        hypertensive = own.random() < (0.6 if resident.has_hypertension else 0.3)
    else:
        hypertensive = own.random() < (0.5 if resident.has_hypertension else 0.1)
    if hypertensive:
        # Older arteries stiffen: the systolic rises while the diastolic does not.
        systolic = own.gauss(154 if age >= 60 else 148, 11)
        diastolic = own.gauss(84 if age >= 60 else 95, 7)
    else:
        systolic = own.gauss(122, 8)
        diastolic = own.gauss(76, 5)
    systolic = int(min(230, max(95, round(systolic + rng.gauss(0, 6)))))
    diastolic = int(min(125, max(55, round(diastolic + rng.gauss(0, 4)))))
    return systolic, min(diastolic, systolic - 25)


def _referrals(readings, rng, today) -> list[Referral]:
    made = []
    for reading in readings:
        if reading.referral == "none":
            continue
        measured_on = timezone.localtime(reading.measured_at).date()
        referral = Referral(
            reading=reading,
            community_id=reading.community_id,
            resident_id=reading.resident_id,
            urgency=reading.referral,
            due_on=referral_due_on(reading.measured_at),
        )
        # Most older referrals were worked through; a few slipped past the window (overdue).
        if (today - measured_on).days > 7 and rng.random() < 0.8:
            referral.status = ReferralStatus.FOLLOWED_UP
            referral.followed_up_on = min(today, measured_on + dt.timedelta(rng.randint(1, 20)))
            referral.outcome = rng.choice(OUTCOMES)
        made.append(referral)
    return made
