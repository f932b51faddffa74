"""Scoring one response (SPEC.md "Surveys and the two rates"). Pure functions, no database.

- An item is answered when at least one option is chosen; an unanswered item counts in neither
  the numerator nor the denominator.
- A single-choice item (单选题) is correct (knowledge) or healthy (behaviour) when exactly one
  option is chosen and it is one of the key's options (a behaviour item may have several healthy
  answers, e.g. "never smoked" and "quit"). Two options ticked on a single-choice item count as
  answered and not correct.
- A multi-select item (多选题) is correct only when the set of chosen options equals the key set
  exactly: choosing only some of the correct options, or a correct one plus a wrong one, is not
  correct (the usual marking of 多选题).
- knowledge score = correct / knowledge items answered; aware = score ≥ threshold; both None
  when no knowledge item was answered. Likewise for behaviour.
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


@dataclass(frozen=True)
class Score:
    knowledge_answered: int
    knowledge_correct: int
    behavior_answered: int
    behavior_healthy: int
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


def reaches(numerator: int, denominator: int, threshold: float) -> bool | None:
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
    counts = {"knowledge": [0, 0], "behavior": [0, 0]}
    correct_by_item = {}
    for item in items:
        choice = list(choices.get(item.id) or [])
        if not choice:
            continue
        right = is_correct(choice, item.correct, multiple=item.multiple)
        correct_by_item[item.id] = right
        counts[item.kind][0] += 1
        counts[item.kind][1] += int(right)
    k_answered, k_correct = counts["knowledge"]
    b_answered, b_healthy = counts["behavior"]
    return Score(
        knowledge_answered=k_answered,
        knowledge_correct=k_correct,
        behavior_answered=b_answered,
        behavior_healthy=b_healthy,
        knowledge_score=k_correct / k_answered if k_answered else None,
        behavior_score=b_healthy / b_answered if b_answered else None,
        knowledge_aware=reaches(k_correct, k_answered, knowledge_threshold),
        behavior_formed=reaches(b_healthy, b_answered, behavior_threshold),
        correct_by_item=correct_by_item,
    )
