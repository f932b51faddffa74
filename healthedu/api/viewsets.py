"""Base viewsets: the one place where API querysets are scoped to the caller's reach."""

from django.db import transaction
from rest_framework import viewsets

from healthedu.audit.services import Action, audit_record, changed_fields


class ScopedViewSetMixin:
    """Every queryset passes through `Model.objects.in_reach(user)`.

    Subclasses set `queryset` (with select_related/prefetch_related) and never override
    get_queryset without calling super(), so a view cannot forget the scope.
    """

    # Ids are database integers: anything else is not a route (404), never a database error.
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.in_reach(self.request.user)


class AuditedMixin:
    """For plain CRUD, where no service stands between the API and the table: writes go to the
    audit log with the names of the fields changed (never values)."""

    @transaction.atomic
    def perform_create(self, serializer):
        instance = serializer.save()
        audit_record(
            user=self.request.user,
            action=Action.CREATE,
            obj=instance,
            fields=serializer.validated_data.keys(),
        )

    @transaction.atomic
    def perform_update(self, serializer):
        fields = changed_fields(serializer.instance, serializer.validated_data)
        instance = serializer.save()
        audit_record(user=self.request.user, action=Action.UPDATE, obj=instance, fields=fields)

    @transaction.atomic
    def perform_destroy(self, instance):
        audit_record(user=self.request.user, action=Action.DELETE, obj=instance)
        instance.delete()


# For objects an app's services write: the serializer checks the request and shows the object;
# each viewset calls its app's service by name in perform_create, perform_update and
# perform_destroy (the service checks the rules and audits, once). Until a subclass says which
# service writes, a write is refused here rather than saved around the services. (No docstring:
# the schema describes these endpoints by the scope's, as it always has.)
class ServiceModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    def perform_create(self, serializer):
        raise NotImplementedError(f"{type(self).__name__}: create through the app's service")

    def perform_update(self, serializer):
        raise NotImplementedError(f"{type(self).__name__}: update through the app's service")

    def perform_destroy(self, instance):
        raise NotImplementedError(f"{type(self).__name__}: delete through the app's service")


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
