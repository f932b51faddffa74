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
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from healthedu.api.permissions import AdminOnly, ReachPermission
from healthedu.api.viewsets import ServiceModelViewSet
from healthedu.ids import digits_int
from healthedu.org.models import Community
from healthedu.org.services import (
    authenticate_user,
    community_create,
    community_merge,
    community_update,
    tree_delete,
)
from healthedu.org.throttle import USERNAME_MAX_LENGTH, is_locked_out, lockout_api_response
from healthedu.org.tokens import (
    ExpiringTokenAuthentication,
    token_expires_at,
    token_issue,
    token_revoke,
)


class CommunitySerializer(serializers.ModelSerializer):
    """`street` and `district` by name; an admin's POST makes a street or district that does not
    exist yet (healthedu.org.services.community_create)."""

    street = serializers.CharField(source="street.name", max_length=64)
    district = serializers.CharField(source="street.district.name", max_length=64, required=False)

    class Meta:
        model = Community
        fields = ["id", "code", "name", "street", "district"]


class CommunityMergeSerializer(serializers.Serializer):
    into = serializers.SlugRelatedField(slug_field="code", queryset=Community.objects.all())


class CommunityFilter(django_filters.FilterSet):
    street = django_filters.CharFilter(method="filter_street")
    district = django_filters.CharFilter(method="filter_district")

    class Meta:
        model = Community
        fields = ["street", "district"]

    def filter_street(self, queryset, name, value):
        if (pk := digits_int(value)) is not None:
            return queryset.filter(street_id=pk)
        return queryset.filter(street__name=value)

    def filter_district(self, queryset, name, value):
        if (pk := digits_int(value)) is not None:
            return queryset.filter(street__district_id=pk)
        return queryset.filter(street__district__name=value)


class CommunityViewSet(ServiceModelViewSet):
    queryset = Community.objects.select_related("street__district").order_by("code")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [ReachPermission()]
        return [AdminOnly()]

    def perform_create(self, serializer):
        data = serializer.validated_data
        street = data["street"]
        serializer.instance = community_create(
            code=data["code"],
            name=data["name"],
            street_name=street["name"],
            district_name=street.get("district", {}).get("name"),
            actor=self.request.user,
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        street = data.get("street", {})
        serializer.instance = community_update(
            community=serializer.instance,
            code=data.get("code"),
            name=data.get("name"),
            street_name=street.get("name"),
            district_name=street.get("district", {}).get("name"),
            actor=self.request.user,
        )

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


def _credential_errors(data) -> dict:
    errors = {}
    for field in ("username", "password"):
        value = data.get(field)
        if not isinstance(value, str) or not value:
            errors[field] = [_("This field is required.")]
        elif "\x00" in value:
            errors[field] = [_("This field may not contain NUL characters.")]
    username = data.get("username")
    if "username" not in errors and len(username) > USERNAME_MAX_LENGTH:
        errors["username"] = [
            _("Ensure this field has no more than %(max)d characters.")
            % {"max": USERNAME_MAX_LENGTH}
        ]
    return errors


class TokenView(APIView):
    """POST {"username","password"} → {"token","expires_at"}; DELETE revokes the caller's token.

    Wrong passwords are throttled by axes (healthedu.org.throttle), as at the page and admin
    logins: a lock-out answers 429 with the reason, and even the right password waits for it.
    """

    def get_authenticators(self):
        # Signing in needs no credentials (and no CSRF token); revoking needs the caller's.
        if self.request is not None and self.request.method == "DELETE":
            return [ExpiringTokenAuthentication(), SessionAuthentication()]
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer(
                "TokenResponse",
                {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            ),
            400: inline_serializer("TokenError", {"detail": serializers.CharField()}),
            429: inline_serializer("TokenLockedOut", {"detail": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        errors = _credential_errors(data)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        user = authenticate_user(request, username=data["username"], password=data["password"])
        if user is None:
            if is_locked_out(request):
                return lockout_api_response(request)
            return Response(
                {"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST
            )
        token = token_issue(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(
        request=None,
        responses={204: None},
        description="Revoke the caller's API token (signing out a script); a new POST issues another.",
    )
    def delete(self, request):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
