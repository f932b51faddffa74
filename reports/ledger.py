"""Step one of the monthly ledger: one community-month gathered into plain data (reports.data).

Activities, attendance, readings and rates come from their apps' own selectors and rate
functions; this module only reads and arranges. The query count does not grow with the number
of activities or rows (prefetches; tests pin it).
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.activities.models import (
    AttachmentCategory,
    Attendance,
    Event,
    EventKind,
    EventStatus,
    MaterialMedium,
)
from healthedu.activities.rules import material_kind_key
from healthedu.activities.selectors import FLAG_NO_PARTICIPANTS, FLAG_NO_SUMMARY, event_flags
from healthedu.audit.models import Action, AuditEntry
from healthedu.months import month_bounds, month_end
from healthedu.org.reach import Reach
from healthedu.screening.bp import Category
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.selectors import visit_rows_for_month
from healthedu.surveys.rates import RateQuery, rates
from reports import data
from reports.formatting import clean_name, user_name
from reports.models import PeriodLock
from reports.progress import KIND_MEDIUM, kind_progress
from residents.groups import ALL_GROUPS, GROUP_LABELS

# A board update has readers, not participants: "nobody took part" is no problem there.
NO_AUDIENCE_KINDS = {EventKind.BOARD_UPDATE}
# The 存档材料 boxes of the paper form, in its order.
ARCHIVE_ORDER = [
    AttachmentCategory.WRITTEN,
    AttachmentCategory.PHOTO,
    AttachmentCategory.PRINTED,
    AttachmentCategory.AUDIOVISUAL,
    AttachmentCategory.SIGN_IN,
    AttachmentCategory.OTHER,
]


def build_ledger(
    *,
    community,
    month: dt.date,
    made_by: str = "",
    made_at: dt.datetime | None = None,
    progress: Callable[[float], None] | None = None,
) -> data.Ledger:
    """The ledger of `community` for `month` (its first day). `progress(fraction)` per activity."""
    made_at = made_at or timezone.now()
    events = _held_events(community.pk, month)
    activities = []
    for index, event in enumerate(events):
        activities.append(activity_record(event))
        if progress:
            progress((index + 1) / max(1, len(events)))
    ledger = data.Ledger(
        cover=data.Cover(
            community_code=community.code,
            community_name=community.name,
            street=community.street.name,
            district=community.street.district.name,
            month=month,
            made_by=made_by or _("made automatically"),
            made_at=timezone.localtime(made_at),
        ),
        figures=figures(community_id=community.pk, month=month, events=events, made_at=made_at),
        activities=activities,
        blood_pressure=blood_pressure(community_id=community.pk, month=month),
        rates=month_rates(community_id=community.pk, month=month),
        checks=[],
        unlocks=unlock_notes(community_id=community.pk, month=month),
        finalised=PeriodLock.objects.filter(
            community_id=community.pk, month=month, active=True
        ).exists(),
    )
    _name_recorders(ledger.activities)
    ledger.checks = consistency_checks(ledger.activities, _overdue_planned(community.pk, month))
    if progress:
        progress(1.0)
    return ledger


def _held_events(community_id: int, month: dt.date) -> list[Event]:
    start, end = month_bounds(month)
    return list(
        Event.objects.filter(
            community_id=community_id,
            status=EventStatus.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("created_by")
        .prefetch_related(
            "topics",
            "materials",
            "attachments",
            "walk_in_entries",
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("resident").order_by(
                    "checked_in_at", "id"
                ),
            ),
        )
        .order_by("starts_at", "id")
    )


def _overdue_planned(community_id: int, month: dt.date) -> list[Event]:
    """Activities of the month still 'planned' after they are over (one under way is not late)."""
    start, end = month_bounds(month)
    return list(
        Event.objects.filter(
            community_id=community_id,
            status=EventStatus.PLANNED,
            starts_at__gte=start,
            starts_at__lt=end,
            ends_at__lt=timezone.now(),
        ).order_by("starts_at", "id")
    )


def activity_record(event: Event) -> data.ActivityRecord:
    starts_at = timezone.localtime(event.starts_at)
    day = starts_at.date()
    attendances = list(event.attendances.all())
    roster = [_roster_row(a.resident, day, a.checked_in_at) for a in attendances]
    roster += [
        data.RosterRow(
            name=w.name or _("(name not given)"),
            sex="",
            age=None,
            groups=_("not registered"),
            phone="",
            checked_in_at=timezone.localtime(w.signed_in_at),
        )
        for w in event.walk_in_entries.all()
    ]
    archived = {a.category for a in event.attachments.all()}
    paper_sign_in = AttachmentCategory.SIGN_IN in archived
    if roster:  # the ledger prints the sign-in roster after the form: a 签到表 is archived
        archived.add(AttachmentCategory.SIGN_IN)
    return data.ActivityRecord(
        id=event.pk,
        kind=event.kind,
        form=event.form or event.get_kind_display(),
        title=event.title,
        status=event.status,
        status_label=event.get_status_display(),
        starts_at=starts_at,
        ends_at=timezone.localtime(event.ends_at) if event.ends_at else None,
        venue=event.venue,
        topics=[t.name for t in event.topics.all()],
        organiser=clean_name(event.organiser),
        audience=_audience(event.target_groups, [a.resident for a in attendances], day),
        attendee_count=len(attendances),
        walk_ins=event.walk_ins,
        materials=[data.Material(m.kind, m.count) for m in event.materials.all()],
        content=event.content,
        summary=event.summary,
        archive=[
            data.ArchiveBox(code=c.value, label=str(c.label), ticked=c.value in archived)
            for c in ARCHIVE_ORDER
        ],
        # 填表人: as written on the record, else the educator who entered the activity (their
        # name, never their login; _name_recorders resolves a login written there).
        recorder=clean_name(event.recorder) or user_name(event.created_by),
        responsible=clean_name(event.responsible),
        filled_on=event.recorded_on,
        roster=roster,
        signed_in=len(roster),
        paper_sign_in=paper_sign_in,
    )


def _name_recorders(activities: list[data.ActivityRecord]) -> None:
    """A 填表人 written as a login (older records, the demo's) is printed as that user's name:
    one query for the month."""
    from django.contrib.auth import get_user_model

    written = {a.recorder for a in activities if a.recorder}
    if not written:
        return
    names = {
        u.username: user_name(u)
        for u in get_user_model()
        .objects.filter(username__in=written)
        .only("username", "first_name", "last_name")
    }
    for a in activities:
        a.recorder = names.get(a.recorder, a.recorder)


def _roster_row(resident, day: dt.date, checked_in_at) -> data.RosterRow:
    groups = resident.groups_on(day)
    return data.RosterRow(
        name=clean_name(resident.name),
        sex=resident.sex,
        age=resident.age_on(day),  # from the birth month, as everything shown of a person
        groups="、".join(str(GROUP_LABELS[g]) for g in groups),
        phone=resident.phone_masked,  # masked, never the full number
        checked_in_at=timezone.localtime(checked_in_at) if checked_in_at else None,
    )


def _audience(target_groups, residents, day: dt.date) -> str:
    """接受健康教育人员类别: the groups of the registered residents who attended, as of the
    activity's day (residents.groups, the one rule; the residents are prefetched, so no query per
    attendee), in the groups' order; the planned target groups where none attended."""
    present = {group for resident in residents for group in resident.groups_on(day)}
    if present:
        groups = [g for g in ALL_GROUPS if g in present]
    else:
        groups = [g for g in (target_groups or []) if g in GROUP_LABELS]
    if not groups:
        return _("residents of the community")
    return "、".join(str(GROUP_LABELS[g]) for g in groups)


