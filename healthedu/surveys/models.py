"""Surveys (问卷), their items, and the responses from which the two rates (两率) are counted.

A response stores its scores, its respondent's community, key-population groups as of the answer
date, and month when it is saved (healthedu.surveys.services), so that the rates aggregate over
responses in the database and last year's figures never move when someone has a birthday.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from healthedu.org.reach import ReachManager

DEFAULT_THRESHOLD = 0.8
MASK_ITEMS = 62  # items whose answers are also kept as bits of Response.answered/correct_items


class ItemKind(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Knowledge")
    BEHAVIOR = "behavior", _("Behaviour")


class ItemType(models.TextChoices):
    """The three item types of the national health-literacy questionnaire (全国居民健康素养监测)."""

    TRUE_FALSE = "true_false", _("True/false")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multi-select")


# Points an item carries unless its author sets others (1 true/false, 1 single, 2 multi-select).
DEFAULT_POINTS = {ItemType.TRUE_FALSE: 1, ItemType.SINGLE: 1, ItemType.MULTIPLE: 2}
MAX_POINTS = 100


class Round(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    FOLLOWUP = "followup", _("Follow-up")
    ROUTINE = "routine", _("Routine")


class Survey(models.Model):
    """A questionnaire. community NULL = shared by every community (visible to all)."""

    title = models.CharField(_("title"), max_length=200)
    community = models.ForeignKey(
        "org.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("community"),
    )
    knowledge_threshold = models.FloatField(_("knowledge threshold"), default=DEFAULT_THRESHOLD)
    behavior_threshold = models.FloatField(_("behaviour threshold"), default=DEFAULT_THRESHOLD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReachManager()
    reach_path = "community"
    reach_shared_when_null = True

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(knowledge_threshold__gt=0, knowledge_threshold__lte=1),
                name="survey_knowledge_threshold_fraction",
            ),
            models.CheckConstraint(
                condition=Q(behavior_threshold__gt=0, behavior_threshold__lte=1),
                name="survey_behavior_threshold_fraction",
            ),
        ]

    def __str__(self):
        return self.title


class Item(models.Model):
    """One question. `correct` holds the indexes of the correct (knowledge) or healthy
    (behaviour) options. Scoring rule: healthedu.surveys.scoring. `multiple` mirrors
    `type == "multiple"` (kept for the API and older callers; save() keeps them in step)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="items", verbose_name=_("survey")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    text = models.TextField(_("text"))
    topic = models.ForeignKey(
        "program.Topic", on_delete=models.PROTECT, related_name="+", verbose_name=_("topic")
    )
    options = models.JSONField(_("options"), default=list)
    correct = models.JSONField(_("correct options"), default=list)
    multiple = models.BooleanField(_("multiple choice"), default=False)
    type = models.CharField(
        _("item type"),
        max_length=16,
        choices=ItemType.choices,
        default=ItemType.SINGLE,
        db_default=ItemType.SINGLE,
    )
    points = models.PositiveSmallIntegerField(_("points"), default=1, db_default=1)

    objects = ReachManager()
    reach_path = "survey__community"
    reach_shared_when_null = True

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["survey_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="item_unique_order"),
            models.CheckConstraint(
                condition=Q(kind__in=["knowledge", "behavior"]), name="item_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=["true_false", "single", "multiple"]), name="item_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=MAX_POINTS), name="item_points_positive"
            ),
        ]

    def __str__(self):
        return f"Q{self.order}. {self.text[:40]}"

    def save(self, *args, **kwargs):
        self.multiple = self.type == ItemType.MULTIPLE
        super().save(*args, **kwargs)


