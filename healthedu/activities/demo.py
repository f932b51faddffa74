"""Demo activities: fourteen months of the plan for each demo community, held ones with records.

A fixed monthly timetable (each kind on its own days and venues, so no venue is double-booked):
monthly lectures, consultations in ten months, monthly blood-pressure screenings, two publicity
boards each updated every seven weeks, printed material every month (two new kinds each time),
audio-visual showings in seven months, individual education, checkups, educator training,
quarterly leading-group meetings, and a weekly morning exercise made by a repeat series.
Past activities are held (a few lack their summary, so the flag shows), the rest planned.
The first community falls short on purpose, so that the pages show the plan's reasons
(reports.progress): no lecture in the month two months back, and its second board not updated
for the last 75 days (overdue by the two-month rule).
Deterministic (seeded per community) and bulk: a few dozen queries per community.
"""

import datetime as dt
import random

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from healthedu.activities.models import (
    Attachment,
    AttachmentCategory,
    Attendance,
    Event,
    EventKind,
    EventMaterial,
    EventStatus,
    MaterialMedium,
    RepeatRule,
    Series,
    attachment_path,
)
from healthedu.org.models import Role, User
from healthedu.program.models import Topic
from reports.formatting import user_name
from residents.models import Resident

LECTURE_TOPICS = [
    ("hypertension", "高血压的防治与自我管理"),
    ("diabetes", "糖尿病饮食与运动指导"),
    ("cardio_cerebrovascular", "预防心脑血管疾病"),
    ("tobacco_control", "吸烟的危害与戒烟方法"),
    ("elderly_care", "老年人跌倒预防与居家安全"),
    ("women_health", "妇女“两癌”筛查知识"),
    ("tuberculosis", "结核病的早发现与规范治疗"),
    ("healthy_lifestyle", "合理膳食，减盐减油减糖"),
    ("adolescent_mental_health", "青少年心理健康与情绪管理"),
    ("cancer", "常见恶性肿瘤的早期信号"),
    ("aids", "艾滋病防治知识"),
    ("emergency", "突发公共卫生事件与家庭应急"),
    ("hepatitis_b", "乙肝的传播途径与疫苗接种"),
    ("family_planning", "优生优育与孕期保健"),
]
PRINT_KINDS = [
    ("高血压防治手册", "hypertension"),
    ("糖尿病防治折页", "diabetes"),
    ("控烟宣传单", "tobacco_control"),
    ("合理膳食宣传画", "healthy_lifestyle"),
    ("艾滋病防治知识折页", "aids"),
    ("结核病防治宣传单", "tuberculosis"),
    ("老年人健康素养读本", "elderly_care"),
    ("妇女保健知识手册", "women_health"),
    ("乙肝防治宣传单", "hepatitis_b"),
    ("心脑血管疾病预防折页", "cardio_cerebrovascular"),
    ("中国公民健康素养66条", "healthy_lifestyle"),
    ("青春期健康手册", "adolescent_mental_health"),
    ("传染病防控宣传单", "emergency"),
    ("卫生法规知识问答", "health_law"),
    ("恶性肿瘤早筛宣传单", "cancer"),
    ("禽流感预防知识折页", "avian_influenza"),
    ("优生优育知识手册", "family_planning"),
    ("居民健康档案宣传单", "health_law"),
    ("全民健身指南", "healthy_lifestyle"),
    ("心理健康自助手册", "adolescent_mental_health"),
]
AV_KINDS = [
    ("《远离高血压》宣传片", "hypertension"),
    ("《控烟，从我做起》", "tobacco_control"),
    ("《糖尿病的自我管理》", "diabetes"),
    ("《预防艾滋病》公益片", "aids"),
    ("《老年人防跌倒》", "elderly_care"),
    ("《应急救护：心肺复苏》", "emergency"),
    ("《健康生活方式》系列片", "healthy_lifestyle"),
    ("《结核病防治》", "tuberculosis"),
]
SUMMARIES = [
    "活动按计划开展，居民参与积极，现场互动良好，发放资料到位。下次增加问答环节。",
    "参加居民反映内容实用、通俗易懂；部分老年居民希望多开展此类活动。",
    "活动秩序良好，达到预期效果。存在问题：宣传覆盖面仍需扩大，下次提前在居民群通知。",
    "现场发放资料并解答居民疑问，居民健康意识有所提高，后续将开展随访。",
]
SPEAKERS = ["社区卫生服务中心李医生", "区疾控中心王医师", "社区卫生服务站张护士", "家庭医生刘医生"]


