from django.db import models
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healthedu.org.reach import ReachQuerySet
from residents.groups import shown_age_on, shown_groups_as_of
from residents.sorting import name_sort_key


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Condition(models.TextChoices):
    HYPERTENSION = "hypertension", _("Hypertension")
    DIABETES = "diabetes", _("Diabetes")


# What a resident leaves in the records: the reverse relations that make a history. A resident
# with any of it is never deleted (it would take a finalised month's records with it): they leave
# the register by status, moved out or deceased.
HISTORY_RELATIONS = {
    "attendances": _("attendance at activities"),
    "bp_readings": _("blood-pressure readings"),
    "bp_referrals": _("referrals"),
    "survey_responses": _("survey responses"),
}


class ResidentHasHistory(ProtectedError):
    """Deleting a resident who has records; the message says what to do instead."""

    def __init__(self, kinds: list[str], residents=()):
        self.kinds = kinds
        message = _(
            "This resident has records (%(kinds)s) and cannot be deleted: set the status to "
            "moved out or deceased instead, and the records stay."
        ) % {"kinds": "、".join(str(k) for k in kinds)}
        super().__init__(message, set(residents))


class ResidentQuerySet(ReachQuerySet):
    def for_list(self):
        return self.select_related("community")

    def history_kinds(self) -> list[str]:
        """The kinds of records (HISTORY_RELATIONS' labels) that any of these residents has."""
        return [
            label
            for relation, label in HISTORY_RELATIONS.items()
            if self.filter(**{f"{relation}__isnull": False}).exists()
        ]

    def delete(self):
        # Whatever the path (a service, the admin's bulk action), residents with records stay.
        kinds = self.history_kinds()
        if kinds:
            raise ResidentHasHistory(kinds)
        return super().delete()


class Resident(models.Model):
    """A resident of a community. ID number and phone are kept encrypted, with a keyed hash for
    lookup and a masked copy for display; no read shows them in full (healthedu.pii)."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("community"),
        # No index of its own: the (community, name, birth_date) index leads with it, and each
        # index costs every insert (a fifth of a 100,000-row import's time in the database).
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_migrant = models.BooleanField(_("floating population"), default=False)
    has_hypertension = models.BooleanField(_("known hypertension"), default=False)
    has_diabetes = models.BooleanField(_("known diabetes"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE
    )

    # Unique and indexed through Meta (a constraint and a plain index), not unique=True /
    # db_index=True: on PostgreSQL those add a second, varchar_pattern_ops index for LIKE that
    # no query uses and every insert pays for (a sixth of a 100,000-row import's COPY).
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    id_number_enc = models.TextField(blank=True, default="", editable=False)
    id_number_masked = models.CharField(
        _("ID number"), max_length=18, blank=True, default="", editable=False
    )
    phone_enc = models.TextField(blank=True, default="", editable=False)
    phone_masked = models.CharField(
        _("phone"), max_length=20, blank=True, default="", editable=False
    )
    # The name's pinyin, for the list's order (residents.sorting); kept by save() and the bulk
    # paths of residents.services and residents.importing.
    name_pinyin = models.CharField(max_length=400, blank=True, default="", editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    id_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()
    reach_path = "community"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["community_id", "name", "id"]
        indexes = [
            models.Index(fields=["community", "name", "birth_date"]),
            models.Index(fields=["birth_date"]),
            models.Index(fields=["phone_last4"], name="resident_phone_last4_idx"),
            models.Index(fields=["name_pinyin", "name", "id"], name="resident_pinyin_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], name="resident_id_number_hash_unique"
            ),
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="resident_sex_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "moved_out", "deceased"]),
                name="resident_status_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        key = name_sort_key(self.name)
        if key != self.name_pinyin:
            self.name_pinyin = key
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "name_pinyin"}
        super().save(*args, **kwargs)

    def audit_repr(self) -> str:
        return f"{self.name} ({self.community_id})"

    @property
    def conditions(self) -> list[str]:
        found = []
        if self.has_hypertension:
            found.append(Condition.HYPERTENSION.value)
        if self.has_diabetes:
            found.append(Condition.DIABETES.value)
        return found

    def delete(self, *args, **kwargs):
        kinds = Resident.objects.filter(pk=self.pk).history_kinds()
        if kinds:
            raise ResidentHasHistory(kinds, [self])
        return super().delete(*args, **kwargs)

    def groups_on(self, day) -> list[str]:
        """The groups shown of this resident on a day (from the birth month: residents.groups)."""
        return shown_groups_as_of(
            sex=self.sex, birth_date=self.birth_date, is_migrant=self.is_migrant, on=day
        )

    def age_on(self, day) -> int:
        """The age shown of this resident on a day (from the birth month: residents.groups)."""
        return shown_age_on(self.birth_date, day)

    @property
    def groups(self) -> list[str]:
        return self.groups_on(timezone.localdate())
