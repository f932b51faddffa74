"""A small designed survey: five knowledge items (K5 multi-select) and two behaviour items."""

import datetime as dt

import pytest

from healthedu.program.models import Topic
from healthedu.surveys.services import survey_create

DAY = dt.date(2026, 3, 10)


def item(kind, topic, correct, n_options=4, multiple=False, text=None):
    return {
        "kind": kind,
        "text": text or f"{kind} {topic} {correct}",
        "topic": Topic.objects.get(code=topic),
        "options": [f"option {i}" for i in range(n_options)],
        "correct": correct,
        "multiple": multiple,
    }


def designed_items() -> list[dict]:
    """K1..K5 knowledge (K5 multi-select, key {0, 2}); B1, B2 behaviour (B2: 0 or 1 healthy)."""
    return [
        item("knowledge", "hypertension", [0], text="K1"),
        item("knowledge", "hypertension", [1], text="K2"),
        item("knowledge", "diabetes", [2], text="K3"),
        item("knowledge", "diabetes", [0], text="K4"),
        item("knowledge", "tobacco_control", [0, 2], multiple=True, text="K5"),
        item("behavior", "healthy_lifestyle", [0], n_options=3, text="B1"),
        item("behavior", "tobacco_control", [0, 1], n_options=4, text="B2"),
    ]


@pytest.fixture
def designed_survey(community_a):
    """K1..K5 knowledge (K5 multi-select, key {0, 2}); B1, B2 behaviour (B2: 0 or 1 healthy)."""
    return survey_create(
        user=None,
        title="高血压知识与行为调查",
        community=community_a,
        items=designed_items(),
    )


def item_ids(survey) -> list[int]:
    return list(survey.items.order_by("order").values_list("pk", flat=True))


def answers(survey, *choices) -> list[dict]:
    """answers(survey, [0], [1], None, ...) in item order; None = unanswered."""
    return [
        {"item": pk, "choice": choice}
        for pk, choice in zip(item_ids(survey), choices, strict=False)
        if choice is not None
    ]
