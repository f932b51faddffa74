from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from healthedu.org.reach import ReachManager


class PeriodLock(models.Model):
    """A finalised community-month. Records dated in it can no longer be changed while active."""

    community = models.ForeignKey(
        "org.Community", on_delete=models.CASCADE, verbose_name=_("community")
    )
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    active = models.BooleanField(_("locked"), default=True)
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("locked by"),
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unlocked by"),
    )
    unlock_reason = models.TextField(_("reason for unlocking"), blank=True)
    # The ledger's data as it stood when the month was (last) finalised (reports.snapshot): what
    # a locked month's ledger is rendered from, whatever changes in the register afterwards.
    ledger = models.JSONField(_("ledger as finalised"), null=True, blank=True, editable=False)

    objects = ReachManager()
    reach_path = "community"

    class Meta:
        verbose_name = _("finalised month")
        verbose_name_plural = _("finalised months")
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="periodlock_unique_month")
        ]

    def __str__(self):
        return f"{self.community} {self.month:%Y-%m}"
