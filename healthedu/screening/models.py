"""Blood-pressure readings, the measurement visits they form and the referrals visits raise.

A visit (Visit) is one resident's readings at one activity, or without an activity within 15
minutes of each other: one to three readings whose mean is the recorded value. Its category,
isolated-systolic flag and referral are worked out by healthedu.screening.bp from that mean
when a reading is saved through the services, and stored (on the visit, and copied onto each of
its readings so that reading lists and filters need no join), so that a later change of the
resident's known conditions does not rewrite last month's ledger. The database holds the
ranges, the order of the two values, one visit per resident and activity, one referral per
visit and the referral's state, so no route can store what the rule refuses.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from healthedu.org.reach import ReachQuerySet
from healthedu.screening.bp import (
    DIASTOLIC_RANGE,
    MAX_READINGS,
    PULSE_RANGE,
    SYSTOLIC_RANGE,
    Category,
)
from healthedu.screening.bp import Referral as ReferralKind

# Blood pressure may be measured at any activity people attend in person (a lecture with a
# measurement afterwards is common); not where nobody is present: a board update, printed
# material handed out, an audio-visual showing.
NOT_IN_PERSON_KINDS = ("board_update", "print_material", "av_showing")
READING_EVENT_KINDS = (
    "bp_screening",
    "consultation",
    "checkup",
    "lecture",
    "fitness",
    "individual",
    "training",
    "meeting",
)


class Visit(models.Model):
    """One measurement visit (一次测量): the resident's readings at one activity, or within 15
    minutes without one. The values are the readings' mean (healthedu.screening.bp.visit_value),
    kept in step by the services whenever a reading of it is added, corrected or removed."""

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="bp_visits",
        verbose_name=_("community"),
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="bp_visits",
        verbose_name=_("resident"),
    )
    event = models.ForeignKey(
        "activities.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bp_visits",
        verbose_name=_("activity"),
    )
    # First and last reading's time: the visit's month is its first reading's.
    started_at = models.DateTimeField(_("first reading at"))
    ended_at = models.DateTimeField(_("last reading at"))
    reading_count = models.PositiveSmallIntegerField(_("readings"), default=1)
    systolic = models.PositiveSmallIntegerField(_("mean systolic (mmHg)"))
    diastolic = models.PositiveSmallIntegerField(_("mean diastolic (mmHg)"))
    pulse = models.PositiveSmallIntegerField(_("mean pulse (per minute)"), null=True, blank=True)
    # The first reading's: the rule applies as it stood when the visit began.
    known_hypertension = models.BooleanField(_("known hypertension when measured"), default=False)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    isolated_systolic = models.BooleanField(_("isolated systolic hypertension"), default=False)
    referral = models.CharField(
        _("referral"), max_length=16, choices=ReferralKind.choices, default=ReferralKind.NONE
    )
    needs_another = models.BooleanField(_("needs another reading"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReachQuerySet.as_manager()
    reach_path = "community"

    class Meta:
        verbose_name = _("measurement visit")
        verbose_name_plural = _("measurement visits")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["community", "started_at"]),
            models.Index(fields=["resident", "started_at"]),
        ]
        constraints = [
            # One visit per resident and activity: two racing saves cannot open two.
            models.UniqueConstraint(
                fields=["resident", "event"],
                condition=Q(event__isnull=False),
                name="bpvisit_one_per_resident_event",
            ),
            models.CheckConstraint(
                condition=Q(reading_count__gte=1, reading_count__lte=MAX_READINGS),
                name="bpvisit_reading_count_valid",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="bpvisit_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(referral__in=ReferralKind.values), name="bpvisit_referral_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gte=F("started_at")), name="bpvisit_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.systolic}/{self.diastolic} ×{self.reading_count}"

    def audit_repr(self) -> str:
        return f"BP visit {self.pk} (resident {self.resident_id}, {self.community_id})"

    @property
    def single(self) -> bool:
        return self.reading_count == 1


class BPReading(models.Model):
    # The community where it was measured (the resident's at the time): the reach and the
    # ledger follow it, also if the resident moves later.
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="bp_readings",
        verbose_name=_("community"),
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="bp_readings",
        verbose_name=_("resident"),
    )
    event = models.ForeignKey(
        "activities.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bp_readings",
        verbose_name=_("screening activity"),
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        related_name="readings",
        verbose_name=_("measurement visit"),
    )
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"))
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"))
    pulse = models.PositiveSmallIntegerField(_("pulse (per minute)"), null=True, blank=True)
    measured_at = models.DateTimeField(_("measured at"))
    # Whether the resident was known to have hypertension when measured: the referral rule
    # depends on it, and a later correction of the values must apply the rule as it stood then.
    known_hypertension = models.BooleanField(_("known hypertension when measured"), default=False)
    # The visit's (from its mean), copied here for lists and filters without a join.
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    isolated_systolic = models.BooleanField(_("isolated systolic hypertension"), default=False)
    referral = models.CharField(
        _("referral"), max_length=16, choices=ReferralKind.choices, default=ReferralKind.NONE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReachQuerySet.as_manager()
    reach_path = "community"

    class Meta:
        verbose_name = _("blood-pressure reading")
        verbose_name_plural = _("blood-pressure readings")
        ordering = ["-measured_at", "-id"]
        indexes = [models.Index(fields=["community", "measured_at"])]
        constraints = [
            # One person cannot be measured twice at the same instant: a resent batch is caught.
            models.UniqueConstraint(
                fields=["resident", "measured_at"], name="bpreading_unique_resident_time"
            ),
            models.CheckConstraint(
                condition=Q(systolic__gte=SYSTOLIC_RANGE[0], systolic__lte=SYSTOLIC_RANGE[1]),
                name="bpreading_systolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(diastolic__gte=DIASTOLIC_RANGE[0], diastolic__lte=DIASTOLIC_RANGE[1]),
                name="bpreading_diastolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(systolic__gt=F("diastolic")),
                name="bpreading_systolic_above_diastolic",
            ),
            models.CheckConstraint(
                condition=Q(pulse__isnull=True)
                | Q(pulse__gte=PULSE_RANGE[0], pulse__lte=PULSE_RANGE[1]),
                name="bpreading_pulse_plausible",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="bpreading_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(referral__in=ReferralKind.values), name="bpreading_referral_valid"
            ),
        ]

    def __str__(self):
        return f"{self.systolic}/{self.diastolic}"

    def audit_repr(self) -> str:
        return f"BP reading {self.pk} (resident {self.resident_id}, {self.community_id})"


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FOLLOWED_UP = "followed_up", _("Followed up")


# Urgent first, then the earliest due: "urgent" sorts after "referral", hence descending.
URGENT_FIRST = ("-urgency", "due_on", "id")


class ReferralQuerySet(ReachQuerySet):
    def for_list(self):
        return self.select_related("visit", "resident", "community")

    def urgent(self):
        return self.filter(urgency=ReferralKind.URGENT)

    def open(self):
        return self.filter(status=ReferralStatus.OPEN)

    def overdue(self, today):
        """Open past their due date (the due date itself is still in time)."""
        return self.open().filter(due_on__lt=today)


class Referral(models.Model):
    """A visit that sends the resident to the family doctor; educators work through them.
    One per visit at most (the one-to-one is the database's word on it)."""

    visit = models.OneToOneField(
        Visit,
        on_delete=models.CASCADE,
        related_name="referral_case",
        verbose_name=_("measurement visit"),
    )
    community = models.ForeignKey(
        "org.Community",
        on_delete=models.PROTECT,
        related_name="bp_referrals",
        verbose_name=_("community"),
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        related_name="bp_referrals",
        verbose_name=_("resident"),
    )
    urgency = models.CharField(
        _("urgency"),
        max_length=16,
        choices=[c for c in ReferralKind.choices if c[0] != ReferralKind.NONE],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    due_on = models.DateField(_("follow up by"))
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, default="")
    # The national hypertension service's follow-up items (国家基本公共卫生服务 高血压患者健康管理):
    # None is "not recorded". A referral is followed up once the resident was reached; an
    # attempt that did not reach them is recorded (followed_up_on, reached False) and stays open.
    reached = models.BooleanField(_("reached"), null=True, blank=True)
    seen_by_doctor = models.BooleanField(_("seen by a doctor"), null=True, blank=True)
    diagnosis_confirmed = models.BooleanField(_("diagnosis confirmed"), null=True, blank=True)
    treatment_started = models.BooleanField(_("treatment started"), null=True, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up on"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()
    reach_path = "community"

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["community", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(urgency__in=[ReferralKind.REFERRAL, ReferralKind.URGENT]),
                name="referral_urgency_valid",
            ),
            # Open: nothing recorded, or an attempt that did not reach the resident (dated).
            # Followed up: dated, and the resident was reached.
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.OPEN, followed_up_on__isnull=True)
                | Q(
                    status=ReferralStatus.OPEN,
                    followed_up_on__isnull=False,
                    reached__isnull=False,
                    reached=False,
                )
                | Q(status=ReferralStatus.FOLLOWED_UP, followed_up_on__isnull=False),
                name="referral_followed_up_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.FOLLOWED_UP)
                | Q(reached__isnull=False, reached=True),
                name="referral_followed_up_reached",
            ),
            # (A NULL passes a CHECK: each comparison with a nullable column says IS NOT NULL.)
            # Nothing is known of a doctor's visit without reaching the resident; a diagnosis
            # (confirmed or ruled out) and a treatment need a doctor's visit.
            models.CheckConstraint(
                condition=~Q(reached=False)
                | Q(
                    seen_by_doctor__isnull=True,
                    diagnosis_confirmed__isnull=True,
                    treatment_started__isnull=True,
                ),
                name="referral_unreached_knows_nothing",
            ),
            models.CheckConstraint(
                condition=Q(diagnosis_confirmed__isnull=True)
                | Q(seen_by_doctor__isnull=False, seen_by_doctor=True),
                name="referral_diagnosis_needs_doctor",
            ),
            models.CheckConstraint(
                condition=~Q(treatment_started=True)
                | Q(seen_by_doctor__isnull=False, seen_by_doctor=True)
                & ~Q(diagnosis_confirmed=False),
                name="referral_treatment_needs_doctor",
            ),
            models.CheckConstraint(
                condition=Q(next_follow_up_on__isnull=True)
                | Q(followed_up_on__isnull=False, next_follow_up_on__gte=F("followed_up_on")),
                name="referral_next_after_follow_up",
            ),
        ]

    def __str__(self):
        return f"{self.get_urgency_display()} {self.visit_id}"

    def audit_repr(self) -> str:
        return f"referral {self.pk} (resident {self.resident_id}, {self.community_id})"

    def is_overdue(self, today) -> bool:
        return self.status == ReferralStatus.OPEN and self.due_on < today
