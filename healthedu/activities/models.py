"""Health-education activities (健康教育活动), their attendance, materials, attachments and repeats.

The fields follow the activity record form (健康教育活动记录表). Rules live in services.py
(writes) and selectors.py (reads); the database holds the constraints a race could break.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from healthedu.org.reach import ReachQuerySet


class EventKind(models.TextChoices):
    LECTURE = "lecture", _("Health-knowledge lecture")
    CONSULTATION = "consultation", _("Public health consultation")
    BP_SCREENING = "bp_screening", _("Blood-pressure screening")
    BOARD_UPDATE = "board_update", _("Publicity board update")
    PRINT_MATERIAL = "print_material", _("Printed material")
    AV_SHOWING = "av_showing", _("Audio-visual showing")
    FITNESS = "fitness", _("Fitness activity")
    INDIVIDUAL = "individual", _("Individual education")
    CHECKUP = "checkup", _("Health check")
    TRAINING = "training", _("Educator training")
    MEETING = "meeting", _("Leading-group meeting")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MaterialMedium(models.TextChoices):
    """What a handed-out material is, for the yearly 'kinds' minimums."""

    PRINT = "print", _("Printed material")
    AV = "av", _("Audio-visual material")
    OTHER = "other", _("Other material")


class AttachmentCategory(models.TextChoices):
    """The archive boxes (存档材料) of the activity record form."""

    WRITTEN = "written", _("Written material")
    PHOTO = "photo", _("Photographs")
    # The form's box reads 印刷材料, not the medium's 印刷资料: its own context.
    PRINTED = "printed", pgettext_lazy("archive", "Printed material")
    AUDIOVISUAL = "audiovisual", _("Audio-visual material")
    SIGN_IN = "sign_in", _("Sign-in sheet")
    OTHER = "other", _("Other material")


class RepeatRule(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class CheckInMethod(models.TextChoices):
    MANUAL = "manual", _("Checked in by an educator")
    QR = "qr", _("Scanned the sign-in code")


def new_signin_token() -> str:
    return secrets.token_urlsafe(18)


class Series(models.Model):
    """A repeat rule (weekly morning exercise, monthly lecture) whose occurrences are Events."""

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="event_series",
        verbose_name=_("community"),
    )
    rule = models.CharField(_("repeat"), max_length=16, choices=RepeatRule.choices)
    interval = models.PositiveSmallIntegerField(_("every"), default=1)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("occurrences"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReachQuerySet.as_manager()
    reach_path = "community"

    class Meta:
        verbose_name = _("repeating activity")
        verbose_name_plural = _("repeating activities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(interval__gte=1), name="series_interval_positive"),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} ×{self.interval}"


class EventQuerySet(ReachQuerySet):
    def with_counts(self):
        """attendee_count and participant_count (attendees + walk-ins) in the one list query."""
        # A correlated subquery, not JOIN + GROUP BY: the list's COUNT(*) for pagination then
        # drops the annotation and stays a plain count (it was half of the list's time).
        attendees = (
            Attendance.objects.filter(event=models.OuterRef("pk"))
            .order_by()
            .values("event")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            attendee_count=Coalesce(
                models.Subquery(attendees, output_field=models.IntegerField()), 0
            ),
        ).annotate(participant_count=F("attendee_count") + F("walk_ins"))

    def for_list(self):
        return (
            self.select_related("community")
            .prefetch_related(
                "topics",
                "materials",
                models.Prefetch(
                    "attachments",
                    queryset=Attachment.objects.only("id", "event_id", "category"),
                    to_attr="archive_rows",
                ),
            )
            .with_counts()
        )

    def active(self):
        return self.exclude(status=EventStatus.CANCELLED)


class Event(models.Model):
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("community"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    topics = models.ManyToManyField(
        "program.Topic", blank=True, related_name="events", verbose_name=_("topics")
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True, default="")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True, default="")
    organiser = models.CharField(_("organiser"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    walk_ins = models.PositiveIntegerField(_("walk-ins"), default=0)
    form = models.CharField(_("form of activity"), max_length=100, blank=True, default="")
    content = models.TextField(_("content"), blank=True, default="")
    summary = models.TextField(_("summary and evaluation"), blank=True, default="")
    recorder = models.CharField(_("recorded by"), max_length=64, blank=True, default="")
    responsible = models.CharField(_("person responsible"), max_length=64, blank=True, default="")
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)

    series = models.ForeignKey(
        Series,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("repeating activity"),
    )
    # Edited alone after the series made it (moved or cancelled): later edits of the series
    # leave it be.
    detached = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    signin_token = models.CharField(max_length=40, unique=True, default=new_signin_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events_created",
        verbose_name=_("created by"),
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()
    reach_path = "community"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["community", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "held", "cancelled"]),
                name="event_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def audit_repr(self) -> str:
        return f"{self.title} ({self.community_id})"


class EventMaterial(models.Model):
    """Health-education material handed out (资料发放种类及数量): one kind and its count."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("material"), max_length=200)
    count = models.PositiveIntegerField(_("count"), default=0)
    medium = models.CharField(
        _("medium"), max_length=8, choices=MaterialMedium.choices, default=MaterialMedium.PRINT
    )

    objects = ReachQuerySet.as_manager()
    reach_path = "event__community"

    class Meta:
        verbose_name = _("material handed out")
        verbose_name_plural = _("materials handed out")
        ordering = ["event_id", "id"]

    def __str__(self):
        return f"{self.kind} × {self.count}"


class AttendanceQuerySet(ReachQuerySet):
    def for_list(self):
        return self.select_related("resident", "resident__community", "event")


class Attendance(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey(
        "residents.Resident", on_delete=models.PROTECT, related_name="attendances"
    )
    checked_in_at = models.DateTimeField(_("checked in at"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(
        max_length=8, choices=CheckInMethod.choices, default=CheckInMethod.MANUAL
    )

    objects = AttendanceQuerySet.as_manager()
    reach_path = "event__community"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "resident"], name="attendance_once_per_event")
        ]

    def __str__(self):
        return f"{self.event_id}:{self.resident_id}"

    def audit_repr(self) -> str:
        return f"event {self.event_id} resident {self.resident_id}"


class WalkIn(models.Model):
    """Someone who signed in by QR code but is not a registered resident (the name is optional)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="walk_in_entries")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64, blank=True, default="")
    signed_in_at = models.DateTimeField(auto_now_add=True)
    # A keyed hash of the address a QR sign-in came from (signin.guest_source), for the guests'
    # allowance per address; blank when an educator counted the guest.
    source = models.CharField(max_length=32, blank=True, default="", editable=False)

    objects = ReachQuerySet.as_manager()
    reach_path = "event__community"

    class Meta:
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")
        ordering = ["signed_in_at", "id"]

    def __str__(self):
        return self.name or "-"


def attachment_path(instance, filename) -> str:
    # The stored name is random; the user's file name is kept apart (original_name).
    return f"activities/{instance.event_id}/{secrets.token_hex(12)}"


class Attachment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    category = models.CharField(_("category"), max_length=16, choices=AttachmentCategory.choices)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ReachQuerySet.as_manager()
    reach_path = "event__community"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def audit_repr(self) -> str:
        return f"{self.category} of event {self.event_id}"