class BankItem(models.Model):
    """A ready-made item of the item bank (题库), written in our own words."""

    topic = models.ForeignKey(
        "program.Topic", on_delete=models.PROTECT, related_name="+", verbose_name=_("topic")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    text = models.TextField(_("text"), unique=True)
    options = models.JSONField(_("options"), default=list)
    correct = models.JSONField(_("correct options"), default=list)
    multiple = models.BooleanField(_("multiple choice"), default=False)
    type = models.CharField(
        _("item type"),
        max_length=16,
        choices=ItemType.choices,
        default=ItemType.SINGLE,
        db_default=ItemType.SINGLE,
    )
    points = models.PositiveSmallIntegerField(_("points"), default=1, db_default=1)

    class Meta:
        verbose_name = _("bank item")
        verbose_name_plural = _("item bank")
        ordering = ["topic__ordering", "kind", "id"]

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        self.multiple = self.type == ItemType.MULTIPLE
        super().save(*args, **kwargs)


class Response(models.Model):
    """One questionnaire filled in by one respondent on one date, in a round.

    Everything below `answered_on` is worked out by services.response_save() and stored, so
    that the rates are aggregates over this table alone.
    """

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    resident = models.ForeignKey(
        "residents.Resident",
        null=True,
        blank=True,
        # A resident with records is never deleted (they leave by status): a finalised month's
        # figures must not change under it.
        on_delete=models.PROTECT,
        related_name="survey_responses",
        verbose_name=_("resident"),
    )
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="survey_responses",
        verbose_name=_("community"),
    )
    answered_on = models.DateField(_("answered on"))
    round = models.CharField(_("round"), max_length=16, choices=Round.choices)
    # The respondent as of the answer date (given for anonymous respondents, copied otherwise).
    sex = models.CharField(_("sex"), max_length=1)
    age = models.PositiveSmallIntegerField(_("age"))
    is_migrant = models.BooleanField(_("floating population"), default=False)

    month = models.DateField(_("month"), help_text=_("first day of the month answered"))
    knowledge_answered = models.PositiveSmallIntegerField(default=0)
    knowledge_correct = models.PositiveSmallIntegerField(default=0)
    behavior_answered = models.PositiveSmallIntegerField(default=0)
    behavior_healthy = models.PositiveSmallIntegerField(default=0)
    # Points earned and the survey's full points of each part (scoring.score_response): the
    # score is earned / full, unanswered items earning 0 and staying in the full score.
    knowledge_points = models.PositiveIntegerField(default=0, db_default=0)
    knowledge_full = models.PositiveIntegerField(default=0, db_default=0)
    behavior_points = models.PositiveIntegerField(default=0, db_default=0)
    behavior_full = models.PositiveIntegerField(default=0, db_default=0)
    # Bit (order − 1) set when item `order` was answered / answered correctly (healthily), for
    # items 1–62: item rates then aggregate over responses instead of scanning every answer.
    answered_items = models.BigIntegerField(default=0)
    correct_items = models.BigIntegerField(default=0)
    knowledge_score = models.FloatField(null=True, blank=True)
    behavior_score = models.FloatField(null=True, blank=True)
    knowledge_aware = models.BooleanField(null=True, blank=True)
    behavior_formed = models.BooleanField(null=True, blank=True)
    # Key-population groups as of answered_on (residents.groups, the one rule), one flag each
    # so that a GROUP BY can count a person in every group they belong to.
    is_elderly = models.BooleanField(default=False)
    is_women = models.BooleanField(default=False)
    is_youth = models.BooleanField(default=False)
    is_general = models.BooleanField(default=False)

    # Anonymous rows of a paper import are recognised on re-import by this key (see importing).
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Reached through its own community (a shared survey's answers stay private).
    objects = ReachManager()
    reach_path = "community"

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_on", "-id"]
        indexes = [
            models.Index(fields=["survey", "round", "community"], name="response_survey_round"),
            models.Index(fields=["community", "month"], name="response_community_month"),
            models.Index(fields=["month"], name="response_month"),
            # The API's list order: the first page at district scale without sorting the table.
            models.Index(fields=["-answered_on", "-id"], name="response_list_order"),
            # Each person's latest response (rates count a person once): the window over a
            # resident's responses reads this index alone on PostgreSQL (INCLUDE is skipped
            # elsewhere).
            models.Index(
                fields=["resident", "-answered_on", "-id"],
                include=["community", "month", "survey", "round"],
                condition=Q(resident__isnull=False),
                name="response_person_latest",
            ),
        ]
        constraints = [
            # A resident answers a survey once per round (SPEC.md); re-imports update that one.
            models.UniqueConstraint(
                fields=["survey", "resident", "round"],
                condition=Q(resident__isnull=False),
                name="response_unique_resident_round",
            ),
            models.UniqueConstraint(
                fields=["survey", "import_key"],
                condition=~Q(import_key=""),
                name="response_unique_import_key",
            ),
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="response_sex_valid"),
            models.CheckConstraint(
                condition=Q(round__in=["baseline", "followup", "routine"]),
                name="response_round_valid",
            ),
            models.CheckConstraint(
                condition=Q(knowledge_correct__lte=F("knowledge_answered")),
                name="response_knowledge_numerator_le_denominator",
            ),
            models.CheckConstraint(
                condition=Q(behavior_healthy__lte=F("behavior_answered")),
                name="response_behavior_numerator_le_denominator",
            ),
            models.CheckConstraint(
                condition=Q(knowledge_points__lte=F("knowledge_full")),
                name="response_knowledge_points_le_full",
            ),
            models.CheckConstraint(
                condition=Q(behavior_points__lte=F("behavior_full")),
                name="response_behavior_points_le_full",
            ),
            models.CheckConstraint(
                condition=Q(knowledge_answered=0, knowledge_aware__isnull=True)
                | Q(knowledge_answered__gt=0, knowledge_aware__isnull=False),
                name="response_aware_null_iff_unanswered",
            ),
            models.CheckConstraint(
                condition=Q(behavior_answered=0, behavior_formed__isnull=True)
                | Q(behavior_answered__gt=0, behavior_formed__isnull=False),
                name="response_formed_null_iff_unanswered",
            ),
        ]

    def __str__(self):
        return f"{self.survey_id}/{self.answered_on}/{self.round}"

    def audit_repr(self) -> str:
        return f"response {self.pk} of survey {self.survey_id} ({self.community_id})"


