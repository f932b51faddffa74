"""Demo residents covering every key population."""

import datetime as dt
import random

from healthedu.demo.names import address, mobile, person_name
from residents.idnumber import check_digit
from residents.models import Resident
from residents.services import apply_resident_fields

AREAS = ["420106", "420102", "420103", "420111", "420115"]


def _birth_date(rng: random.Random, today: dt.date) -> dt.date:
    # An ageing community: many elderly, a fair share of youth, working-age adults between.
    band = rng.choices([(0, 9), (10, 24), (25, 59), (60, 95)], weights=[8, 17, 40, 35])[0]
    age = rng.randint(*band)
    return today - dt.timedelta(days=age * 365 + rng.randint(0, 364))


def _id_number(rng: random.Random, birth: dt.date, sex: str, used: set) -> str:
    while True:
        seq = rng.randint(0, 99)
        sex_digit = rng.choice("13579" if sex == "M" else "02468")
        body = f"{rng.choice(AREAS)}{birth:%Y%m%d}{seq:02d}{sex_digit}"
        number = body + check_digit(body)
        if number not in used:
            used.add(number)
            return number


def seed_residents(
    communities, *, per_community: int = 200, seed: int = 2026, today: dt.date
) -> list[Resident]:
    rng = random.Random(seed)
    used: set[str] = set()
    residents = []
    for index, community in enumerate(communities):
        street = ["天虹路", "春晖路", "文化巷", "建设路"][index % 4]
        for _ in range(per_community):
            sex = rng.choice("MF")
            birth = _birth_date(rng, today)
            resident = Resident()
            apply_resident_fields(
                resident,
                {
                    "name": person_name(rng, sex),
                    "sex": sex,
                    "birth_date": birth,
                    "community": community,
                    "address": address(rng, street),
                    "is_migrant": rng.random() < 0.15,
                    "id_number": _id_number(rng, birth, sex, used) if rng.random() < 0.92 else "",
                    # Children under 14 rarely have a phone of their own.
                    "phone": mobile(rng)
                    if rng.random() < 0.9 and (today - birth).days >= 14 * 365
                    else "",
                    "conditions": [
                        c
                        for c, p in (
                            ("hypertension", 0.25 if (today - birth).days > 50 * 365 else 0.03),
                            ("diabetes", 0.12 if (today - birth).days > 50 * 365 else 0.01),
                        )
                        if rng.random() < p
                    ],
                    "status": rng.choices(["active", "moved_out", "deceased"], weights=[95, 4, 1])[
                        0
                    ],
                },
            )
            residents.append(resident)
    return Resident.objects.bulk_create(residents, batch_size=1000)
