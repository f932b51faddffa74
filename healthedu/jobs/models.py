import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from healthedu.org.reach import Reach


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class JobQuerySet(models.QuerySet):
    def in_reach(self, user):
        """A job is seen by whoever asked for it, and by users whose reach holds its community."""
        reach = Reach.of(user)
        if reach.is_everything:
            return self
        mine = Q(created_by=user) if getattr(user, "pk", None) else Q(pk__in=[])
        return self.filter(mine | reach.q("community"))


class Job(models.Model):
    """One piece of long work (an import, a ledger, a summary) with progress the user can watch."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=32)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    input_file = models.FileField(_("input file"), upload_to="jobs/input/%Y/%m/", blank=True)
    file = models.FileField(_("file"), upload_to="jobs/output/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=128, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("requested by"),
    )
    community = models.ForeignKey(
        "org.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("community"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # False until the broker has taken the task; jobs saved while the broker was down are
    # enqueued by the requeue task once it is back.
    enqueued = models.BooleanField(default=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_max_100"),
        ]

    def __str__(self):
        return f"{self.kind} {self.id}"
