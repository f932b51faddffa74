import django_filters
from django.db import connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from healthedu.api.permissions import AdminOnly, ReachPermission
from healthedu.api.viewsets import ScopedModelViewSet
from healthedu.org.models import Community, Street
from healthedu.org.services import authenticate_user


class CommunitySerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="name", queryset=Street.objects.all())
    district = serializers.CharField(source="street.district.name", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "code", "name", "street", "district"]


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
    """The short answer for load balancers, anonymous and cheap; `?full=1` runs every check of
    `manage.py doctor` for an administrator (503 when any of them fails)."""

    permission_classes = [AllowAny]

    def _full(self) -> bool:
        request = getattr(self, "request", None)  # None while the schema is generated
        return request is not None and request.GET.get("full") in ("1", "true")

    def get_authenticators(self):
        # Only the full report needs to know who asks; the short answer skips the token lookup.
        return super().get_authenticators() if self._full() else []

    def get_permissions(self):
        return [AdminOnly()] if self._full() else super().get_permissions()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "full", bool, description="administrators: every check, with its fix in words"
            )
        ],
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "checks": serializers.ListField(child=serializers.DictField(), required=False),
                },
            ),
            503: OpenApiResponse(description="full=1: a check failed"),
        },
    )
    def get(self, request):
        if self._full():
            from healthedu.ops.checks import ERROR, overall, run_checks

            checks = run_checks(worker_timeout=5.0)
            status_ = overall(checks)
            return Response(
                {"status": status_, "checks": [c.as_dict() for c in checks]},
                status=503 if status_ == ERROR else 200,
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok"})
