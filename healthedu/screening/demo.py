"""Demo readings: the demo's blood-pressure screenings, measured, with referrals worked through.

Runs after the activities step, so the screenings exist; where a community has none, monthly
readings without an activity stand in. Deterministic (seeded), and bulk: a few queries per
community. About a third of the elderly measure as hypertensive (China's prevalence among
people over 60 is above 50 %, but many are treated and controlled); isolated systolic
hypertension is common among them, as in life.

Measured as the guideline says: most people twice, a third time when the two differ by more
than 5 mmHg, a few only once (a visit of one). The latest screening ends with a visit still
waiting for its third reading; a lecture has a measurement afterwards; a minor who came along
is measured and not graded (each visit graded by the screening services' one rule).

Three urgent referrals (grade 3, 紧急转诊), in the first community: two at earlier screenings,
followed up with the national hypertension service's items (reached, seen by a doctor,
diagnosis, treatment, next follow-up), and one at the latest screening still open, so that it
heads the home page. Grade 3 comes from those three only (the others' values stay below it).
Other referrals worked through carry the items that their outcome says; a few open ones record
an attempt that did not reach the resident.
"""

import datetime as dt
import random

from django.utils import timezone

from healthedu.activities.models import Attendance, Event
from healthedu.screening.bp import ADULT_AGE, classify, readings_disagree
from healthedu.screening.models import BPReading, Referral, ReferralStatus, Visit
from healthedu.screening.services import MIRRORED, referral_due_on, visit_values_apply
from residents.groups import age_on
from residents.models import Resident

# An outcome in words, its follow-up items, and the next follow-up (days later) if any.
OUTCOMES = [
    (
        "已到社区卫生服务中心复测，确诊高血压，纳入慢病管理",
        {"seen_by_doctor": True, "diagnosis_confirmed": True, "treatment_started": True},
        30,
    ),
    (
        "家庭医生复测血压正常，嘱定期监测",
        {"seen_by_doctor": True, "diagnosis_confirmed": False, "treatment_started": False},
        None,
    ),
    (
        "已到医院心内科就诊，开始服药",
        {"seen_by_doctor": True, "diagnosis_confirmed": True, "treatment_started": True},
        30,
    ),
    ("电话随访，居民表示已自行就医，血压控制中", {"seen_by_doctor": True}, None),
    ("复测仍偏高，已预约家庭医生门诊", {"seen_by_doctor": False}, 7),
]
NOT_REACHED = "电话两次无人接听，已请楼组长转告"
# The demo's urgent visits: two readings (within 5 mmHg: no third), a mean of grade 3.
URGENT_VALUES = [(186, 108), (182, 106)]
URGENT_FOLLOW_UPS = [
    (
        "当日联系家庭医生，次日社区卫生服务中心复测确诊，已开始降压治疗",
        {"seen_by_doctor": True, "diagnosis_confirmed": True, "treatment_started": True},
        1,
        14,
    ),
    (
        "当日转诊区医院心内科，已降压处理，待复查后确诊",
        {"seen_by_doctor": True, "treatment_started": True},
        0,
        7,
    ),
]
# Below grade 3 (systolic 180, diastolic 110): grade 3 is the placed visits' only.
MAX_SYSTOLIC, MAX_DIASTOLIC = 179, 109


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
        visits = _measure(sessions, residents, rng, today)
        urgent = _make_urgent(visits, today) if community == communities[0] else []
        total += _store(visits)
        Referral.objects.bulk_create(
            _referrals([v for v, _ in visits], rng, today, urgent), batch_size=500
        )
    if stdout is not None:
        stdout.write(
            f"blood pressure: {total} readings in {Visit.objects.count()} visits, "
            f"{Referral.objects.count()} referrals"
        )
    return total


def _sessions(community, today, rng) -> list[tuple[Event | None, dt.datetime, list[int]]]:
    """(event, start, attendee ids) of each held screening up to today, and of one lecture with
    a measurement afterwards; monthly stand-ins without an activity if there is no screening."""
    now = timezone.now()
    held = Event.objects.filter(community=community, status="held", starts_at__lte=now)
    events = list(held.filter(kind="bp_screening").order_by("starts_at"))
    lecture = held.filter(kind="lecture").order_by("-starts_at").first()
    if events:
        measured = [*events, lecture] if lecture is not None else events
        attendees: dict[int, list[int]] = {e.pk: [] for e in measured}
        for event_id, resident_id in (
            Attendance.objects.filter(event__in=measured)
            .order_by("id")
            .values_list("event_id", "resident_id")
        ):
            attendees[event_id].append(resident_id)
        sessions = [(e, e.starts_at, attendees[e.pk]) for e in events]
        if lecture is not None:
            # After the talk, a few of the audience have their blood pressure taken.
            after = lecture.ends_at - dt.timedelta(minutes=20)
            sessions.append((lecture, after, attendees[lecture.pk][:6]))
            sessions.sort(key=lambda s: s[1])
        return sessions
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


