"""rates() gives the same JSON as when tests/surveys/data/rates_output.json was written.

The file was written by the rates module as it was before its shaping (the breakdown's rows,
the topics) was rewritten for speed: this pins every figure, key and order of the output on a
seeded dataset, on the kept counts and on the raw rows alike. Ids differ between databases and
runs, so they are replaced by stable names (community code, survey title, item order) first.

To write the file again after an intended change of the output:
RATES_OUTPUT_WRITE=1 .venv/bin/python -m pytest -q -p no:randomly tests/surveys/test_rates_output.py
and review its diff.
"""

import datetime as dt
import json
import os
import random
from pathlib import Path

import pytest

from healthedu.org.reach import Reach
from healthedu.surveys.rates import RateQuery, rates
from healthedu.surveys.services import response_create, survey_create
from tests.factories import CommunityFactory, DistrictFactory, StreetFactory, make_resident
from tests.surveys.conftest import answers, designed_items

pytestmark = pytest.mark.django_db

EXPECTED = Path(__file__).parent / "data" / "rates_output.json"
ROUND_MONTHS = {"baseline": (3, 4), "followup": (9, 10), "routine": (1, 6, 11)}
# Per item (K1..K5, B1, B2): what a respondent may tick; None leaves the item blank.
SINGLE = ([0], [1], [2], [3], None)
CHOICES = (
    SINGLE,
    SINGLE,
    SINGLE,
    SINGLE,
    ([0, 2], [0], [1, 2], None),
    ([0], [1], [2], None),
    SINGLE,
)
RIGHT = ([0], [1], [2], [0], [0, 2], [0], [1])


@pytest.fixture
def seeded():
    """Three communities on two streets, two shared surveys, 36 residents answering over two
    years in every round (some twice in a month, some moving community), 12 anonymous."""
    rng = random.Random(20261202)
    district = DistrictFactory(name="基准区")
    streets = [StreetFactory(district=district, name=f"基准街道{s}") for s in (1, 2)]
    communities = [
        CommunityFactory(code=f"R{c:02d}", name=f"基准社区{c}", street=streets[c % 2])
        for c in (1, 2, 3)
    ]
    empty = CommunityFactory(code="R09", name="无人社区", street=streets[0])
    surveys = [
        survey_create(
            user=None,
            title=title,
            community=None,
            items=designed_items(),
        )
        for title in ("基准问卷甲", "基准问卷乙")
    ]

    def chosen():
        # Most answer most items rightly, so that every rate is somewhere between 0 and 1.
        skill = rng.choice([0.5, 0.8, 0.95])
        picked = [
            right if rng.random() < skill else rng.choice(options)
            for right, options in zip(RIGHT, CHOICES, strict=True)
        ]
        return picked if any(picked) else [[0], *picked[1:]]

    def day(year, round_name):
        return dt.date(year, rng.choice(ROUND_MONTHS[round_name]), rng.randint(1, 28))

    for n in range(36):
        community = communities[n % 3]
        sex, age = rng.choice("MF"), rng.choice([8, 15, 22, 35, 50, 61, 75])
        resident = make_resident(
            community, sex=sex, age=age, on=dt.date(2025, 1, 1), is_migrant=rng.random() < 0.2
        )
        for survey in surveys:
            for year, round_name in ((2025, "baseline"), (2025, "followup"), (2026, "routine")):
                if rng.random() < 0.7:
                    response_create(
                        user=None,
                        survey=survey,
                        resident=resident,
                        answered_on=day(year, round_name),
                        round=round_name,
                        answers=answers(survey, *chosen()),
                    )
    for n in range(12):
        survey = surveys[n % 2]
        round_name = ("baseline", "followup", "routine")[n % 3]
        response_create(
            user=None,
            survey=survey,
            answered_on=day(2025 + n % 2, round_name),
            round=round_name,
            sex=rng.choice("MF"),
            age=rng.randint(5, 90),
            is_migrant=n % 4 == 0,
            community=communities[n % 3],
            answers=answers(survey, *chosen()),
        )
    return {"communities": communities, "empty": empty, "surveys": surveys}


