"""Scoring one response (SPEC.md "Surveys and the two rates"), as the national health-literacy
monitoring (全国居民健康素养监测) scores a questionnaire. Pure functions, no database.

- Items are true/false (判断题), single-choice (单选题) or multi-select (多选题) and carry points
  (by default 1, 1 and 2; editable per item).
- An item is answered when at least one option is chosen. A true/false or single-choice item is
  correct (knowledge) or healthy (behaviour) when exactly one option is chosen and it is one of
  the key's options (a behaviour item may have several healthy answers, e.g. "never smoked" and
  "quit"); two options ticked count as answered and wrong. A multi-select item is correct only
  when the set chosen equals the key set exactly: some of the key, or the key plus a wrong
  option, earns nothing (no partial credit).
- A correct item earns its points; a wrong or unanswered item earns 0, and every item of the part
  stays in its full score. knowledge score = points earned / full knowledge points of the survey;
  aware = score ≥ threshold. The score and the flag are None when no knowledge item was answered
  (that respondent did not take the knowledge part and is outside its denominator). Likewise for
  behaviour.

Example: five knowledge items of one point, one answered and right: 1/5 = 0.2, not aware (the
old rule, correct / answered, made that 1/1 and aware).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Scores like 12/15 are not exact in binary floating point; compare with a small tolerance so
# that a score exactly at the threshold counts as reaching it.
EPSILON = 1e-9


@dataclass(frozen=True)
class ItemKey:
    id: int
    kind: str  # "knowledge" or "behavior"
    correct: frozenset[int]
    multiple: bool = False
    points: int = 1


@dataclass(frozen=True)
class Score:
    knowledge_answered: int
    knowledge_correct: int
    behavior_answered: int
    behavior_healthy: int
    knowledge_points: int
    knowledge_full: int
    behavior_points: int
    behavior_full: int
    knowledge_score: float | None
    behavior_score: float | None
    knowledge_aware: bool | None
    behavior_formed: bool | None
    correct_by_item: dict[int, bool]


def is_correct(choice: Iterable[int], key: Iterable[int], *, multiple: bool) -> bool:
    chosen, key = set(choice), set(key)
    if multiple:
        return chosen == key
    return len(chosen) == 1 and chosen <= key


def reaches(numerator: float, denominator: float, threshold: float) -> bool | None:
    if denominator == 0:
        return None
    return numerator >= threshold * denominator - EPSILON


def score_response(
    items: Iterable[ItemKey],
    choices: Mapping[int, Iterable[int]],
    *,
    knowledge_threshold: float,
    behavior_threshold: float,
) -> Score:
    # Per kind: answered items, correct items, points earned, full points.
    counts = {"knowledge": [0, 0, 0, 0], "behavior": [0, 0, 0, 0]}
    correct_by_item = {}
    for item in items:
        tally = counts[item.kind]
        tally[3] += item.points
        choice = list(choices.get(item.id) or [])
        if not choice:
            continue
        right = is_correct(choice, item.correct, multiple=item.multiple)
        correct_by_item[item.id] = right
        tally[0] += 1
        if right:
            tally[1] += 1
            tally[2] += item.points
    k_answered, k_correct, k_points, k_full = counts["knowledge"]
    b_answered, b_healthy, b_points, b_full = counts["behavior"]
    return Score(
        knowledge_answered=k_answered,
        knowledge_correct=k_correct,
        behavior_answered=b_answered,
        behavior_healthy=b_healthy,
        knowledge_points=k_points,
        knowledge_full=k_full,
        behavior_points=b_points,
        behavior_full=b_full,
        knowledge_score=k_points / k_full if k_answered else None,
        behavior_score=b_points / b_full if b_answered else None,
        knowledge_aware=reaches(k_points, k_full, knowledge_threshold) if k_answered else None,
        behavior_formed=reaches(b_points, b_full, behavior_threshold) if b_answered else None,
        correct_by_item=correct_by_item,
    )


def item_keys(items) -> list[ItemKey]:
    """What scoring needs of each item: an Item, or a migration's historical Item."""
    return [
        ItemKey(i.pk, i.kind, frozenset(i.correct), i.type == "multiple", i.points) for i in items
    ]


# 判断题 whose two options read as true/false (used when items saved before types had none).
TRUE_FALSE_OPTIONS = ({"正确", "错误"}, {"对", "错"}, {"√", "×"})


def guess_type(options, multiple: bool) -> str:
    if multiple:
        return "multiple"
    if len(options) == 2 and set(options) in TRUE_FALSE_OPTIONS:
        return "true_false"
    return "single"


SCORE_FIELDS = (
    "knowledge_answered",
    "knowledge_correct",
    "behavior_answered",
    "behavior_healthy",
    "knowledge_points",
    "knowledge_full",
    "behavior_points",
    "behavior_full",
    "knowledge_score",
    "behavior_score",
    "knowledge_aware",
    "behavior_formed",
)