def figures(
    *, community_id: int, month: dt.date, events: list[Event], made_at
) -> list[data.Figure]:
    """Per kind: this month, the year so far, the yearly minimum, what is due by the month's end,
    met and the reasons.

    The year's figures are reports.progress.kind_progress (the one home of the cadence rules, with
    the progress page, the summary and the home page), judged on the month's last day: October's
    ledger says the same in December as on 1 November.
    """
    progress_rows = kind_progress(
        community_id=community_id, year=month.year, as_of=month_end(month)
    )
    month_held: dict[str, int] = {}
    month_kinds: dict[str, set] = {MaterialMedium.PRINT: set(), MaterialMedium.AV: set()}
    for event in events:
        month_held[event.kind] = month_held.get(event.kind, 0) + 1
        for material in event.materials.all():
            if material.medium in month_kinds:
                month_kinds[material.medium].add(material_kind_key(material.kind))
    result = []
    for row in progress_rows:
        kind = row["kind"]
        if kind in KIND_MEDIUM:
            month_count, unit = len(month_kinds[KIND_MEDIUM[kind]]), _("kinds")
        else:
            month_count, unit = month_held.get(kind, 0), _("times")
        result.append(
            data.Figure(
                kind=kind,
                label=row["label"],
                unit=unit,
                month_count=month_count,
                year_count=row["count"],
                minimum=row["minimum"],
                expected_by_now=row["expected_by_now"],
                met=row["met"],
                reasons=tuple(row["reasons"]),
            )
        )
    # Kinds with a minimum first, in the specification's order; the others after them.
    return sorted(result, key=lambda f: f.minimum is None)