def _measure(sessions, residents, rng, today) -> list[tuple[Visit, list[BPReading]]]:
    """(visit, its readings) of every person measured, unsaved."""
    by_id = {r.pk: r for r in residents}
    adults = [r for r in residents if age_on(r.birth_date, today) >= 35]
    weights = [3 if age_on(r.birth_date, today) >= 60 else 1 for r in adults]
    minor = next((r for r in residents if 12 <= age_on(r.birth_date, today) < ADULT_AGE), None)
    visits = []
    last_screening = max(
        (i for i, s in enumerate(sessions) if s[0] is None or s[0].kind == "bp_screening"),
        default=None,
    )
    for number, (event, starts_at, attendee_ids) in enumerate(sessions):
        people = [
            by_id[i]
            for i in attendee_ids
            if i in by_id and age_on(by_id[i].birth_date, starts_at.date()) >= ADULT_AGE
        ]
        if not people and adults and (event is None or event.kind == "bp_screening"):
            wanted = min(len(adults), rng.randint(12, 25))
            people = list(dict.fromkeys(rng.choices(adults, weights=weights, k=wanted * 2)))[
                :wanted
            ]
        if number == 0 and minor is not None and minor not in people:
            # A teenager who came along with a grandparent: measured, stored, not graded.
            people.append(minor)
        for position, resident in enumerate(people):
            start = starts_at + dt.timedelta(minutes=4 * position)
            pending_third = number == last_screening and position == len(people) - 1
            # Now and then someone leaves after one reading (a visit of one, marked as such).
            single = position % 9 == 4 and not pending_third
            visits.append(
                _visit(event, resident, start, rng, pending_third=pending_third, single=single)
            )
    return visits


def _visit(event, resident, start, rng, *, pending_third=False, single=False):
    """One person's readings at a session: twice, a third time when the two disagree, or only
    once (`single`); `pending_third`: two that disagree, the third not taken yet."""
    systolic, diastolic = _values(resident, start.date(), rng)
    values = [(systolic, diastolic)]
    if pending_third:
        values.append((min(systolic + 9, MAX_SYSTOLIC), max(diastolic - 2, 40)))
    elif not single:
        values.append(_again(systolic, diastolic, rng))
        if readings_disagree(values[0], values[1]):
            values.append(_again(systolic, diastolic, rng))
    pulse = min(110, max(50, round(rng.gauss(74, 9)))) if rng.random() < 0.9 else None
    readings = []
    for n, (s, d) in enumerate(values):
        category, isolated, referral = classify(s, d, resident.has_hypertension)
        readings.append(
            BPReading(
                community_id=resident.community_id,
                resident=resident,
                event=event,
                systolic=s,
                diastolic=d,
                pulse=pulse,
                measured_at=start + dt.timedelta(minutes=n),
                known_hypertension=resident.has_hypertension,
                category=category,
                isolated_systolic=isolated,
                referral=referral,
            )
        )
    visit = Visit(community_id=resident.community_id, resident=resident, event=event)
    visit_values_apply(visit, readings)
    return visit, readings


def _again(systolic, diastolic, rng) -> tuple[int, int]:
    """A reading a minute or two later: within a few mmHg, now and then further apart."""
    spread = 7 if rng.random() < 0.2 else 3
    s = int(min(MAX_SYSTOLIC, max(95, systolic + round(rng.gauss(0, spread)))))
    d = int(min(MAX_DIASTOLIC, max(55, diastolic + round(rng.gauss(0, spread / 2)))))
    return s, min(d, s - 25)


def _store(visits) -> int:
    """Visits, then their readings (with the visit's grade copied on), then the check-ins of
    people measured at an activity who were not checked in (the minor who came along)."""
    stored = Visit.objects.bulk_create([v for v, _ in visits], batch_size=500)
    readings = []
    for visit, mine in zip(stored, [r for _, r in visits], strict=True):
        for reading in mine:
            reading.visit = visit
            for name in MIRRORED:
                setattr(reading, name, getattr(visit, name))
            readings.append(reading)
    BPReading.objects.bulk_create(readings, batch_size=500)
    wanted = {(v.event_id, v.resident_id) for v in stored if v.event_id}
    present = set(
        Attendance.objects.filter(event_id__in={e for e, _ in wanted}).values_list(
            "event_id", "resident_id"
        )
    )
    Attendance.objects.bulk_create(
        [Attendance(event_id=e, resident_id=r) for e, r in sorted(wanted - present)]
    )
    return len(readings)


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
    systolic = int(min(MAX_SYSTOLIC, max(95, round(systolic + rng.gauss(0, 6)))))
    diastolic = int(min(MAX_DIASTOLIC, max(55, round(diastolic + rng.gauss(0, 4)))))
    return systolic, min(diastolic, systolic - 25)


