"""Score every stored response by points, and keep one response per resident, survey and round.

1. Item types: multi-select items (multiple = true) become `multiple` with 2 points; items whose
   two options are 正确/错误 (对/错, √/×) become `true_false`; the rest `single` (1 point). The
   item bank likewise, and its true/false items are added.
2. Re-scoring (issue 11): every response's points earned and full points, score, aware/formed
   flags, by healthedu.surveys.scoring (unanswered items earn 0 and stay in the full score).
   In batches of BATCH responses by primary key, plain ORM reads and bulk_update: the same on
   SQLite and PostgreSQL, and memory stays flat on millions of rows. One audit entry per survey
   says how many responses were re-scored and how many changed verdicts. The files of ledgers
   already finalised are not touched: they keep the figures they printed.
3. One response per resident, survey and round: where a resident has several (allowed before,
   on different dates), the latest (answered_on, then id) is kept — the one a person-level total
   counts — and the older ones are deleted with their answers, each with an audit entry naming
   the kept response (ids and dates only, no personal data). 0007 then adds the constraint.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import Count

BATCH = 2000
SCORE_FIELDS = (
    "knowledge_points",
    "knowledge_full",
    "behavior_points",
    "behavior_full",
    "knowledge_answered",
    "knowledge_correct",
    "behavior_answered",
    "behavior_healthy",
    "knowledge_score",
    "behavior_score",
    "knowledge_aware",
    "behavior_formed",
)


def _set_types(model):
    from healthedu.surveys.scoring import guess_type

    DEFAULT_POINTS = {"true_false": 1, "single": 1, "multiple": 2}
    changed = []
    for item in model.objects.order_by("pk").iterator(chunk_size=BATCH):
        kind = guess_type(item.options, item.multiple)
        if (item.type, item.points) != (kind, DEFAULT_POINTS[kind]):
            item.type, item.points = kind, DEFAULT_POINTS[kind]
            changed.append(item)
    model.objects.bulk_update(changed, ["type", "points"], batch_size=BATCH)


def item_types(apps, schema_editor):
    from healthedu.surveys.bank import TRUE_FALSE_ITEMS

    _set_types(apps.get_model("surveys", "Item"))
    BankItem = apps.get_model("surveys", "BankItem")
    _set_types(BankItem)
    topics = {t.code: t for t in apps.get_model("program", "Topic").objects.all()}
    for code, kind, text, options, correct in TRUE_FALSE_ITEMS:
        if code in topics:
            BankItem.objects.update_or_create(
                text=text,
                defaults={
                    "topic": topics[code],
                    "kind": kind,
                    "options": options,
                    "correct": correct,
                    "multiple": False,
                    "type": "true_false",
                    "points": 1,
                },
            )


def rescore(apps, schema_editor):
    from healthedu.surveys.scoring import item_keys, score_response

    Survey = apps.get_model("surveys", "Survey")
    Item = apps.get_model("surveys", "Item")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for survey in Survey.objects.order_by("pk").iterator():
        keys = item_keys(Item.objects.filter(survey_id=survey.pk).order_by("order"))
        last, total, aware_changed, formed_changed = 0, 0, 0, 0
        while True:
            batch = list(Response.objects.filter(survey_id=survey.pk, pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            choices = defaultdict(dict)
            for response_id, item_id, choice in Answer.objects.filter(
                response_id__in=[r.pk for r in batch]
            ).values_list("response_id", "item_id", "choice"):
                choices[response_id][item_id] = choice
            for response in batch:
                score = score_response(
                    keys,
                    choices[response.pk],
                    knowledge_threshold=survey.knowledge_threshold,
                    behavior_threshold=survey.behavior_threshold,
                )
                aware_changed += score.knowledge_aware != response.knowledge_aware
                formed_changed += score.behavior_formed != response.behavior_formed
                for name in SCORE_FIELDS:
                    setattr(response, name, getattr(score, name))
            Response.objects.bulk_update(batch, SCORE_FIELDS, batch_size=BATCH)
            total += len(batch)
        if total:
            AuditEntry.objects.create(
                user=None,
                action="update",
                model="surveys.Survey",
                object_id=str(survey.pk),
                object_repr=survey.title[:200],
                fields=["knowledge_score", "behavior_score", "knowledge_aware", "behavior_formed"],
                note=(
                    f"re-scored {total} responses by points (issue 11: points earned / full points, "
                    f"unanswered items earn 0; 全国居民健康素养监测); knowledge verdict changed for "
                    f"{aware_changed}, behaviour verdict for {formed_changed}; finalised ledgers "
                    f"keep their files"
                ),
            )


def one_per_round(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    groups = (
        Response.objects.filter(resident__isnull=False)
        .values("survey_id", "resident_id", "round")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("survey_id", "resident_id", "round")
    )
    for group in groups.iterator():
        kept, *older = Response.objects.filter(
            survey_id=group["survey_id"], resident_id=group["resident_id"], round=group["round"]
        ).order_by("-answered_on", "-pk")
        for response in older:
            AuditEntry.objects.create(
                user=None,
                action="delete",
                model="surveys.Response",
                object_id=str(response.pk),
                object_repr=f"response {response.pk} of survey {response.survey_id} ({response.community_id})",
                note=(
                    f"a resident answers a survey once per round (issue 11): this {response.round} "
                    f"response of {response.answered_on.isoformat()} was an older one of resident "
                    f"{response.resident_id}; kept response {kept.pk} of {kept.answered_on.isoformat()}"
                ),
            )
            response.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_item_type_points"),
        ("audit", "0002_initial"),
        ("program", "0002_initial_topics"),
    ]

    operations = [
        migrations.RunPython(item_types, migrations.RunPython.noop),
        migrations.RunPython(rescore, migrations.RunPython.noop),
        migrations.RunPython(one_per_round, migrations.RunPython.noop),
    ]