def queries(seeded) -> dict[str, RateQuery]:
    first, second = seeded["communities"][:2]
    survey = seeded["surveys"][0]
    everything = Reach.everything()
    return {
        "community,group,month": RateQuery(reach=everything, by=["community", "group", "month"]),
        "community,group,month in 2025": RateQuery(
            reach=everything,
            by=["community", "group", "month"],
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
        ),
        "round": RateQuery(reach=everything, by=["round"]),
        "month, round followup": RateQuery(reach=everything, by=["month"], round="followup"),
        "quarter,group, one survey": RateQuery(
            reach=everything, by=["quarter", "group"], survey=survey.pk
        ),
        "street,survey,round": RateQuery(reach=everything, by=["street", "survey", "round"]),
        "one community, group,month, 2025": RateQuery(
            reach=everything.narrow([first.pk]),
            community=first.pk,
            by=["group", "month"],
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2025, 12, 31),
        ),
        "one community-month": RateQuery(
            reach=everything,
            community=second.pk,
            date_from=dt.date(2025, 3, 1),
            date_to=dt.date(2025, 3, 31),
        ),
        "two communities, community,month, elderly": RateQuery(
            reach=everything.narrow([first.pk, second.pk]),
            by=["community", "month"],
            group="elderly",
        ),
        "empty community": RateQuery(
            reach=everything, community=seeded["empty"].pk, by=["community", "group", "month"]
        ),
        "no data in the window": RateQuery(
            reach=everything,
            by=["community", "group", "month"],
            date_from=dt.date(2030, 1, 1),
            date_to=dt.date(2030, 3, 31),
        ),
        "headline": RateQuery(reach=everything),
    }


def stable(body, seeded):
    """The output with ids replaced by names that do not depend on the database."""
    from healthedu.org.models import Community, Street
    from healthedu.surveys.models import Item, Survey

    community = dict(Community.objects.values_list("pk", "code"))
    street = dict(Street.objects.values_list("pk", "name"))
    survey = dict(Survey.objects.values_list("pk", "title"))
    item_name = {
        pk: f"{survey[s]}#{order}"
        for pk, s, order in Item.objects.values_list("pk", "survey", "order")
    }
    out = json.loads(json.dumps(body))
    for entry in out["breakdown"]:
        if "community" in entry:
            entry["community"] = community[entry["community"]]
        if "street" in entry:
            entry["street"] = street[entry["street"]]
        if "survey" in entry:
            entry["survey"] = survey[entry["survey"]]
    for row in out["items"]:
        row["item"] = item_name[row["item"]]
        row["survey"] = survey[row["survey"]]
    return out


def test_rates_output_is_unchanged(seeded):
    got = {}
    for name, query in queries(seeded).items():
        kept = stable(rates(query), seeded)
        raw = stable(rates(query, raw=True), seeded)
        assert kept == raw, name  # the kept counts answer as the raw rows do
        got[name] = kept
    assert got["community,group,month"]["breakdown"], "the dataset fills the breakdowns"
    assert got["empty community"]["knowledge"]["denominator"] == 0
    if os.environ.get("RATES_OUTPUT_WRITE"):
        EXPECTED.parent.mkdir(exist_ok=True)
        # One query a line: small, and a diff names the queries that changed.
        lines = [f"{json.dumps(n)}: {json.dumps(v, ensure_ascii=False)}" for n, v in got.items()]
        EXPECTED.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    expected = json.loads(EXPECTED.read_text())
    assert list(got) == list(expected)
    for name in expected:
        # Byte for byte as JSON: key order, number types (1 and 1.0) and all.
        assert json.dumps(got[name], ensure_ascii=False) == json.dumps(
            expected[name], ensure_ascii=False
        ), name
