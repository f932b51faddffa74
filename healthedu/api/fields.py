import datetime as dt

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from healthedu.ids import digits_int
from healthedu.months import InvalidMonth, month_bounds, month_label, parse_month
from healthedu.tabular import TableError


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
        if isinstance(data, str) and digits_int(data) is None:
            queryset = self.get_queryset()
            try:
                return queryset.get(code=data)
            except queryset.model.DoesNotExist:
                self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class AttachedManyRelatedField(serializers.ManyRelatedField):
    """A many-relation parsed as usual on input (by `child_relation`) but shown from plain values
    that `attach(objects)` puts on each object as `attr`: a list page then builds no model
    instance per related row. A single object is attached on first read."""

    def __init__(self, *, attr: str, attach, **kwargs):
        self.attr, self.attach = attr, attach
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        if not hasattr(instance, self.attr):
            self.attach([instance])
        return getattr(instance, self.attr)

    def to_representation(self, values):
        return list(values)


class AttachedListSerializer(serializers.ListSerializer):
    """The same for nested rows: subclasses name `attr` and `attach`; the attached values are
    already the representation (dicts of plain values)."""

    attr: str
    attach = None

    def get_attribute(self, instance):
        if not hasattr(instance, self.attr):
            type(self).attach([instance])
        return getattr(instance, self.attr)

    def to_representation(self, rows):
        return list(rows)


class CheckedUploadField(serializers.FileField):
    """A spreadsheet upload that passes an import's cheap check (type, size, zip structure):
    a bad file is a 400 on the field, before any job starts."""

    def __init__(self, *, check, **kwargs):
        self.check = check
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            self.check(upload)
        except TableError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return upload


# Months: one field for bodies, one filter for query strings, both through healthedu.months.


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthField(serializers.CharField):
    """A month written YYYY-MM (healthedu.months.parse_month); the value is its first day."""

    def to_internal_value(self, data):
        try:
            return parse_month(super().to_internal_value(data))
        except InvalidMonth as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value):
        return (
            month_label(value) if isinstance(value, dt.date) else super().to_representation(value)
        )


class MonthFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except InvalidMonth as exc:
            raise forms.ValidationError(exc.messages) from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthFilter(django_filters.Filter):
    """`?month=YYYY-MM`: the rows whose `field_name` (a date-time) falls in that local month."""

    field_class = MonthFormField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        start, end = month_bounds(value)
        return queryset.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})
