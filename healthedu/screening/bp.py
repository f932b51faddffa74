"""Blood-pressure rules (中国高血压防治指南): plausibility, category, isolated systolic, referral.

The one home of the rule. Pure: no database, no clock. The API, the bulk entry, the live
category on the pages, the demo data and the ledger all call these two functions.

Category: each value is graded on its own scale and the higher grade wins.

    category      systolic          diastolic
    normal        < 120      and    < 80
    high_normal   120–139  and/or   80–89
    grade_1       140–159  and/or   90–99
    grade_2       160–179  and/or   100–109
    grade_3       ≥ 180    and/or   ≥ 110

Isolated systolic hypertension (单纯收缩期高血压): systolic ≥ 140 with diastolic < 90; flagged
besides its grade.

Referral:
- grade 3 → "urgent" (紧急转诊) for everyone, known hypertension or not. A reading of
  ≥ 180 and/or ≥ 110 in someone already treated means the treatment is failing or a crisis is
  building; the guideline sends both to a doctor at once, and an educator must not read
  "known hypertensive" as "nothing to do".
- grade 1 or 2 in a resident with no known hypertension → "referral" (建议转诊): a possible
  new case, to be diagnosed by the family doctor (a single screening reading is not a diagnosis).
- grade 1 or 2 in a resident with known hypertension → "none": they are already under the
  family doctor's follow-up (国家基本公共卫生服务 高血压患者健康管理).
- normal or high-normal → "none".

Under 18 (age on the day of measurement; 18 on the 18th birthday) the adult table does not
apply: the reading is stored, its category is "not_graded" (未分级（未成年人）) and it makes
no referral. Children's blood pressure is judged against percentiles for sex, age and height,
which a community screening does not have.

Measurement visit (中国高血压防治指南 2018: "测量 2 次，间隔 1–2 分钟，取 2 次读数的平均值；若 2 次
测量的收缩压或舒张压读数相差 > 5 mmHg，应再次测量，取 3 次读数的平均值"): a visit holds one to
three readings (MAX_READINGS); its value is their mean (visit_value) and the category, flag and
referral come from that mean. The mean rounds half up to a whole mmHg (139.5 → 140), so that a
mean reaching a threshold by half a mmHg is graded at it: a screening errs towards a doctor's
look. A third reading that the rule did not ask for is still a measurement and is averaged in.
A visit of one reading is valid but asks for another (needs_another).
"""

from collections.abc import Sequence
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SYSTOLIC_RANGE = (60, 300)
DIASTOLIC_RANGE = (30, 200)
PULSE_RANGE = (30, 220)
# Below this age (in whole years on the day of measurement) the adult table does not apply.
ADULT_AGE = 18
# The guideline's visit: two readings, a third when the first two differ by more than this.
AGREEMENT_MMHG = 5
MAX_READINGS = 3
# Isolated systolic hypertension: systolic at least this, diastolic below that.
ISOLATED_SYSTOLIC_FROM, ISOLATED_DIASTOLIC_BELOW = 140, 90


class Category(models.TextChoices):
    NORMAL = "normal", _("Normal blood pressure")
    HIGH_NORMAL = "high_normal", _("High-normal blood pressure")
    GRADE_1 = "grade_1", _("Grade 1 hypertension")
    GRADE_2 = "grade_2", _("Grade 2 hypertension")
    GRADE_3 = "grade_3", _("Grade 3 hypertension")
    NOT_GRADED = "not_graded", _("Not graded (minor)")


class Referral(models.TextChoices):
    NONE = "none", _("No referral")
    REFERRAL = "referral", _("Referral advised")
    URGENT = "urgent", _("Urgent referral")


ISOLATED_SYSTOLIC_LABEL = _("Isolated systolic hypertension")

# Lower bounds of each grade, in order; the index is the grade's rank.
_ORDER = [
    Category.NORMAL,
    Category.HIGH_NORMAL,
    Category.GRADE_1,
    Category.GRADE_2,
    Category.GRADE_3,
]
_SYSTOLIC_FROM = [0, 120, 140, 160, 180]
_DIASTOLIC_FROM = [0, 80, 90, 100, 110]
HYPERTENSIVE = frozenset({Category.GRADE_1, Category.GRADE_2, Category.GRADE_3})


class Classification(NamedTuple):
    category: str
    isolated_systolic: bool
    referral: str