def _months(today: dt.date) -> list[dt.date]:
    """First days of the 12 months up to this one, and the next month (planned)."""
    first = today.replace(day=1)
    months = []
    for back in range(12, -2, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(dt.date(index // 12, index % 12 + 1, 1))
    return months


class _Builder:
    def __init__(self, community, today, rng, creator):
        self.community = community
        self.rng = rng
        self.creator = creator
        # Named as a person (李秀英, no space), never a login: reports.formatting.user_name.
        self.organiser = user_name(creator)
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.events: list[Event] = []
        self.topics: list[tuple[Event, list[str]]] = []
        self.materials: list[tuple[Event, str, int, str]] = []
        self.audience: list[tuple[Event, int]] = []  # (event, residents to check in)

    def add(
        self,
        kind,
        title,
        day: dt.date,
        start: dt.time,
        minutes: int,
        venue: str,
        *,
        topics=(),
        audience=0,
        walk_ins=(0, 0),
        series=None,
        groups=(),
        speaker="",
    ) -> Event:
        starts_at = dt.datetime.combine(day, start, tzinfo=self.zone)
        ends_at = starts_at + dt.timedelta(minutes=minutes)
        held = ends_at < self.now
        event = Event(
            community=self.community,
            kind=kind,
            title=title,
            venue=venue,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=60 if kind == EventKind.LECTURE else None,
            target_groups=list(groups),
            speaker=speaker,
            organiser=self.organiser,
            status=EventStatus.HELD if held else EventStatus.PLANNED,
            walk_ins=self.rng.randint(*walk_ins) if held else 0,
            form=EventKind(kind).label,
            recorder=self.organiser,
            responsible="社区主任",
            series=series,
            created_by=self.creator,
        )
        if held:
            event.content = f"{title}：讲解、答疑并发放资料。"
            event.recorded_on = ends_at.date()
            # A few records are left unfinished, so that the flag shows in the demo.
            event.summary = "" if self.rng.random() < 0.05 else self.rng.choice(SUMMARIES)
        self.events.append(event)
        self.topics.append((event, list(topics)))
        if held and audience:
            self.audience.append((event, audience))
        return event

    def material(self, event: Event, kind: str, count: int, medium=MaterialMedium.PRINT) -> None:
        if event.status == EventStatus.HELD:
            self.materials.append((event, kind, count, medium))


# The first community's shortfalls: the month without a lecture (months back from this one) and
# the days its second board has gone without an update.
SKIPPED_LECTURE_MONTHS_BACK = 2
BOARD_OVERDUE_DAYS = 75


def _skipped_lecture_month(today: dt.date) -> dt.date:
    index = today.year * 12 + today.month - 1 - SKIPPED_LECTURE_MONTHS_BACK
    return dt.date(index // 12, index % 12 + 1, 1)


def _plan(builder: _Builder, months: list[dt.date], *, skipped: dt.date | None = None) -> None:
    """The monthly timetable; no lecture in the month `skipped` (the first community's gap)."""
    rng = builder.rng
    print_index = av_index = 0
    for number, month in enumerate(months):

        def on(day: int, spread: int = 1, month=month) -> dt.date:
            return month.replace(day=day + rng.randint(0, spread))

        topic, title = LECTURE_TOPICS[number % len(LECTURE_TOPICS)]
        if month != skipped:
            lecture = builder.add(
                EventKind.LECTURE,
                title,
                on(8),
                dt.time(9, 30),
                90,
                "社区活动室",
                topics=[topic],
                audience=rng.randint(15, 35),
                walk_ins=(0, 8),
                speaker=rng.choice(SPEAKERS),
                groups=["elderly"] if topic in ("hypertension", "elderly_care") else [],
            )
            builder.material(
                lecture, PRINT_KINDS[number % len(PRINT_KINDS)][0], rng.randint(30, 60)
            )
        if month.month not in (1, 2):
            consultation = builder.add(
                EventKind.CONSULTATION,
                f"{month.month}月公众健康咨询",
                on(15),
                dt.time(9, 0),
                150,
                "社区广场",
                topics=[rng.choice(LECTURE_TOPICS)[0], "healthy_lifestyle"],
                audience=rng.randint(25, 50),
                walk_ins=(10, 40),
            )
            for kind, _topic in rng.sample(PRINT_KINDS, 2):
                builder.material(consultation, kind, rng.randint(50, 150))
        builder.add(
            EventKind.BP_SCREENING,
            f"{month.month}月免费测量血压",
            on(20),
            dt.time(8, 30),
            120,
            "社区卫生服务站",
            topics=["hypertension"],
            audience=rng.randint(20, 40),
            walk_ins=(0, 5),
            groups=["elderly"],
        )
        print_event = builder.add(
            EventKind.PRINT_MATERIAL,
            f"{month.month}月健康教育资料发放",
            on(10),
            dt.time(14, 0),
            120,
            "社区服务大厅",
            audience=rng.randint(5, 15),
            walk_ins=(30, 80),
        )
        for _ in range(2):
            kind = PRINT_KINDS[print_index % len(PRINT_KINDS)][0]
            print_index += 1
            builder.material(print_event, kind, rng.randint(80, 200))
        if month.month in (2, 4, 5, 7, 9, 10, 11):
            kind, kind_topic = AV_KINDS[av_index % len(AV_KINDS)]
            av_index += 1
            showing = builder.add(
                EventKind.AV_SHOWING,
                f"音像资料播放：{kind}",
                on(12),
                dt.time(15, 0),
                90,
                "社区活动室",
                topics=[kind_topic],
                audience=rng.randint(10, 25),
                walk_ins=(0, 10),
            )
            builder.material(showing, kind, 1, MaterialMedium.AV)
        if month.month % 2 == 0:
            builder.add(
                EventKind.INDIVIDUAL,
                "高血压患者个体化健康指导",
                on(18),
                dt.time(10, 0),
                30,
                "健康小屋",
                topics=["hypertension"],
                audience=1,
            )
        if month.month == 3:
            builder.add(
                EventKind.CHECKUP,
                "妇女病体检",
                on(25),
                dt.time(8, 0),
                180,
                "社区卫生服务站",
                topics=["women_health"],
                audience=rng.randint(15, 30),
                groups=["women"],
            )
        if month.month == 9:
            builder.add(
                EventKind.CHECKUP,
                "老年人健康体检",
                on(25),
                dt.time(8, 0),
                180,
                "社区卫生服务站",
                topics=["elderly_care"],
                audience=rng.randint(20, 35),
                groups=["elderly"],
            )
        if month.month in (4, 10):
            builder.add(
                EventKind.TRAINING,
                "健康教导员业务培训",
                on(22),
                dt.time(14, 0),
                120,
                "社区会议室",
                walk_ins=(4, 8),
                speaker=rng.choice(SPEAKERS),
            )
        if month.month in (1, 4, 7, 10):
            builder.add(
                EventKind.MEETING,
                f"{(month.month - 1) // 3 + 1}季度健康教育领导小组会议",
                on(5),
                dt.time(15, 0),
                60,
                "社区会议室",
                walk_ins=(5, 9),
            )


def _boards(builder: _Builder, months: list[dt.date], *, lapse_from: dt.date | None = None) -> None:
    """Two publicity boards, each updated every seven weeks (within the two-month rule); with
    `lapse_from`, the second board is not updated from that day up to today (overdue)."""
    end = (months[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    today = timezone.localdate(builder.now)
    for offset, board in ((2, "一号宣传栏"), (26, "二号宣传栏")):
        day = months[0] + dt.timedelta(days=offset)
        number = 0
        while day < end:
            if lapse_from and board == "二号宣传栏" and lapse_from <= day <= today:
                day += dt.timedelta(weeks=7)
                continue
            topic, title = LECTURE_TOPICS[(number * 3 + offset) % len(LECTURE_TOPICS)]
            builder.add(
                EventKind.BOARD_UPDATE,
                f"{board}更新：{title}",
                day,
                dt.time(14, 0),
                60,
                board,
                topics=[topic],
                # The record counts the residents who stopped to read (an estimate, as on paper).
                walk_ins=(15, 40),
            )
            day += dt.timedelta(weeks=7)
            number += 1


def _morning_exercise(builder: _Builder, months: list[dt.date]) -> None:
    """Weekly morning exercise on Wednesdays, made as a repeat; a rainy day now and then cancels one."""
    first = months[0]
    while first.weekday() != 2:
        first += dt.timedelta(days=1)
    last = (months[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    series = Series.objects.create(
        community=builder.community,
        rule=RepeatRule.WEEKLY,
        interval=1,
        until=last,
        created_by=builder.creator,
    )
    day = first
    while day <= last:
        event = builder.add(
            EventKind.FITNESS,
            "晨练：太极拳",
            day,
            dt.time(7, 0),
            60,
            "社区广场",
            topics=["healthy_lifestyle"],
            audience=builder.rng.randint(8, 20),
            walk_ins=(0, 6),
            series=series,
            groups=["elderly"],
        )
        if builder.rng.random() < 0.04:
            event.status = EventStatus.CANCELLED
            event.detached = True
            event.walk_ins = 0
            event.summary = ""
        day += dt.timedelta(weeks=1)


def _save(builder: _Builder, residents: list[Resident], topic_ids: dict[str, int]) -> int:
    Event.objects.bulk_create(builder.events, batch_size=500)
    through = Event.topics.through
    through.objects.bulk_create(
        [
            through(event_id=event.pk, topic_id=topic_ids[code])
            for event, codes in builder.topics
            for code in dict.fromkeys(codes)
            if code in topic_ids
        ],
        batch_size=1000,
    )
    EventMaterial.objects.bulk_create(
        [
            EventMaterial(event_id=event.pk, kind=kind, count=count, medium=medium)
            for event, kind, count, medium in builder.materials
        ],
        batch_size=1000,
    )
    rows = []
    for event, size in builder.audience:
        if event.status != EventStatus.HELD:
            continue
        wanted = set(event.target_groups)
        pool = [r for r in residents if wanted & set(r.groups_on(event.starts_at.date()))]
        if len(pool) < size:
            pool = residents
        for resident in builder.rng.sample(pool, min(size, len(pool))):
            rows.append(Attendance(event_id=event.pk, resident_id=resident.pk))
    Attendance.objects.bulk_create(rows, batch_size=1000)
    _sign_in_scans(builder)
    # Check-in times as on the day (bulk_create stamps "now"): a few minutes before the start.
    Attendance.objects.filter(event__community=builder.community).update(
        checked_in_at=Subquery(
            Event.objects.filter(pk=OuterRef("event_id")).values("starts_at")[:1]
        )
    )
    return len(rows)


def _scan_image() -> bytes:
    """A plain image standing in for a scanned paper sign-in sheet (ruled lines)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (420, 594), 250)
    draw = ImageDraw.Draw(image)
    for y in range(60, 580, 26):
        draw.line((20, y, 400, y), fill=120)
    for x in (20, 70, 200, 300, 400):
        draw.line((x, 60, x, 580), fill=120)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _sign_in_scans(builder: _Builder) -> None:
    """Most held activities with walk-ins keep the scan of their paper sign-in sheet
    (存档材料: 签到表), which is where walk-ins signed; a few are left for the ledger check."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    scan = _scan_image()
    attachments = []
    for event in builder.events:
        if event.status != EventStatus.HELD or not event.walk_ins or builder.rng.random() < 0.15:
            continue
        name = default_storage.save(
            attachment_path(Attachment(event=event), "signin.png"), ContentFile(scan)
        )
        attachments.append(
            Attachment(
                event=event,
                category=AttachmentCategory.SIGN_IN,
                file=name,
                original_name="签到表.png",
                content_type="image/png",
                size=len(scan),
                uploaded_by=builder.creator,
            )
        )
    Attachment.objects.bulk_create(attachments, batch_size=500)


def seed_activities(*, communities, today: dt.date, stdout=None) -> int:
    communities = list(communities)
    months = _months(today)
    topic_ids = dict(Topic.objects.values_list("code", "pk"))
    total_events = total_attendance = 0
    for community in communities:
        if Event.objects.filter(community=community).exists():
            continue  # already seeded: the step is safe to run twice
        rng = random.Random(f"activities-{community.code}")
        creator = (
            User.objects.filter(role=Role.EDUCATOR, communities=community).order_by("pk").first()
        )
        residents = list(
            Resident.objects.filter(community=community, status="active").order_by("pk")
        )
        builder = _Builder(community, today, rng, creator)
        # The first community falls short on purpose (see the module's docstring).
        shortfalls = community == communities[0]
        _plan(builder, months, skipped=_skipped_lecture_month(today) if shortfalls else None)
        _boards(
            builder,
            months,
            lapse_from=today - dt.timedelta(days=BOARD_OVERDUE_DAYS) if shortfalls else None,
        )
        _morning_exercise(builder, months)
        total_attendance += _save(builder, residents, topic_ids)
        total_events += len(builder.events)
    if stdout is not None:
        stdout.write(f"activities: {total_events} activities, {total_attendance} check-ins")
    return total_events
