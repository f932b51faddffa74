"""What the desk's devices have sent: each queued item once, with the answer it got."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Op(models.TextChoices):
    RESIDENT = "resident", _("walk-up registration")
    CHECK_IN = "check_in", _("check-in")
    READING = "reading", _("blood-pressure reading")
    URGENT_ACK = "urgent_ack", _("urgent referral notice acknowledged")


class SyncItem(models.Model):
    """An item a device queued (its own UUID) that has been applied, and what it made.

    The row is claimed (committed) before the item is applied, so that the same item sent twice
    at once is applied by one request only; the unique key is the last word. Only applied items
    are kept: a refused item changed nothing and its claim is removed, so sending it again (once
    the educator corrected it, or an administrator unlocked the month) is tried afresh.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user")
    )
    item_id = models.UUIDField(_("device item id"))
    op = models.CharField(_("kind"), max_length=16, choices=Op.choices)
    # False while the item is being applied: a second request with the same id waits its turn.
    applied = models.BooleanField(_("applied"), default=False)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("synced item")
        verbose_name_plural = _("synced items")
        constraints = [
            models.UniqueConstraint(fields=["user", "item_id"], name="sync_item_once_per_user"),
            models.CheckConstraint(
                condition=models.Q(op__in=["resident", "check_in", "reading", "urgent_ack"]),
                name="sync_item_op_valid",
            ),
        ]

    def __str__(self):
        return f"{self.op} {self.item_id}"
