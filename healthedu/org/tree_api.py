"""Districts and streets: read by everyone within reach (the ones holding a community in it),
written by admins. Deleting one that still holds streets or communities is refused."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.validators import UniqueValidator

from healthedu.api.permissions import AdminOnly, ReachPermission
from healthedu.audit.services import Action, audit_record
from healthedu.org.models import District, Street
from healthedu.org.reach import scope_tree
from healthedu.org.services import street_create, street_update, tree_delete


class TreeViewSet(viewsets.ModelViewSet):
    # Ids are database integers: anything else is not a route (404), never a database error.
    lookup_value_regex = "[0-9]{1,18}"
    reach_path = ""  # from the model to its communities

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [ReachPermission()]
        return [AdminOnly()]

    def get_queryset(self):
        return scope_tree(super().get_queryset(), self.request.user, path=self.reach_path)

    def perform_create(self, serializer):
        self._reload(serializer, serializer.save())

    def perform_update(self, serializer):
        self._reload(serializer, serializer.save())

    def perform_destroy(self, instance):
        tree_delete(obj=instance, actor=self.request.user)

    def _reload(self, serializer, instance):
        # The counts shown are annotations of the list's queryset.
        serializer.instance = self.get_queryset().get(pk=instance.pk)


class DistrictSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=64,
        validators=[
            UniqueValidator(
                District.objects.all(), message=_("A district with this name already exists.")
            )
        ],
    )
    street_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = District
        fields = ["id", "name", "street_count"]

    def create(self, validated_data):
        district = District.objects.create(**validated_data)
        audit_record(
            user=self.context["request"].user, action=Action.CREATE, obj=district, fields=["name"]
        )
        return district

    def update(self, instance, validated_data):
        instance = super().update(instance, validated_data)
        audit_record(
            user=self.context["request"].user, action=Action.UPDATE, obj=instance, fields=["name"]
        )
        return instance


class DistrictViewSet(TreeViewSet):
    queryset = District.objects.annotate(street_count=Count("streets")).order_by("name")
    serializer_class = DistrictSerializer
    reach_path = "streets__communities"


class StreetSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=64)
    district = serializers.CharField(source="district.name", max_length=64)
    community_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Street
        fields = ["id", "name", "district", "community_count"]

    def create(self, validated_data):
        return street_create(
            name=validated_data["name"],
            district_name=validated_data["district"]["name"],
            actor=self.context["request"].user,
        )

    def update(self, instance, validated_data):
        return street_update(
            street=instance,
            name=validated_data.get("name"),
            district_name=validated_data.get("district", {}).get("name"),
            actor=self.context["request"].user,
        )


class StreetViewSet(TreeViewSet):
    queryset = (
        Street.objects.select_related("district")
        .annotate(community_count=Count("communities"))
        .order_by("district__name", "name")
    )
    serializer_class = StreetSerializer
    reach_path = "communities"
