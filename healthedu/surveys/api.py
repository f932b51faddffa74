"""HTTP for surveys, responses, the item bank, targets and the rates. Thin: every rule is in
services (writes), rates (reads of the two rates) and importing (paper entry)."""

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as HttpJson
from rest_framework.views import APIView

from healthedu.api.fields import (
    AttachedListSerializer,
    CommunityCodeOrIdField,
    ReachRelatedField,
)
from healthedu.api.viewsets import ScopedViewSetMixin, ServiceModelViewSet
from healthedu.ids import digits_int
from healthedu.jobs.api import JobSerializer, job_accepted
from healthedu.org.models import Community, Street
from healthedu.org.reach import Reach
from healthedu.org.selectors import community_id_of
from healthedu.program.models import Target, Topic
from healthedu.surveys import rates as rates_module
from healthedu.surveys import services
from healthedu.surveys.importing import check_upload, template_workbook
from healthedu.surveys.jobs import survey_response_import_start
from healthedu.surveys.models import (
    MAX_POINTS,
    BankItem,
    ItemKind,
    ItemType,
    Response,
    Round,
    Survey,
)
from healthedu.surveys.selectors import attach_answers
from healthedu.tabular import TableError
from residents.groups import ALL_GROUPS
from residents.models import Resident

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---------------------------------------------------------------- surveys


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    text = serializers.CharField(max_length=2000)
    topic = serializers.SlugRelatedField(slug_field="code", queryset=Topic.objects.all())
    options = serializers.ListField(
        child=serializers.CharField(max_length=500), min_length=2, max_length=26
    )
    correct = serializers.ListField(child=serializers.IntegerField(min_value=0), min_length=1)
    # `type` is the item's type; `multiple` (older callers) is true exactly for multi-select.
    # Either may be given; services.clean_items refuses the two disagreeing.
    type = serializers.ChoiceField(choices=ItemType.choices, required=False)
    multiple = serializers.BooleanField(required=False)
    points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS, required=False)


class SurveySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200)
    community = CommunityCodeOrIdField(
        queryset=Community.objects.all(), allow_null=True, required=False, default=None
    )
    knowledge_threshold = serializers.FloatField(
        min_value=0.01, max_value=1, required=False, default=0.8
    )
    behavior_threshold = serializers.FloatField(
        min_value=0.01, max_value=1, required=False, default=0.8
    )
    items = ItemSerializer(many=True)


class FromBankSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    community = CommunityCodeOrIdField(
        queryset=Community.objects.all(), allow_null=True, required=False, default=None
    )
    items = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    knowledge_threshold = serializers.FloatField(min_value=0.01, max_value=1, required=False)
    behavior_threshold = serializers.FloatField(min_value=0.01, max_value=1, required=False)


class CopySerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)


class SurveyFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community", label=gettext_lazy("community (id or code)")
    )

    class Meta:
        model = Survey
        fields = ["community"]

    def filter_community(self, queryset, name, value):
        # A community's surveys include the shared ones it can use.
        mine = Q(community__code=value)
        if (pk := digits_int(value)) is not None:
            mine |= Q(community_id=pk)
        return queryset.filter(mine | Q(community__isnull=True))


