"""The referral list's filters, one set for the API and the referral page alike."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from healthedu.ids import digits_int
from healthedu.screening.bp import Referral as ReferralKind
from healthedu.screening.models import Referral, ReferralStatus


def community_q(value: str, field: str = "community") -> Q:
    if (pk := digits_int(value)) is not None:
        return Q(**{f"{field}_id": pk}) | Q(**{f"{field}__code": value})
    return Q(**{f"{field}__code": value})


TRI_STATE = [("true", "true"), ("false", "false"), ("unknown", "unknown")]


class TriStateFilter(django_filters.ChoiceFilter):
    """A follow-up item: true, false, or unknown (not recorded)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", TRI_STATE)
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        if value == "unknown":
            return queryset.filter(**{f"{self.field_name}__isnull": True})
        return queryset.filter(**{self.field_name: value == "true"})


class ReferralFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community", label=gettext_lazy("community (id or code)")
    )
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    urgency = django_filters.ChoiceFilter(
        choices=[(ReferralKind.REFERRAL, "referral"), (ReferralKind.URGENT, "urgent")]
    )
    resident = django_filters.NumberFilter(field_name="resident_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    reached = TriStateFilter(label=gettext_lazy("reached (true, false, unknown)"))
    seen_by_doctor = TriStateFilter(label=gettext_lazy("seen by a doctor (true, false, unknown)"))
    diagnosis_confirmed = TriStateFilter(
        label=gettext_lazy("diagnosis confirmed (true, false, unknown)")
    )
    treatment_started = TriStateFilter(
        label=gettext_lazy("treatment started (true, false, unknown)")
    )
    next_follow_up_on = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("next follow-up between (_after, _before; dates)")
    )

    class Meta:
        model = Referral
        fields = [
            "community",
            "status",
            "urgency",
            "resident",
            "overdue",
            "reached",
            "seen_by_doctor",
            "diagnosis_confirmed",
            "treatment_started",
            "next_follow_up_on",
        ]

    def filter_community(self, queryset, name, value):
        return queryset.filter(community_q(value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
