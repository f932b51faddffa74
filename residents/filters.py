"""The one resident search: the API's list and the residents page filter through it alike."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from healthedu.ids import digits_int
from residents.groups import ALL_GROUPS, group_q
from residents.models import Resident, ResidentStatus, Sex
from residents.selectors import resident_search


class ResidentFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community", label=gettext_lazy("community (id or code)")
    )
    group = django_filters.ChoiceFilter(choices=[(g, g) for g in ALL_GROUPS], method="filter_group")
    sex = django_filters.ChoiceFilter(choices=Sex.choices)
    is_migrant = django_filters.BooleanFilter()
    status = django_filters.ChoiceFilter(choices=ResidentStatus.choices)
    search = django_filters.CharFilter(
        method="filter_search",
        label=gettext_lazy(
            "a part of the name, its pinyin's start, the phone's last digits or a whole ID number"
        ),
    )

    class Meta:
        model = Resident
        fields = ["community", "group", "sex", "is_migrant", "status", "search"]

    def filter_community(self, queryset, name, value):
        if (pk := digits_int(value)) is not None:
            return queryset.filter(Q(community_id=pk) | Q(community__code=value))
        return queryset.filter(community__code=value)

    def filter_group(self, queryset, name, value):
        # By the birth month, as the groups shown (residents.groups): a list filtered by group day
        # after day would otherwise tell the day someone turns 60.
        return queryset.filter(group_q(value, timezone.localdate(), by_month=True))

    def filter_search(self, queryset, name, value):
        return resident_search(queryset, value, user=getattr(self.request, "user", None))