class SurveyViewSet(ServiceModelViewSet):
    queryset = Survey.objects.prefetch_related("items__topic").order_by("-id")
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter

    def perform_create(self, serializer):
        serializer.instance = services.survey_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        survey = serializer.instance
        try:
            serializer.instance = services.survey_update(
                user=self.request.user, survey=survey, data=serializer.validated_data
            )
        except DjangoValidationError as exc:
            # The service refuses a frozen survey's items; the API names its route to a copy.
            items = getattr(exc, "error_dict", {}).get("items")
            if not items:
                raise
            route = f"POST /api/surveys/{survey.pk}/copy/"
            raise serializers.ValidationError(
                {"items": [f"{message} ({route})" for e in items for message in e.messages]}
            ) from None

    def perform_destroy(self, instance):
        services.survey_delete(user=self.request.user, survey=instance)

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=True, methods=["get"])
    def template(self, request, pk=None):
        survey = self.get_object()
        response = HttpResponse(template_workbook(survey), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=survey-{survey.pk}-template.xlsx"
        return response

    @extend_schema(request=CopySerializer, responses={201: SurveySerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """A new version of the survey, with the same items, free to change."""
        survey = self.get_object()
        serializer = CopySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.survey_copy(
            user=request.user, survey=survey, title=serializer.validated_data.get("title")
        )
        return HttpJson(SurveySerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FromBankSerializer, responses={201: SurveySerializer})
    @action(detail=False, methods=["post"], url_path="from-bank")
    def from_bank(self, request):
        serializer = FromBankSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        survey = services.survey_from_bank(
            user=request.user,
            title=data.pop("title"),
            community=data.pop("community"),
            bank_ids=data.pop("items"),
            **data,
        )
        survey = self.get_queryset().get(pk=survey.pk)
        return HttpJson(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)


class BankItemSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = BankItem
        fields = ["id", "topic", "kind", "type", "text", "options", "correct", "multiple", "points"]


class BankItemFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(field_name="topic__code")
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices)

    class Meta:
        model = BankItem
        fields = ["topic", "kind"]


class BankItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The item bank is shared by all communities and read by anyone signed in."""

    queryset = BankItem.objects.select_related("topic").order_by("topic__ordering", "kind", "id")
    serializer_class = BankItemSerializer
    filterset_class = BankItemFilter


# ---------------------------------------------------------------- responses


class AnswerListSerializer(AttachedListSerializer):
    attr = "answer_rows"
    attach = staticmethod(attach_answers)


class AnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    choice = serializers.ListField(child=serializers.IntegerField(min_value=0), allow_empty=True)

    class Meta:
        list_serializer_class = AnswerListSerializer


class ResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    survey = ReachRelatedField(queryset=Survey.objects.all())
    resident = ReachRelatedField(
        queryset=Resident.objects.all(), allow_null=True, required=False, default=None
    )
    community = CommunityCodeOrIdField(
        queryset=Community.objects.all(), allow_null=True, required=False, default=None
    )
    sex = serializers.ChoiceField(
        choices=[("M", "M"), ("F", "F")], allow_null=True, required=False, default=None
    )
    age = serializers.IntegerField(
        min_value=0, max_value=services.MAX_AGE, allow_null=True, required=False, default=None
    )
    is_migrant = serializers.BooleanField(allow_null=True, required=False, default=None)
    answered_on = serializers.DateField()
    round = serializers.ChoiceField(choices=Round.choices)
    answers = AnswerSerializer(many=True)
    month = serializers.DateField(read_only=True, format="%Y-%m")
    knowledge_answered = serializers.IntegerField(read_only=True)
    knowledge_correct = serializers.IntegerField(read_only=True)
    behavior_answered = serializers.IntegerField(read_only=True)
    behavior_healthy = serializers.IntegerField(read_only=True)
    knowledge_points = serializers.IntegerField(read_only=True)
    knowledge_full = serializers.IntegerField(read_only=True)
    behavior_points = serializers.IntegerField(read_only=True)
    behavior_full = serializers.IntegerField(read_only=True)
    knowledge_score = serializers.FloatField(read_only=True)
    behavior_score = serializers.FloatField(read_only=True)
    knowledge_aware = serializers.BooleanField(read_only=True, allow_null=True)
    behavior_formed = serializers.BooleanField(read_only=True, allow_null=True)
    groups = serializers.SerializerMethodField()

    def get_groups(self, response) -> list[str]:
        flags = [
            ("elderly", response.is_elderly),
            ("women", response.is_women),
            ("youth", response.is_youth),
            ("migrant", response.is_migrant),
            ("general", response.is_general),
        ]
        return [name for name, on in flags if on]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.resident_id is not None:
            # What is shown of a person comes from the birth month (residents.groups): exact
            # ages on chosen answer dates would give away the day of birth.
            data["age"] = instance.resident.age_on(instance.answered_on)
            data["groups"] = instance.resident.groups_on(instance.answered_on)
        return data

    def to_service_data(self) -> dict:
        data = dict(self.validated_data)
        if "answers" in data:
            data["answers"] = [
                {"item": a["item_id"], "choice": a["choice"]} for a in data["answers"]
            ]
        return data

    def update_data(self) -> dict:
        """The service's data for an update: a partial update keeps what it does not mention."""
        instance = self.instance
        current = {
            "survey": instance.survey,
            "resident": instance.resident,
            "answered_on": instance.answered_on,
            "round": instance.round,
            "answers": [{"item": a.item_id, "choice": a.choice} for a in instance.answers.all()],
        }
        if instance.resident is None:
            current.update(
                sex=instance.sex,
                age=instance.age,
                is_migrant=instance.is_migrant,
                community=instance.community,
            )
        data = {**current, **self.to_service_data()}
        if "answers" not in self.validated_data:
            data["answers"] = current["answers"]
        return data


class ResponseFilter(django_filters.FilterSet):
    survey = django_filters.NumberFilter(field_name="survey_id")
    community = django_filters.CharFilter(method="filter_community")
    round = django_filters.ChoiceFilter(choices=Round.choices)
    month = django_filters.CharFilter(method="filter_month", label=gettext_lazy("month YYYY-MM"))

    class Meta:
        model = Response
        fields = ["survey", "community", "round", "month"]

    def filter_community(self, queryset, name, value):
        if (pk := digits_int(value)) is not None:
            return queryset.filter(Q(community_id=pk) | Q(community__code=value))
        return queryset.filter(community__code=value)

    def filter_month(self, queryset, name, value):
        try:
            year, number = (int(part) for part in value.split("-"))
            month = dt.date(year, number, 1)
        except ValueError:
            raise serializers.ValidationError(
                {"month": [_("Write the month as YYYY-MM, e.g. 2026-10.")]}
            ) from None
        return queryset.filter(month=month)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    survey = ReachRelatedField(queryset=Survey.objects.all())
    community = CommunityCodeOrIdField(queryset=Community.objects.all())

    def validate(self, data):
        try:
            check_upload(data["file"], data["survey"])
        except TableError as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from None
        return data


class SurveyResponseViewSet(ServiceModelViewSet):
    queryset = Response.objects.select_related("resident").order_by("-answered_on", "-id")
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter

    def list(self, request, *args, **kwargs):
        page = attach_answers(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        serializer.instance = services.response_create(
            user=self.request.user, **serializer.to_service_data()
        )

    def perform_update(self, serializer):
        serializer.instance = services.response_update(
            user=self.request.user, response=serializer.instance, **serializer.update_data()
        )

    def perform_destroy(self, instance):
        services.response_delete(user=self.request.user, response=instance)

    @extend_schema(
        request={"multipart/form-data": ImportSerializer}, responses={202: JobSerializer}
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def import_file(self, request):
        serializer = ImportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        community = serializer.validated_data["community"]
        job = survey_response_import_start(
            user=request.user,
            community=community,
            survey=serializer.validated_data["survey"],
            upload=serializer.validated_data["file"],
        )
        return job_accepted(request, job)


# ---------------------------------------------------------------- targets


class TargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    community = CommunityCodeOrIdField(queryset=Community.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    knowledge = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)
    behavior = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)


class TargetViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Targets per community and year. POST sets (creates or replaces) one."""

    queryset = Target.objects.select_related("community").order_by("-year", "community_id")
    serializer_class = TargetSerializer
    filterset_fields = ["year", "community"]

    def perform_create(self, serializer):
        serializer.instance = services.target_set(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        # A partial PATCH keeps the fields it does not name.
        fields = ("community", "year", "knowledge", "behavior")
        data, target = serializer.validated_data, serializer.instance
        values = {name: data.get(name, getattr(target, name)) for name in fields}
        serializer.instance = services.target_set(user=self.request.user, **values)


# ---------------------------------------------------------------- rates

BY_CHOICES = ("community", "street", "group", "month", "quarter", "round", "survey", "topic")


class RatesQuerySerializer(serializers.Serializer):
    survey = serializers.IntegerField(min_value=1, max_value=2**53, required=False)
    community = serializers.CharField(required=False, max_length=64)
    street = serializers.IntegerField(min_value=1, max_value=2**53, required=False)
    group = serializers.ChoiceField(choices=ALL_GROUPS, required=False)
    round = serializers.ChoiceField(choices=Round.choices, required=False)
    topic = serializers.SlugField(required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    by = serializers.CharField(required=False, allow_blank=True)

    def validate_by(self, value):
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in BY_CHOICES]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown breakdown %(names)s; use %(choices)s.")
                % {"names": ", ".join(unknown), "choices": ", ".join(BY_CHOICES)}
            )
        return names

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        errors = {}
        for name in ("from", "to"):
            raw = data.get(name)
            if raw:
                try:
                    values[name] = dt.date.fromisoformat(raw)
                except ValueError:
                    errors[name] = [_("Write the date as YYYY-MM-DD.")]
        if errors:
            raise serializers.ValidationError(errors)
        return values


def _rate_query(request, params: dict) -> tuple[rates_module.RateQuery, int | None]:
    """Translate query parameters into a RateQuery within the caller's reach; 404 outside it."""
    user = request.user
    reach = Reach.of(user)
    query = rates_module.RateQuery(reach=reach)
    if "survey" in params:
        if not Survey.objects.in_reach(user).filter(pk=params["survey"]).exists():
            raise Http404
        query.survey = params["survey"]
    if "community" in params:
        community_id = community_id_of(params["community"], reach=reach)
        if community_id is None:
            raise Http404
        query.community = community_id
    if "street" in params:
        communities = Community.objects.in_reach(reach).filter(street_id=params["street"])
        if not Street.objects.filter(pk=params["street"]).exists() or not communities.exists():
            raise Http404
        query.street = params["street"]
    if "topic" in params:
        if not Topic.objects.filter(code=params["topic"]).exists():
            raise serializers.ValidationError({"topic": [_("There is no such topic.")]})
        query.topic = params["topic"]
    query.group = params.get("group")
    query.round = params.get("round")
    query.by = params.get("by", [])
    year = params.get("year")
    query.date_from = params.get("from") or (dt.date(year, 1, 1) if year else None)
    query.date_to = params.get("to") or (dt.date(year, 12, 31) if year else None)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise serializers.ValidationError({"to": [_("The end date is before the start date.")]})
    return query, year


RATE_PARAMETERS = [
    OpenApiParameter("survey", int),
    OpenApiParameter("community", str, description="id or code"),
    OpenApiParameter("street", int),
    OpenApiParameter("group", str, enum=ALL_GROUPS),
    OpenApiParameter("round", str, enum=Round.values),
    OpenApiParameter("topic", str, description="topic code"),
    OpenApiParameter("from", OpenApiTypes.DATE),
    OpenApiParameter("to", OpenApiTypes.DATE),
    OpenApiParameter("year", int, description="a calendar year (sets from/to; gives targets)"),
]


class RatesView(APIView):
    """The two rates with numerators, denominators and 95 % Wilson intervals.

    `unit` says what the person-level figures count (respondents, each person once: without a
    `round` filter a resident who answered several times in the window counts by their latest
    response; in a breakdown, by their latest within the entry, so `by=round` shows each round);
    `rounds` (on the answer and on each breakdown entry) lists the rounds a figure covers.
    `items` and `topics` count answers (`items_unit`). `topic` as a filter keeps the respondents of surveys that ask about
    the topic and the items on it; `by=topic` is answered by the `topics` list (answer-level
    rates per topic and kind), which is always present. With one community and a year
    (`year`, or `from`/`to` within one year) each rate carries `target` and `gap`.
    """

    @extend_schema(
        parameters=[
            *RATE_PARAMETERS,
            OpenApiParameter("by", str, description="comma list of " + ", ".join(BY_CHOICES)),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = RatesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, year = _rate_query(request, params.validated_data)
        return HttpJson(rates_module.rates(query, year=year))


class CompareQuerySerializer(RatesQuerySerializer):
    before = serializers.ChoiceField(choices=Round.choices, required=False, default="baseline")
    after = serializers.ChoiceField(choices=Round.choices, required=False, default="followup")

    def validate(self, data):
        if data["before"] == data["after"]:
            raise serializers.ValidationError({"after": [_("Compare two different rounds.")]})
        return data


class CompareView(APIView):
    """Before/after comparison of two rounds.

    Each of `knowledge` and `behavior`: `before`, `after`, `change` and the independent-samples
    test over everyone in each round (`chi2`, Pearson's without continuity correction, or
    `fisher` where an expected count is under 5); and `paired`, over the identified residents
    who answered both rounds: `pairs`, `before`, `after`, McNemar's test — `mcnemar_exact` (exact
    binomial, `statistic` null) under 25 discordant pairs, else `mcnemar` (chi-square without
    continuity correction) — or null when nobody answered both. `tests` says which test answers
    which question.
    """

    @extend_schema(
        parameters=[
            *RATE_PARAMETERS,
            OpenApiParameter("before", str, enum=Round.values, default="baseline"),
            OpenApiParameter("after", str, enum=Round.values, default="followup"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = CompareQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        query, _year = _rate_query(request, data)
        return HttpJson(rates_module.compare(query, before=data["before"], after=data["after"]))