def _make_urgent(visits, today) -> list[Visit]:
    """Make three visits grade 3 (URGENT_VALUES): the last adult pair at the latest screening,
    and one each at the two screenings before it over a week old (fewer such screenings: other
    visits over a week old). Returns them, the open one last."""
    pairs = [
        (visit, readings)
        for visit, readings in visits
        if visit.reading_count == 2
        and not visit.needs_another
        and visit.category != "not_graded"
        and (visit.event is None or visit.event.kind == "bp_screening")
    ]
    if not pairs:
        return []
    latest = max(_day(v) for v, _ in pairs)
    last = next(p for p in reversed(pairs) if _day(p[0]) == latest)
    older = [p for p in pairs if p is not last and (today - _day(p[0])).days > 7]
    earlier = []
    for day in sorted({_day(v) for v, _ in older if _day(v) != latest}, reverse=True)[:2]:
        earlier.insert(0, next(p for p in reversed(older) if _day(p[0]) == day))
    # Fewer than two earlier screenings: others of those over a week old make up the two.
    spare = [p for p in reversed(older) if not any(p is q for q in earlier)]
    earlier = spare[: 2 - len(earlier)][::-1] + earlier
    chosen = [*earlier, last]
    for visit, readings in chosen:
        for reading, (systolic, diastolic) in zip(readings, URGENT_VALUES, strict=True):
            reading.systolic, reading.diastolic = systolic, diastolic
        visit_values_apply(visit, readings)
        for reading in readings:
            for name in MIRRORED:
                setattr(reading, name, getattr(visit, name))
    return [v for v, _ in chosen]


def _day(visit) -> dt.date:
    return timezone.localtime(visit.started_at).date()


def _referrals(visits, rng, today, urgent=()) -> list[Referral]:
    """A referral per referring visit; the older ones mostly followed up (items and words),
    the urgent ones as URGENT_FOLLOW_UPS says (the last one open)."""
    made = []
    placed = {id(v): n for n, v in enumerate(urgent)}
    for visit in visits:
        if visit.referral == "none":
            continue
        measured_on = _day(visit)
        referral = Referral(
            visit=visit,
            community_id=visit.community_id,
            resident_id=visit.resident_id,
            urgency=visit.referral,
            due_on=referral_due_on(visit.started_at),
        )
        made.append(referral)
        if id(visit) in placed:
            if placed[id(visit)] < len(urgent) - 1:
                outcome, items, after, following = URGENT_FOLLOW_UPS[placed[id(visit)] % 2]
                on = min(today, measured_on + dt.timedelta(days=after))
                _followed_up(referral, on, outcome, items, on + dt.timedelta(days=following))
            continue
        if (today - measured_on).days <= 7:
            continue
        # Most older referrals were worked through; a few slipped past the window (overdue),
        # and of those some were called without reaching the resident.
        chance = rng.random()
        if chance < 0.8:
            outcome, items, following = rng.choice(OUTCOMES)
            on = min(today, measured_on + dt.timedelta(rng.randint(1, 20)))
            after = on + dt.timedelta(days=following) if following else None
            _followed_up(referral, on, outcome, items, after)
        elif chance < 0.9:
            on = min(today, measured_on + dt.timedelta(rng.randint(1, 10)))
            referral.followed_up_on, referral.reached = on, False
            referral.outcome = NOT_REACHED
            referral.next_follow_up_on = max(today, on + dt.timedelta(days=3))
    return made


def _followed_up(referral, on, outcome, items, following) -> None:
    referral.status = ReferralStatus.FOLLOWED_UP
    referral.followed_up_on = on
    referral.reached = True
    referral.outcome = outcome
    referral.next_follow_up_on = following
    for name, value in items.items():
        setattr(referral, name, value)


def seed_desk_screening(*, communities, today: dt.date, stdout=None) -> int:
    """Today's free screening in the first community's square, not yet measured: the one to open
    on the desk (/activities/<id>/desk/) for a demonstration. Made after seed_readings, so that
    nobody is measured there yet; safe to run twice."""
    from healthedu.org.models import Role, User

    communities = list(communities)
    if not communities:
        return 0
    community = communities[0]
    zone = timezone.get_current_timezone()
    starts_at = dt.datetime.combine(today, dt.time(8, 30), tzinfo=zone)
    title = "重阳健康行·文化广场免费测血压"
    if Event.objects.filter(community=community, title=title, starts_at=starts_at).exists():
        return 0
    creator = User.objects.filter(role=Role.EDUCATOR, communities=community).order_by("pk").first()
    event = Event.objects.create(
        community=community,
        kind="bp_screening",
        title=title,
        venue="文化广场",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        status="planned",
        speaker="社区卫生服务站 家庭医生团队",
        created_by=creator,
    )
    if stdout is not None:
        stdout.write(f"desk: today's screening “{title}” is /activities/{event.pk}/desk/")
    return 1