def blood_pressure(*, community_id: int, month: dt.date) -> data.BloodPressure:
    """One row per measurement visit (the guideline's mean), counted by visit, not reading."""
    rows = visit_rows_for_month(reach=Reach.everything().narrow([community_id]), month=month)
    readings = [
        data.Reading(
            measured_at=timezone.localtime(r["measured_at"]),
            name=r["name"],
            sex=r["sex"],
            age=r["age"],
            systolic=r["systolic"],
            diastolic=r["diastolic"],
            pulse=r["pulse"],
            category=r["category"],
            category_label=r["category_label"],
            isolated_systolic=r["isolated_systolic"],
            referral=r["referral"],
            referral_label=r["referral_label"] if r["referral"] != ReferralKind.NONE else "",
            event_title=r["event_title"],
            values=tuple(r["readings"]),
        )
        for r in rows
    ]
    # Tallied from the screening app's visits (category and referral as it stored them).
    by_category = [
        (c.value, str(c.label), sum(1 for r in readings if r.category == c.value)) for c in Category
    ]
    return data.BloodPressure(
        readings=readings,
        by_category=by_category,
        referrals=sum(1 for r in readings if r.referral == ReferralKind.REFERRAL),
        urgent_referrals=sum(1 for r in readings if r.referral == ReferralKind.URGENT),
    )


def _rate(block: dict) -> data.Rate:
    return data.Rate(
        numerator=block["numerator"],
        denominator=block["denominator"],
        rate=block["rate"],
        ci_low=block["ci_low"],
        ci_high=block["ci_high"],
    )


def month_rates(*, community_id: int, month: dt.date) -> data.Rates:
    """The month's two rates by key population, from healthedu.surveys.rates (the one formula)."""
    query = RateQuery(
        reach=Reach.everything().narrow([community_id]),
        community=community_id,
        date_from=month,
        date_to=month_end(month),
        by=["group"],
    )
    result = rates(query)
    by_group = {entry["group"]: entry for entry in result["breakdown"]}
    groups = []
    for group in ALL_GROUPS:
        entry = by_group.get(group)
        empty = {"numerator": 0, "denominator": 0, "rate": None, "ci_low": None, "ci_high": None}
        groups.append(
            data.GroupRates(
                group=group,
                label=str(GROUP_LABELS[group]),
                knowledge=_rate(entry["knowledge"] if entry else empty),
                behavior=_rate(entry["behavior"] if entry else empty),
            )
        )
    overall = data.GroupRates(
        group="all",
        label=_("All respondents"),
        knowledge=_rate(result["knowledge"]),
        behavior=_rate(result["behavior"]),
    )
    responses = max(result["knowledge"]["denominator"], result["behavior"]["denominator"])
    return data.Rates(
        overall=overall,
        by_group=groups,
        responses=responses,
        rounds=tuple(result.get("rounds") or ()),
    )


