"""Accounts: admins create and change them (role, reach, password, deactivation); anyone else
sees only their own account and changes nothing here."""

import django_filters
from django.core.exceptions import MultipleObjectsReturned
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.validators import UniqueValidator

from healthedu.api.permissions import AdminOnly
from healthedu.ids import digits_int
from healthedu.org.models import Community, District, Role, Street, User
from healthedu.org.reach import scope_users
from healthedu.org.services import user_save


class NameRelatedField(serializers.SlugRelatedField):
    """By name (or code); a name that several rows share is refused, never a server error."""

    default_error_messages = {"ambiguous": _("Several objects are named {value}.")}

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except MultipleObjectsReturned:
            self.fail("ambiguous", value=data)


class UserSerializer(serializers.ModelSerializer):
    username = serializers.CharField(
        max_length=150,
        validators=[
            UniqueValidator(
                User.objects.all(), message=_("A user with that username already exists.")
            )
        ],
    )
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    communities = NameRelatedField(
        slug_field="code", queryset=Community.objects.all(), many=True, required=False
    )
    streets = NameRelatedField(
        slug_field="name", queryset=Street.objects.all(), many=True, required=False
    )
    districts = NameRelatedField(
        slug_field="name", queryset=District.objects.all(), many=True, required=False
    )
    is_active = serializers.BooleanField(required=False)
    password = serializers.CharField(
        write_only=True, required=False, max_length=128, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "role",
            "communities",
            "streets",
            "districts",
            "is_active",
            "must_change_password",
            "password",
            "last_login",
        ]
        read_only_fields = ["must_change_password", "last_login"]

    def validate_username(self, value):
        from django.contrib.auth.validators import UnicodeUsernameValidator

        value = value.strip()
        UnicodeUsernameValidator()(value)
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["full_name"] = f"{instance.first_name}{instance.last_name}"
        return data

    def create(self, validated_data):
        return user_save(data=validated_data, actor=self.context["request"].user)

    def update(self, instance, validated_data):
        return user_save(user=instance, data=validated_data, actor=self.context["request"].user)


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    community = django_filters.CharFilter(method="filter_community")

    class Meta:
        model = User
        fields = ["role", "community"]

    def filter_community(self, queryset, name, value):
        """Users whose reach holds the community (by code or id): its own, its street's, its
        district's users."""
        pk = digits_int(value)
        lookup = {"pk": pk} if pk is not None else {"code": value}
        community = Community.objects.select_related("street").filter(**lookup).first()
        if community is None:
            return queryset.none()
        return queryset.filter(
            Q(communities=community)
            | Q(streets=community.street_id)
            | Q(districts=community.street.district_id)
        ).distinct()


class UserViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """No DELETE: an account is deactivated (`is_active` false), so its history keeps a name."""

    queryset = User.objects.prefetch_related("communities", "streets", "districts").order_by(
        "username"
    )
    serializer_class = UserSerializer
    filterset_class = UserFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated()]
        return [AdminOnly()]

    def get_queryset(self):
        return scope_users(super().get_queryset(), self.request.user)