class Answer(models.Model):
    """One answered item of a response (unanswered items have no row). `correct` means correct
    for a knowledge item and healthy for a behaviour item, stored when the response is saved."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    choice = models.JSONField(_("choice"), default=list)
    correct = models.BooleanField(_("correct or healthy"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_unique_item"),
        ]

    def __str__(self):
        return f"{self.response_id}/{self.item_id}"


# The key of the kept counts (healthedu.surveys.counts): what the rate breakdowns group on.
COUNT_KEY = (
    "survey",
    "round",
    "community",
    "month",
    "is_elderly",
    "is_women",
    "is_youth",
    "is_migrant",
    "is_general",
)


class RateCount(models.Model):
    """Respondents, aware and formed per breakdown key, kept at write time (surveys.counts).

    scope says who counts: every response ("response"), each resident's latest response per
    community and month ("month"), or each resident's latest response overall ("person")."""

    scope = models.CharField(max_length=8)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    round = models.CharField(max_length=16)
    # Indexed with the month (Meta): a community-month reads its few rows, not its history.
    community = models.ForeignKey(
        "org.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    is_elderly = models.BooleanField()
    is_women = models.BooleanField()
    is_youth = models.BooleanField()
    is_migrant = models.BooleanField()
    is_general = models.BooleanField()
    n = models.IntegerField(default=0)
    k_num = models.IntegerField(default=0)
    k_den = models.IntegerField(default=0)
    b_num = models.IntegerField(default=0)
    b_den = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", *COUNT_KEY], name="ratecount_unique_key"),
        ]
        indexes = [models.Index(fields=["community", "month"], name="ratecount_community_month")]

    def __str__(self):
        return f"{self.scope} {self.survey_id}/{self.round}/{self.community_id}/{self.month}"


class ItemCount(models.Model):
    """Answers and correct (healthy) answers per item order and key, kept at write time from the
    responses' item masks (items 1 to MASK_ITEMS; surveys.counts)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    round = models.CharField(max_length=16)
    community = models.ForeignKey(
        "org.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    order = models.PositiveSmallIntegerField()
    answered = models.IntegerField(default=0)
    correct = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "round", "community", "month", "order"],
                name="itemcount_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["community", "month"], name="itemcount_community_month")]

    def __str__(self):
        return f"{self.survey_id}/{self.round}/{self.community_id}/{self.month} Q{self.order}"
