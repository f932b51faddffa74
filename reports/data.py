"""The monthly ledger as plain data. The builder (reports.ledger) fills it; renderers only read it.

Nothing here touches the database or knows about PDF or Excel: the numbers are tested on these
objects, and the PDF and the workbook are two thin views of the same objects.
"""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cover:
    community_code: str
    community_name: str
    street: str
    district: str
    month: dt.date
    made_by: str
    made_at: dt.datetime


@dataclass(frozen=True)
class Figure:
    """One line of 'the month's figures against the yearly minimums'."""

    kind: str
    label: str
    unit: str  # 次 (times) or 种 (kinds)
    month_count: int
    year_count: int  # from 1 January up to the end of the ledger's month
    minimum: int | None  # yearly minimum; None = the specification sets none
    expected_by_now: int | None  # the minimum pro rata to the end of the month
    # The cadence rules as of the month's end (reports.progress.kind_progress): None = no minimum.
    met: bool | None = None
    reasons: tuple[str, ...] = ()  # what is missing, in sentences a person can act on

    @property
    def on_schedule(self) -> bool | None:
        return None if self.expected_by_now is None else self.year_count >= self.expected_by_now


@dataclass(frozen=True)
class RosterRow:
    name: str
    sex: str
    age: int | None
    groups: str  # labels of the key populations as of the activity's date, joined
    phone: str  # masked, always
    checked_in_at: dt.datetime | None


@dataclass(frozen=True)
class Material:
    kind: str
    count: int


@dataclass(frozen=True)
class ArchiveBox:
    """One 存档材料 box of the record form, ticked when an attachment of that category exists."""

    code: str
    label: str
    ticked: bool


@dataclass
class ActivityRecord:
    """Every field of the 健康教育活动记录表, plus the roster and what the checks need."""

    id: int
    kind: str
    form: str  # 活动形式
    title: str
    status: str
    status_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    venue: str  # 活动地点
    topics: list[str]  # 活动主题 (topic names)
    organiser: str  # 组织者
    audience: str  # 接受健康教育人员类别
    attendee_count: int  # signed-in residents
    walk_ins: int  # attendees not registered as residents
    materials: list[Material]  # 健康教育资料发放种类及数量
    content: str  # 活动内容
    summary: str  # 活动总结评价
    archive: list[ArchiveBox]  # 存档材料
    recorder: str  # 填表人
    responsible: str  # 负责人
    filled_on: dt.date | None  # 填表时间
    roster: list[RosterRow] = field(default_factory=list)
    signed_in: int | None = None  # 签到人数 as written on the sign-in sheet, when recorded
    # A scan of the paper sign-in sheet is attached (walk-ins who signed only on paper are then
    # accounted for); the 签到表 box is also ticked by the roster the ledger prints.
    paper_sign_in: bool = False

    @property
    def participant_count(self) -> int:
        """接受健康教育人数 = signed-in residents + walk-ins."""
        return self.attendee_count + self.walk_ins

    @property
    def time_text(self) -> str:
        start = self.starts_at
        if self.ends_at is None:
            return f"{start:%Y-%m-%d %H:%M}"
        if self.ends_at.date() == start.date():
            return f"{start:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"
        return f"{start:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def topics_text(self) -> str:
        return "、".join(self.topics)


@dataclass(frozen=True)
class Reading:
    """One row of the blood-pressure table: a measurement visit (its mean and grade)."""

    measured_at: dt.datetime
    name: str
    sex: str
    age: int | None
    systolic: int
    diastolic: int
    pulse: int | None
    category: str
    category_label: str
    isolated_systolic: bool
    referral: str
    referral_label: str
    event_title: str
    # The readings averaged, as measured: [(systolic, diastolic), ...]; 1 to 3.
    values: tuple[tuple[int, int], ...] = ()

    @property
    def reading_count(self) -> int:
        return len(self.values) or 1

    @property
    def single(self) -> bool:
        """A visit of one reading: valid, but not the guideline's mean of two (marked)."""
        return self.reading_count == 1

    @property
    def values_text(self) -> str:
        return "、".join(f"{s}/{d}" for s, d in self.values)


@dataclass
class BloodPressure:
    readings: list[Reading]  # one per measurement visit
    by_category: list[tuple[str, str, int]]  # (code, label, visits), every category, in order
    referrals: int
    urgent_referrals: int

    @property
    def total(self) -> int:
        """Measurement visits (people graded once each time they were measured)."""
        return len(self.readings)

    @property
    def reading_total(self) -> int:
        return sum(r.reading_count for r in self.readings)

    @property
    def single_total(self) -> int:
        return sum(1 for r in self.readings if r.single)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    rate: float | None  # None where the denominator is 0: "no data", never 0 %
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class GroupRates:
    group: str
    label: str
    knowledge: Rate
    behavior: Rate


@dataclass
class Rates:
    overall: GroupRates
    by_group: list[GroupRates]
    responses: int
    rounds: tuple[str, ...] = ()  # the rounds the figures cover (each person once, latest)


@dataclass(frozen=True)
class Check:
    """A consistency problem to fix before printing."""

    code: str
    activity_id: int | None
    activity_title: str
    message: str
    fix: str = ""  # what to do about it, in a sentence (shown on the ledger page)


@dataclass(frozen=True)
class UnlockNote:
    unlocked_at: dt.datetime
    unlocked_by: str
    reason: str
    locked_at: dt.datetime | None


@dataclass
class Ledger:
    cover: Cover
    figures: list[Figure]
    activities: list[ActivityRecord]
    blood_pressure: BloodPressure
    rates: Rates
    checks: list[Check]
    unlocks: list[UnlockNote]
    finalised: bool = False

    @property
    def roster_rows(self) -> int:
        return sum(len(a.roster) for a in self.activities)
