"""Writes of surveys, responses and targets. Every rule of a write lives here; the API, the
paper import, the admin and the demo all call these functions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from healthedu.audit.services import Action, audit_record
from healthedu.locking import ensure_period_open, month_start
from healthedu.program.models import Target
from healthedu.surveys import counts
from healthedu.surveys.models import (
    DEFAULT_POINTS,
    MASK_ITEMS,
    MAX_POINTS,
    Answer,
    BankItem,
    Item,
    ItemKind,
    ItemType,
    Response,
    Round,
    Survey,
)
from healthedu.surveys.scoring import SCORE_FIELDS, item_keys, score_response
from residents.groups import ELDERLY, GENERAL, MIGRANT, WOMEN, YOUTH, age_on, groups_for_age

MAX_AGE = 120

# ---------------------------------------------------------------- surveys


def _item_type(item: dict) -> str | None:
    """The item's type from `type`, or from the older `multiple` flag when no type is given;
    None when the two disagree or the type is unknown."""
    given = item.get("type")
    multiple = item.get("multiple")
    if given in (None, ""):
        return ItemType.MULTIPLE if multiple else ItemType.SINGLE
    if given not in ItemType.values:
        return None
    if multiple is not None and bool(multiple) != (given == ItemType.MULTIPLE):
        return None
    return given


def clean_items(items: list[dict]) -> list[dict]:
    """Check a survey's items: at least one; each with a kind, a type (true/false, single,
    multi-select), text, topic, ≥ 2 options (exactly 2 and one key for true/false), a key of
    option indexes in range, and points (a whole number from 1; by default 1, 1, 2 by type).
    Returns them with `order` set (1, 2, ...)."""
    if not items:
        raise ValidationError({"items": [_("A survey needs at least one item.")]})
    errors = []
    cleaned = []
    for number, item in enumerate(items, start=1):
        options = [str(o).strip() for o in item.get("options") or []]
        correct = item.get("correct") or []
        item_type = _item_type(item)
        points = item.get("points")
        if points is None and item_type is not None:
            points = DEFAULT_POINTS[item_type]
        problem = None
        if item.get("kind") not in ItemKind.values:
            problem = _("Item %(n)d: the kind must be knowledge or behavior.")
        elif item_type is None:
            problem = _(
                "Item %(n)d: the type must be true_false, single or multiple, and agree with multiple."
            )
        elif not str(item.get("text") or "").strip():
            problem = _("Item %(n)d has no text.")
        elif len(options) < 2 or any(not o for o in options):
            problem = _("Item %(n)d needs at least two options, none of them empty.")
        elif item_type == ItemType.TRUE_FALSE and len(options) != 2:
            problem = _("Item %(n)d is a true/false item and needs exactly two options.")
        elif not correct:
            problem = _("Item %(n)d needs at least one correct (or healthy) option.")
        elif any(
            not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < len(options)
            for c in correct
        ):
            problem = _("Item %(n)d: a correct option index is out of range (0 to %(last)d).")
        elif len(set(correct)) != len(correct):
            problem = _("Item %(n)d lists the same correct option twice.")
        elif item_type == ItemType.TRUE_FALSE and len(correct) != 1:
            problem = _("Item %(n)d is a true/false item and has exactly one correct option.")
        elif (
            not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= MAX_POINTS
        ):
            problem = _("Item %(n)d: the points must be a whole number from 1 to %(max)d.")
        if problem:
            errors.append(problem % {"n": number, "last": len(options) - 1, "max": MAX_POINTS})
            continue
        cleaned.append(
            {
                "order": number,
                "kind": item["kind"],
                "type": item_type,
                "text": str(item["text"]).strip(),
                "topic": item["topic"],
                "options": options,
                "correct": sorted(correct),
                "multiple": item_type == ItemType.MULTIPLE,
                "points": points,
            }
        )
    if errors:
        raise ValidationError({"items": errors})
    return cleaned


def item_data(item) -> dict:
    """An Item or BankItem as the dict clean_items takes (copies, bank picks, comparisons)."""
    return {
        "kind": item.kind,
        "type": item.type,
        "text": item.text,
        "topic": item.topic,
        "options": item.options,
        "correct": item.correct,
        "multiple": item.type == ItemType.MULTIPLE,
        "points": item.points,
    }


def _check_survey_write(user, community) -> None:
    # A shared survey (no community) is seen by all; only an administrator writes one.
    if community is None and user is not None and not user.is_admin:
        raise PermissionDenied(
            _("Only an administrator may write a survey shared by all communities.")
        )


def _check_threshold(name: str, value) -> None:
    if value is not None and not 0 < float(value) <= 1:
        raise ValidationError({name: [_("A threshold is a fraction above 0 and at most 1.")]})


@transaction.atomic
def survey_create(*, user, title: str, community=None, items: list[dict], **thresholds) -> Survey:
    _check_survey_write(user, community)
    for name, value in thresholds.items():
        _check_threshold(name, value)
    cleaned = clean_items(items)
    survey = Survey.objects.create(title=title, community=community, **thresholds)
    Item.objects.bulk_create([Item(survey=survey, **item) for item in cleaned])
    audit_record(user=user, action=Action.CREATE, obj=survey, fields=["title", "items"])
    return survey


def _items_signature(items) -> list[tuple]:
    return [
        (
            i["kind"],
            i["type"],
            i["text"],
            i["topic"].pk,
            list(i["options"]),
            sorted(i["correct"]),
            i["points"],
        )
        for i in items
    ]


@transaction.atomic
def survey_update(*, user, survey: Survey, data: dict) -> Survey:
    """Change a survey. Once it has responses, its items, keys and thresholds are fixed: changing
    them would silently change stored scores. Copy it to a new version instead (survey_copy)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_survey_write(user, survey.community)
    if "community" in data:
        _check_survey_write(user, data["community"])
    has_responses = survey.responses.exists()
    changed = []
    new_items = None
    if "items" in data:
        new_items = clean_items(data["items"])
        current = [item_data(i) for i in survey.items.select_related("topic")]
        if _items_signature(new_items) == _items_signature(current):
            new_items = None
    locked_fields = [
        name
        for name in ("knowledge_threshold", "behavior_threshold", "community")
        if name in data and data[name] != getattr(survey, name)
    ]
    if has_responses and (new_items is not None or locked_fields):
        raise ValidationError(
            {
                "items": [
                    _(
                        "This survey already has responses, so its items, answer keys, thresholds and community can no longer be changed. Copy it into a new version and change that."
                    )
                ]
            }
        )
    for name in ("title", "community", "knowledge_threshold", "behavior_threshold"):
        if name in data and data[name] != getattr(survey, name):
            if name.endswith("threshold"):
                _check_threshold(name, data[name])
            setattr(survey, name, data[name])
            changed.append(name)
    survey.save()
    if new_items is not None:
        survey.items.all().delete()
        Item.objects.bulk_create([Item(survey=survey, **item) for item in new_items])
        changed.append("items")
    audit_record(user=user, action=Action.UPDATE, obj=survey, fields=changed)
    return survey


