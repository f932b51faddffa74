from rest_framework import serializers


class ReachRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects in the caller's reach (others: 'does not exist')."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return queryset.in_reach(user)


class CommunityCodeOrIdField(ReachRelatedField):
    """A community given by id or by its code (scripts of the district's IT staff use codes)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isdigit():
            queryset = self.get_queryset()
            try:
                return queryset.get(code=data)
            except queryset.model.DoesNotExist:
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