class ImplausibleReading(ValueError):
    """Values no measurement can give; `errors` maps field → [message naming the value]."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _rank(value: int, bounds: list[int]) -> int:
    return max(i for i, low in enumerate(bounds) if value >= low)


def plausibility_errors(systolic: int, diastolic: int, pulse: int | None = None) -> dict:
    """Field → [message] for values outside what a measurement can give; {} when plausible."""
    errors: dict[str, list[str]] = {}
    low, high = SYSTOLIC_RANGE
    if not low <= systolic <= high:
        errors["systolic"] = [
            gettext(
                "Systolic pressure %(value)s mmHg is not plausible; it must be between %(low)s and %(high)s mmHg."
            )
            % {"value": systolic, "low": low, "high": high}
        ]
    low, high = DIASTOLIC_RANGE
    if not low <= diastolic <= high:
        errors["diastolic"] = [
            gettext(
                "Diastolic pressure %(value)s mmHg is not plausible; it must be between %(low)s and %(high)s mmHg."
            )
            % {"value": diastolic, "low": low, "high": high}
        ]
    if not errors and systolic <= diastolic:
        errors["diastolic"] = [
            gettext(
                "Diastolic pressure %(diastolic)s mmHg must be below systolic pressure %(systolic)s mmHg; were the two swapped?"
            )
            % {"diastolic": diastolic, "systolic": systolic}
        ]
    if pulse is not None:
        low, high = PULSE_RANGE
        if not low <= pulse <= high:
            errors["pulse"] = [
                gettext(
                    "Pulse %(value)s beats per minute is not plausible; it must be between %(low)s and %(high)s."
                )
                % {"value": pulse, "low": low, "high": high}
            ]
    return errors


def classify(
    systolic: int, diastolic: int, has_hypertension: bool, *, age: int | None = None
) -> Classification:
    """Category, isolated-systolic flag and referral of a value (see the module's table).

    `age` in whole years on the day of measurement; under ADULT_AGE the value is not graded.
    None means an adult (the caller does not know the resident). Raises ImplausibleReading for
    values outside the plausible ranges or systolic ≤ diastolic.
    """
    errors = plausibility_errors(systolic, diastolic)
    if errors:
        raise ImplausibleReading(errors)
    if age is not None and age < ADULT_AGE:
        return Classification(Category.NOT_GRADED.value, False, Referral.NONE.value)
    category = _ORDER[max(_rank(systolic, _SYSTOLIC_FROM), _rank(diastolic, _DIASTOLIC_FROM))]
    isolated_systolic = systolic >= ISOLATED_SYSTOLIC_FROM and diastolic < ISOLATED_DIASTOLIC_BELOW
    if category == Category.GRADE_3:
        referral = Referral.URGENT
    elif category in HYPERTENSIVE and not has_hypertension:
        referral = Referral.REFERRAL
    else:
        referral = Referral.NONE
    return Classification(category.value, isolated_systolic, referral.value)


def category_label(code: str) -> str:
    return str(Category(code).label)


def referral_label(code: str) -> str:
    return str(Referral(code).label)


class VisitValue(NamedTuple):
    systolic: int
    diastolic: int
    needs_another: bool


def mean_half_up(values: Sequence[int]) -> int:
    """The mean rounded half up to a whole number, in integers (no float ties): 139.5 → 140."""
    count = len(values)
    return (2 * sum(values) + count) // (2 * count)


def readings_disagree(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two readings (systolic, diastolic) differ by more than 5 mmHg in either value."""
    return abs(first[0] - second[0]) > AGREEMENT_MMHG or abs(first[1] - second[1]) > AGREEMENT_MMHG


def visit_value(readings: Sequence[tuple[int, int]]) -> VisitValue:
    """The recorded value of a visit's readings (systolic, diastolic) in the order measured.

    One reading: itself, and another is needed. Two: their mean; a third is needed when they
    differ by more than 5 mmHg. Three: the mean of three.
    """
    if not 1 <= len(readings) <= MAX_READINGS:
        raise ValueError(f"a visit holds 1 to {MAX_READINGS} readings, not {len(readings)}")
    systolic = mean_half_up([r[0] for r in readings])
    diastolic = mean_half_up([r[1] for r in readings])
    if len(readings) == 1:
        needs_another = True
    elif len(readings) == 2:
        needs_another = readings_disagree(readings[0], readings[1])
    else:
        needs_another = False
    return VisitValue(systolic, diastolic, needs_another)


def visit_prompt(reading_count: int, needs_another: bool) -> str:
    """What the educator is asked to do next for a visit ('' when it is complete)."""
    if not needs_another:
        return ""
    if reading_count == 1:
        return gettext(
            "One reading so far: please measure once more (1–2 minutes later); the visit records the mean of two."
        )
    return gettext("The two readings differ by more than 5 mmHg; please take a third reading.")


def rule_table() -> dict:
    """The rule above as data, for the desk to grade readings where there is no signal
    (static/web/js/desk-rule.js applies it; tests/web/browser/test_desk.py checks that the two
    agree over a grid of values). The labels are in the active language."""
    return {
        "systolic_range": SYSTOLIC_RANGE,
        "diastolic_range": DIASTOLIC_RANGE,
        "pulse_range": PULSE_RANGE,
        "order": [c.value for c in _ORDER],
        "systolic_from": _SYSTOLIC_FROM,
        "diastolic_from": _DIASTOLIC_FROM,
        "isolated": {
            "systolic_from": ISOLATED_SYSTOLIC_FROM,
            "diastolic_below": ISOLATED_DIASTOLIC_BELOW,
        },
        "urgent": [Category.GRADE_3.value],
        "hypertensive": sorted(c.value for c in HYPERTENSIVE),
        "agreement_mmhg": AGREEMENT_MMHG,
        "max_readings": MAX_READINGS,
        "labels": {c.value: str(c.label) for c in Category},
        "referral_labels": {r.value: str(r.label) for r in Referral},
        "isolated_label": str(ISOLATED_SYSTOLIC_LABEL),
        "prompts": {"one": visit_prompt(1, True), "disagree": visit_prompt(2, True)},
    }