@transaction.atomic
def survey_copy(*, user, survey: Survey, title: str | None = None) -> Survey:
    """A new version of a survey with the same items, free to change."""
    items = [item_data(i) for i in survey.items.select_related("topic")]
    return survey_create(
        user=user,
        title=title or _("%(title)s (new version)") % {"title": survey.title},
        community=survey.community,
        items=items,
        knowledge_threshold=survey.knowledge_threshold,
        behavior_threshold=survey.behavior_threshold,
    )


def survey_delete(*, user, survey: Survey) -> None:
    _check_survey_write(user, survey.community)
    if survey.responses.exists():
        raise ValidationError({"detail": [_("This survey has responses and cannot be deleted.")]})
    audit_record(user=user, action=Action.DELETE, obj=survey)
    survey.delete()


def survey_from_bank(*, user, title: str, community, bank_ids: list[int], **thresholds) -> Survey:
    found = BankItem.objects.select_related("topic").in_bulk(bank_ids)
    missing = [i for i in bank_ids if i not in found]
    if missing:
        raise ValidationError(
            {
                "items": [
                    _("These bank items do not exist: %(ids)s.")
                    % {"ids": ", ".join(map(str, missing))}
                ]
            }
        )
    items = [item_data(found[i]) for i in bank_ids]
    return survey_create(user=user, title=title, community=community, items=items, **thresholds)


# ---------------------------------------------------------------- responses


