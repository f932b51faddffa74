import django_filters
from django.db import connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from healthedu.api.permissions import AdminOnly, ReachPermission
from healthedu.api.viewsets import ScopedModelViewSet
from healthedu.org.models import Community
from healthedu.org.services import (
    authenticate_user,
    community_create,
    community_merge,
    community_update,
    tree_delete,
)


class CommunitySerializer(serializers.ModelSerializer):
    """`street` and `district` by name; an admin's POST makes a street or district that does not
    exist yet (healthedu.org.services.community_create)."""

    street = serializers.CharField(source="street.name", max_length=64)
    district = serializers.CharField(source="street.district.name", max_length=64, required=False)

    class Meta:
        model = Community
        fields = ["id", "code", "name", "street", "district"]

    def create(self, validated_data):
        street = validated_data.pop("street")
        return community_create(
            code=validated_data["code"],
            name=validated_data["name"],
            street_name=street["name"],
            district_name=street.get("district", {}).get("name"),
            actor=self.context["request"].user,
        )

    def update(self, instance, validated_data):
        street = validated_data.pop("street", {})
        return community_update(
            community=instance,
            code=validated_data.get("code"),
            name=validated_data.get("name"),
            street_name=street.get("name"),
            district_name=street.get("district", {}).get("name"),
            actor=self.context["request"].user,
        )


class CommunityMergeSerializer(serializers.Serializer):
    into = serializers.SlugRelatedField(slug_field="code", queryset=Community.objects.all())


class CommunityFilter(django_filters.FilterSet):
    street = django_filters.CharFilter(method="filter_street")
    district = django_filters.CharFilter(method="filter_district")

    class Meta:
        model = Community
        fields = ["street", "district"]

    def filter_street(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(street_id=int(value))
        return queryset.filter(street__name=value)

    def filter_district(self, queryset, name, value):
        if value.isdigit():
            return queryset.filter(street__district_id=int(value))
        return queryset.filter(street__district__name=value)


class CommunityViewSet(ScopedModelViewSet):
    queryset = Community.objects.select_related("street__district").order_by("code")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [ReachPermission()]
        return [AdminOnly()]

    # The services audit their own writes.
    def perform_create(self, serializer):
        serializer.save()

    def perform_update(self, serializer):
        serializer.save()

    def perform_destroy(self, instance):
        tree_delete(obj=instance, actor=self.request.user)

    @extend_schema(request=CommunityMergeSerializer, responses={200: CommunitySerializer})
    @action(detail=True, methods=["post"], permission_classes=[AdminOnly])
    def merge(self, request, pk=None):
        """Merge this community into another (`into`, by code): its records move there."""
        source = self.get_object()
        serializer = CommunityMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = community_merge(
            source=source, into=serializer.validated_data["into"], actor=request.user
        )
        return Response(CommunitySerializer(into, context={"request": request}).data)


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(APIView):
    """POST {"username","password"} → {"token"}. Throttled against password guessing."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        username, password = data.get("username"), data.get("password")
        errors = {}
        if not isinstance(username, str) or not username:
            errors["username"] = [_("This field is required.")]
        if not isinstance(password, str) or not password:
            errors["password"] = [_("This field is required.")]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        user = authenticate_user(request, username=username, password=password)
        if user is None:
            return Response(
                {"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses={200: inline_serializer("Health", {"status": serializers.CharField()})}
    )
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok"})