def consistency_checks(
    activities: list[data.ActivityRecord], overdue_planned: list[Event] = ()
) -> list[data.Check]:
    """What to fix before printing: sign-in count ≠ people educated, a held activity with no
    summary (or nobody), a lecture without a topic, an activity left 'planned' after its date."""
    checks = []
    for a in activities:
        # Walk-ins who signed only the paper sheet are accounted for when its scan is kept
        # (存档材料: 签到表); otherwise the count on the form has nothing to back it.
        if a.signed_in is not None and a.signed_in != a.participant_count and not a.paper_sign_in:
            checks.append(
                data.Check(
                    "signin_mismatch",
                    a.id,
                    a.title,
                    _(
                        "%(signed)s signed in, but the form says %(people)s people were educated "
                        "(signed-in residents + walk-ins)."
                    )
                    % {"signed": a.signed_in, "people": a.participant_count},
                    _(
                        "Attach the scan of the paper sign-in sheet (archive box: sign-in sheet) "
                        "to count the walk-ins who signed only on paper, or correct the walk-ins "
                        "on the activity's record."
                    ),
                )
            )
        flags = event_flags(
            status=a.status, participant_count=a.participant_count, summary=a.summary
        )
        if FLAG_NO_SUMMARY in flags:
            checks.append(
                data.Check(
                    "no_summary",
                    a.id,
                    a.title,
                    _("Held, but the summary is missing."),
                    _("Write the summary and evaluation on the activity's record."),
                )
            )
        if FLAG_NO_PARTICIPANTS in flags and a.kind not in NO_AUDIENCE_KINDS:
            checks.append(
                data.Check(
                    "no_participants",
                    a.id,
                    a.title,
                    _("Held, but nobody took part."),
                    _(
                        "Check in the residents who came, or enter the walk-ins; if it did not "
                        "take place, mark it cancelled."
                    ),
                )
            )
        if a.kind == EventKind.LECTURE and not a.topics:
            checks.append(
                data.Check(
                    "lecture_no_topic",
                    a.id,
                    a.title,
                    _("A lecture without a topic."),
                    _("Choose the lecture's topics on the activity's page."),
                )
            )
    for event in overdue_planned:
        checks.append(
            data.Check(
                "still_planned",
                event.pk,
                event.title,
                _("Its date has passed, but it is neither marked held nor cancelled."),
                _("Mark it held (and fill in its record) or cancelled."),
            )
        )
    return checks


def unlock_notes(*, community_id: int, month: dt.date) -> list[data.UnlockNote]:
    """Every unlock of this community-month, from the audit log (the lock row keeps only the last)."""
    lock = PeriodLock.objects.filter(community_id=community_id, month=month).first()
    if lock is None:
        return []
    entries = (
        AuditEntry.objects.filter(
            model=PeriodLock._meta.label, object_id=str(lock.pk), action=Action.UNLOCK
        )
        .select_related("user")
        .order_by("at", "id")
    )
    return [
        data.UnlockNote(
            unlocked_at=timezone.localtime(e.at),
            unlocked_by=display_name(e.user),
            reason=e.note,
            locked_at=lock.locked_at,
        )
        for e in entries
    ]


def display_name(user) -> str:
    """A user named as a person (李秀英, reports.formatting); the login only if they have no name."""
    if user is None:
        return _("the system")
    return user_name(user)


def ledger_checks(*, community_id: int, month: dt.date) -> list[data.Check]:
    """The consistency checks alone, for the API and pages before a ledger is made."""
    activities = [activity_record(e) for e in _held_events(community_id, month)]
    return consistency_checks(activities, _overdue_planned(community_id, month))
