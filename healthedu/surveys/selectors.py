"""Reads over surveys for the API's lists."""

from collections import defaultdict

from healthedu.surveys.models import Answer


def attach_answers(responses) -> list:
    """Each response's answers as plain rows (`answer_rows`: {"item", "choice"} in the order
    given), in one query for any number of responses and without a model instance per answer:
    a page of 50 responses has some 500 answers, and building them was most of its time."""
    responses = list(responses)
    rows = defaultdict(list)
    for response_id, item_id, choice in (
        Answer.objects.filter(response_id__in=[r.pk for r in responses])
        .order_by("id")
        .values_list("response_id", "item_id", "choice")
    ):
        rows[response_id].append({"item": item_id, "choice": choice})
    for response in responses:
        response.answer_rows = rows[response.pk]
    return responses