def _respondent(*, resident, sex, age, is_migrant, community, answered_on) -> dict:
    """The respondent as of the answer date: a resident's own data, or what an anonymous
    respondent told us. Groups follow residents.groups (the one rule)."""
    errors = {}
    if resident is not None:
        sex = resident.sex
        age = age_on(resident.birth_date, answered_on)
        is_migrant = resident.is_migrant
        community = resident.community
    else:
        if sex not in ("M", "F"):
            errors["sex"] = [_("An anonymous response needs the sex (male or female).")]
        if age is None:
            errors["age"] = [_("An anonymous response needs the age.")]
        elif not 0 <= int(age) <= MAX_AGE:
            errors["age"] = [_("The age must be between 0 and %(max)d.") % {"max": MAX_AGE}]
        if is_migrant is None:
            errors["is_migrant"] = [
                _("An anonymous response needs to say whether the respondent is a migrant.")
            ]
        if community is None:
            errors["community"] = [_("An anonymous response needs the community.")]
    if errors:
        raise ValidationError(errors)
    if age < 0:
        raise ValidationError(
            {"answered_on": [_("The answer date is before the resident's birth.")]}
        )
    groups = groups_for_age(sex=sex, age=age, is_migrant=is_migrant)
    return {
        "sex": sex,
        "age": age,
        "is_migrant": bool(is_migrant),
        "community": community,
        "is_elderly": ELDERLY in groups,
        "is_women": WOMEN in groups,
        "is_youth": YOUTH in groups,
        "is_general": GENERAL in groups,
        "_migrant_group": MIGRANT in groups,
    }


def clean_answers(survey: Survey, items: list[Item], answers: list[dict]) -> dict[int, list[int]]:
    """{item id: chosen option indexes}; blank choices are unanswered and left out."""
    by_id = {i.pk: i for i in items}
    choices: dict[int, list[int]] = {}
    errors = []
    for entry in answers:
        item_id = entry.get("item")
        item = by_id.get(item_id)
        if item is None:
            errors.append(_("Item %(item)s is not an item of this survey.") % {"item": item_id})
            continue
        if item_id in choices:
            errors.append(_("Item %(item)s is answered twice.") % {"item": item_id})
            continue
        choice = entry.get("choice") or []
        if any(
            not isinstance(c, int) or isinstance(c, bool) or not 0 <= c < len(item.options)
            for c in choice
        ):
            errors.append(
                _("Q%(order)d: a chosen option is out of range (0 to %(last)d).")
                % {"order": item.order, "last": len(item.options) - 1}
            )
            continue
        if len(set(choice)) != len(choice):
            errors.append(_("Q%(order)d: the same option is chosen twice.") % {"order": item.order})
            continue
        choices[item_id] = sorted(choice)
    if errors:
        raise ValidationError({"answers": errors})
    answered = {k: v for k, v in choices.items() if v}
    if not answered:
        # A blank questionnaire counts in no rate; saving it would only inflate the tallies.
        raise ValidationError(
            {"answers": [_("No item is answered: a blank questionnaire is not saved.")]}
        )
    return answered


def build_response(
    *,
    survey: Survey,
    items: list[Item],
    answered_on: dt.date,
    round: str,
    answers: list[dict],
    resident=None,
    sex=None,
    age=None,
    is_migrant=None,
    community=None,
    instance: Response | None = None,
    today: dt.date | None = None,
) -> tuple[Response, list[Answer]]:
    """Validate and score one response without saving it (used by the API and the import)."""
    today = today or timezone.localdate()
    if answered_on > today:
        raise ValidationError({"answered_on": [_("The answer date is in the future.")]})
    if round not in Round.values:
        raise ValidationError({"round": [_("The round must be baseline, follow-up or routine.")]})
    who = _respondent(
        resident=resident,
        sex=sex,
        age=age,
        is_migrant=is_migrant,
        community=community,
        answered_on=answered_on,
    )
    who.pop("_migrant_group")
    if survey.community_id is not None and who["community"].pk != survey.community_id:
        raise ValidationError(
            {"survey": [_("This survey belongs to another community than the respondent's.")]}
        )
    choices = clean_answers(survey, items, answers)
    score = score_response(
        item_keys(items),
        choices,
        knowledge_threshold=survey.knowledge_threshold,
        behavior_threshold=survey.behavior_threshold,
    )
    response = instance or Response()
    response.survey = survey
    response.resident = resident
    response.answered_on = answered_on
    response.month = month_start(answered_on)
    response.round = round
    for name, value in who.items():
        setattr(response, name, value)
    for name in SCORE_FIELDS:
        setattr(response, name, getattr(score, name))
    answer_rows = [
        Answer(item_id=item_id, choice=choice, correct=score.correct_by_item[item_id])
        for item_id, choice in choices.items()
    ]
    response.answered_items, response.correct_items = item_masks(items, score.correct_by_item)
    return response, answer_rows


