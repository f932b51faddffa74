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
