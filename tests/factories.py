"""Typed factories. Residents are built through the same service as the API, so PII is stored as in life."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from healthedu.org.models import Community, District, Role, Street, User
from residents.idnumber import check_digit

# The server's zone (settings.TIME_ZONE): the one zone tests write their moments in.
TZ = ZoneInfo("Asia/Shanghai")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["name"]

    name = "东湖区"


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ["district", "name"]

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"街道{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"社区{n}")
    street = factory.SubFactory(StreetFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.EDUCATOR
    password = factory.django.Password("pass-word-123")

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.set(extracted)

    @factory.post_generation
    def streets(self, create, extracted, **kwargs):
        if create and extracted:
            self.streets.set(extracted)


def make_id_number(birth: dt.date, sex: str, area: str = "110101", seq: int | None = None) -> str:
    """A valid 18-digit ID number for the birth date and sex."""
    seq = random.Random(f"{birth}{sex}{area}").randint(0, 99) if seq is None else seq
    # The 17th digit carries the sex: odd for men, even for women.
    body = f"{area}{birth:%Y%m%d}{seq % 100:02d}{1 if sex == 'M' else 2}"
    return body + check_digit(body)


_counter = {"n": 0}


def _factory_areas() -> list[str]:
    """Fifty real administrative-division codes (an ID number must start with one)."""
    from residents.idnumber import division_codes

    return sorted(division_codes())[:50]


def make_resident(
    community,
    *,
    name=None,
    sex="F",
    birth_date=None,
    age=None,
    on=None,
    is_migrant=False,
    id_number="auto",
    phone="auto",
    conditions=(),
    status="active",
    user=None,
    address="1栋1单元101",
):
    from residents.services import resident_create

    _counter["n"] += 1
    n = _counter["n"]
    if birth_date is None:
        on = on or timezone.localdate()
        # relativedelta: 40 years before 29 February 2028 is 28 February 1988, not a crash.
        birth_date = on - relativedelta(years=age if age is not None else 40) - dt.timedelta(days=1)
    if id_number == "auto":
        id_number = make_id_number(
            birth_date, sex, seq=n % 100, area=_factory_areas()[(n // 100) % 50]
        )
    if phone == "auto":
        phone = f"139{n:08d}"
    return resident_create(
        user=user,
        data={
            "name": name or f"居民{n}",
            "sex": sex,
            "birth_date": birth_date,
            "community": community,
            "address": address,
            "is_migrant": is_migrant,
            "id_number": id_number or "",
            "phone": phone or "",
            "conditions": list(conditions),
            "status": status,
        },
    )


def _moment(on: dt.date, at) -> dt.datetime:
    """`on` at the local time `at` ("09:30" or a datetime.time), in the server's zone."""
    if isinstance(at, str):
        at = dt.time.fromisoformat(at)
    return dt.datetime.combine(on, at, tzinfo=TZ)


def make_event(
    community,
    *,
    on: dt.date | None = None,
    at="09:00",
    hours: float = 2,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    kind="lecture",
    title="高血压防治讲座",
    venue="社区活动室",
    status="planned",
    topics=(),
    materials=(),
    attachments=(),
    user=None,
    **fields,
):
    """An activity on the date `on` at `at` for `hours`; `starts_at` (and `ends_at`), when given,
    win over those.

    Written as stored, not through event_create: a factory sets up history (a screening held in
    October), which the service's rules measure against the clock; tests of those rules call the
    service or the API. Topics: codes or Topic rows; materials: (kind, count, medium) or dicts."""
    from healthedu.activities.models import Attachment, Event, EventMaterial
    from healthedu.program.models import Topic

    if starts_at is None:
        if on is None:
            raise TypeError("make_event needs the day: on=datetime.date(...) or starts_at=")
        starts_at = _moment(on, at)
    event = Event.objects.create(
        community=community,
        kind=kind,
        title=title,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + dt.timedelta(hours=hours),
        status=status,
        created_by=user,
        **fields,
    )
    if topics:
        codes = [t for t in topics if isinstance(t, str)]
        rows = [t for t in topics if not isinstance(t, str)]
        event.topics.set(rows + list(Topic.objects.filter(code__in=codes)))
    for material in materials:
        if isinstance(material, dict):
            kind_name, count, medium = (
                material["kind"],
                material.get("count", 0),
                material.get("medium", "print"),
            )
        else:
            kind_name, count, medium = material
        EventMaterial.objects.create(event=event, kind=kind_name, count=count, medium=medium)
    for category in attachments:
        Attachment.objects.create(
            event=event,
            category=category,
            file=f"activities/{event.pk}/x",
            original_name="scan.jpg",
            content_type="image/jpeg",
            size=10,
        )
    return event


def make_reading(
    resident,
    systolic=150,
    diastolic=85,
    *,
    on: dt.date,
    at="10:00",
    pulse=72,
    event=None,
    user=None,
):
    """A blood-pressure reading taken on `on` at `at`, through the service (grades, referrals)."""
    from healthedu.screening.services import reading_create

    return reading_create(
        user=user,
        data={
            "resident": resident,
            "event": event,
            "systolic": systolic,
            "diastolic": diastolic,
            "pulse": pulse,
            "measured_at": _moment(on, at),
        },
    )


def make_survey(community, *, user=None, title="高血压知识与行为问卷", items=None):
    """A survey through the service; by default two knowledge items and one behaviour item on
    hypertension, each with its first option right."""
    from healthedu.program.models import Topic
    from healthedu.surveys.services import survey_create

    if items is None:
        topic = Topic.objects.get(code="hypertension")
        items = [
            {"kind": "knowledge", "text": "正常血压低于？", "options": ["120/80", "160/100"]},
            {"kind": "knowledge", "text": "每日食盐不超过？", "options": ["5克", "15克"]},
            {"kind": "behavior", "text": "您每周运动吗？", "options": ["是", "否"]},
        ]
        items = [{**item, "topic": topic, "correct": [0]} for item in items]
    return survey_create(user=user, title=title, community=community, items=items)


def make_response(
    survey, resident, choices, *, on: dt.date, round="routine", user=None, **anonymous
):
    """The answers given on `on`: one choice (an option's index) or a list of them per item, in
    the items' order; None, or a list shorter than the items, leaves items unanswered. With no
    resident, `anonymous` says who answered (sex, age, is_migrant, community)."""
    from healthedu.surveys.services import response_create

    items = list(survey.items.order_by("order"))
    if len(choices) > len(items):
        raise ValueError(f"{len(choices)} choices for {len(items)} items")
    answers = [
        {"item": item.pk, "choice": choice if isinstance(choice, list) else [choice]}
        for item, choice in zip(items, choices, strict=False)
        if choice is not None
    ]
    who = {"resident": resident} if resident is not None else anonymous
    return response_create(
        user=user, survey=survey, answered_on=on, round=round, answers=answers, **who
    )