def item_masks(items: list[Item], correct_by_item: dict[int, bool]) -> tuple[int, int]:
    """Bits (order − 1) of the answered and of the correct items, for items 1 to MASK_ITEMS."""
    answered = correct = 0
    for item in items:
        if item.pk in correct_by_item and 1 <= item.order <= MASK_ITEMS:
            answered |= 1 << (item.order - 1)
            if correct_by_item[item.pk]:
                correct |= 1 << (item.order - 1)
    return answered, correct


def _survey_items(survey: Survey) -> list[Item]:
    return list(survey.items.order_by("order"))


def _duplicate_check(response: Response) -> None:
    """A resident answers a survey once per round (SPEC.md): a second identified response of
    the same survey and round is refused, naming the first one's date."""
    if response.resident_id is None:
        return
    first = (
        Response.objects.filter(
            survey_id=response.survey_id, resident_id=response.resident_id, round=response.round
        )
        .exclude(pk=response.pk)
        .order_by("answered_on", "pk")
        .first()
    )
    if first is not None:
        raise ValidationError(
            {
                "resident": [
                    _(
                        "This resident already answered this survey in this round (%(round)s) on %(date)s (response %(id)d); a person answers once per round, so change that response instead."
                    )
                    % {
                        "round": Round(first.round).label,
                        "date": first.answered_on.isoformat(),
                        "id": first.pk,
                    }
                ]
            }
        )


def _save_once(response: Response) -> None:
    """Save, turning a lost race on the one-per-round constraint into the same 400 as the check."""
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        _duplicate_check(response)
        raise


@transaction.atomic
def response_create(*, user, survey: Survey, **data) -> Response:
    response, answers = build_response(survey=survey, items=_survey_items(survey), **data)
    ensure_period_open(response.community.pk, response.answered_on)
    with counts.kept(residents=[response.resident_id]) as keeper:
        _duplicate_check(response)
        response.created_by = user if getattr(user, "is_authenticated", False) else None
        _save_once(response)
        keeper.add(response)
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    audit_record(user=user, action=Action.CREATE, obj=response, fields=["answers"])
    return response


@transaction.atomic
def response_update(*, user, response: Response, survey: Survey, **data) -> Response:
    if survey.pk != response.survey_id:
        raise ValidationError({"survey": [_("The survey of a response cannot be changed.")]})
    ensure_period_open(response.community_id, response.answered_on)
    was_resident = response.resident_id
    response, answers = build_response(
        survey=survey, items=_survey_items(survey), instance=response, **data
    )
    ensure_period_open(response.community.pk, response.answered_on)
    with counts.kept(
        residents=[was_resident, response.resident_id], responses=[response.pk]
    ) as keeper:
        _duplicate_check(response)
        _save_once(response)
        keeper.changed(response)
    response.answers.all().delete()
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    audit_record(user=user, action=Action.UPDATE, obj=response, fields=["answers"])
    return response


@transaction.atomic
def response_delete(*, user, response: Response) -> None:
    ensure_period_open(response.community_id, response.answered_on)
    audit_record(user=user, action=Action.DELETE, obj=response)
    with counts.kept(residents=[response.resident_id], responses=[response.pk]) as keeper:
        keeper.remove(response.pk)
        response.delete()


# ---------------------------------------------------------------- targets


@transaction.atomic
def target_set(*, user, community, year: int, knowledge: float, behavior: float) -> Target:
    for name, value in (("knowledge", knowledge), ("behavior", behavior)):
        if not 0 <= float(value) <= 1:
            raise ValidationError({name: [_("A target is a fraction between 0 and 1.")]})
    target, created = Target.objects.update_or_create(
        community=community, year=year, defaults={"knowledge": knowledge, "behavior": behavior}
    )
    audit_record(
        user=user,
        action=Action.CREATE if created else Action.UPDATE,
        obj=target,
        fields=["knowledge", "behavior"],
    )
    return target
