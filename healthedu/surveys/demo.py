"""Demo surveys: a shared questionnaire from the item bank (true/false, single-choice and
multi-select items), a baseline round early in the year and a follow-up later of the same
residents (a paired cohort: most baseline residents answer again, better), monthly routine
questionnaires (each resident at most once per round, most of them anonymous), and targets per
community. Each resident has an ability of their own, so that their two rounds are related as
real pairs are. Deterministic (seeded by community code) and bulk-inserted."""

import datetime as dt
import random

from healthedu.locking import month_start
from healthedu.program.models import Target
from healthedu.surveys.models import Answer, BankItem, Response, Survey
from healthedu.surveys.services import build_response, survey_from_bank
from residents.models import Resident

TITLE = "社区居民健康素养与行为调查（演示）"
BANK_TOPICS_KNOWLEDGE = [
    "hypertension",
    "diabetes",
    "tobacco_control",
    "tuberculosis",
    "emergency",
    "healthy_lifestyle",
]
BANK_TOPICS_BEHAVIOR = ["hypertension", "tobacco_control", "healthy_lifestyle", "emergency"]
# Chance of a correct (healthy) answer per item, by round: the intervention works.
SKILL = {"baseline": (0.72, 0.78), "followup": (0.88, 0.9), "routine": (0.8, 0.85)}


TRUE_FALSE_ITEMS = 2


def _pick_bank_items() -> list[int]:
    ids = list(
        BankItem.objects.filter(type="true_false", kind="knowledge")
        .order_by("id")
        .values_list("pk", flat=True)[:TRUE_FALSE_ITEMS]
    )
    for kind, topics in (("knowledge", BANK_TOPICS_KNOWLEDGE), ("behavior", BANK_TOPICS_BEHAVIOR)):
        for topic in topics:
            found = (
                BankItem.objects.filter(kind=kind, topic__code=topic)
                .exclude(pk__in=ids)
                .order_by("id")
                .values_list("pk", flat=True)
                .first()
            )
            if found:
                ids.append(found)
    return ids


def _choice(rng: random.Random, item, skill: float) -> list[int]:
    if rng.random() < 0.04:
        return []  # left blank on paper
    if rng.random() < skill:
        return list(item.correct) if item.multiple else [rng.choice(item.correct)]
    if item.multiple and len(item.correct) > 1 and rng.random() < 0.6:
        # Only part of the key ticked: earns nothing.
        return sorted(rng.sample(list(item.correct), len(item.correct) - 1))
    wrong = [i for i in range(len(item.options)) if i not in item.correct] or [0]
    return [rng.choice(wrong)]


def seed_surveys(*, communities, today: dt.date, stdout=None) -> None:
    if Survey.objects.filter(title=TITLE).exists():
        return
    survey = survey_from_bank(user=None, title=TITLE, community=None, bank_ids=_pick_bank_items())
    items = list(survey.items.order_by("order"))
    baseline_day = max(today - dt.timedelta(days=300), today.replace(month=1, day=1))
    baseline_day = min(baseline_day + dt.timedelta(days=45), today - dt.timedelta(days=120))
    followup_day = today - dt.timedelta(days=40)
    responses: list[tuple[Response, list[Answer]]] = []
    for community in communities:
        rng = random.Random(f"surveys-{community.code}")
        residents = list(
            Resident.objects.filter(community=community, status="active")
            .select_related("community")
            .order_by("pk")
        )
        if not residents:
            continue
        sample = rng.sample(residents, min(len(residents), 60))
        plans = []
        for n, resident in enumerate(sample):
            plans.append(("baseline", baseline_day + dt.timedelta(days=n % 10), resident))
            if rng.random() < 0.85:  # the paired cohort: the same residents again
                plans.append(("followup", followup_day + dt.timedelta(days=n % 10), resident))
        # Routine questionnaires: a resident answers the routine round once, others anonymous.
        routine_residents = iter(rng.sample(residents, len(residents)))
        for months_back in range(12):
            month = month_start(today - dt.timedelta(days=30 * months_back))
            for n in range(6):
                day = min(month + dt.timedelta(days=3 + n * 4), today)
                plans.append(("routine", day, None if n < 4 else next(routine_residents, None)))
        seen = set()
        ability = {}
        for round_name, day, resident in plans:
            if resident is not None:
                key = (resident.pk, round_name)
                if key in seen or resident.birth_date >= day:
                    continue
                seen.add(key)
            know, behave = SKILL[round_name]
            if resident is not None:
                # A person's own level, the same in both rounds: pairs agree more than chance.
                shift = ability.setdefault(resident.pk, rng.uniform(-0.15, 0.1))
                know, behave = min(0.99, know + shift), min(0.99, behave + shift)
            chosen = [
                {"item": i.pk, "choice": _choice(rng, i, know if i.kind == "knowledge" else behave)}
                for i in items
            ]
            who = (
                {"resident": resident}
                if resident is not None
                else {
                    "sex": rng.choice("MF"),
                    "age": rng.randint(16, 85),
                    "is_migrant": rng.random() < 0.2,
                    "community": community,
                }
            )
            responses.append(
                build_response(
                    survey=survey,
                    items=items,
                    answered_on=day,
                    round=round_name,
                    answers=chosen,
                    today=today,
                    **who,
                )
            )
        Target.objects.update_or_create(
            community=community, year=today.year, defaults={"knowledge": 0.85, "behavior": 0.70}
        )
    Response.objects.bulk_create([r for r, _a in responses], batch_size=1000)
    answers = []
    for response, rows in responses:
        for answer in rows:
            answer.response = response
            answers.append(answer)
    Answer.objects.bulk_create(answers, batch_size=5000)
    # Bulk rows bypass the services, so the kept counts are recomputed once (surveys.counts).
    from healthedu.surveys import counts

    counts.rebuild()
    if stdout is not None:
        stdout.write(f"surveys: {len(responses)} questionnaires")
