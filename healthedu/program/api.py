from rest_framework import serializers, viewsets

from healthedu.api.permissions import AdminOnly, ReachPermission
from healthedu.api.viewsets import AuditedMixin
from healthedu.program.models import Topic


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["code", "name", "category"]


class TopicViewSet(AuditedMixin, viewsets.ModelViewSet):
    """The topic catalogue is shared by all communities; admins extend it."""

    queryset = Topic.objects.all()
    serializer_class = TopicSerializer
    lookup_field = "code"
    pagination_class = None

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [ReachPermission()]
        return [AdminOnly()]
