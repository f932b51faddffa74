from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from healthedu.org.reach import ReachManager


class Topic(models.Model):
    """A publicity topic of the plan (宣传主题): a code and a Chinese name, extensible by admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    category = models.CharField(_("category"), max_length=32, blank=True)
    ordering = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["ordering", "code"]

    def __str__(self):
        return self.name


class Target(models.Model):
    """Targets for the two rates, per community and year (e.g. 知晓率 ≥ 85 %, 行为形成率 ≥ 70 %)."""

    community = models.ForeignKey(
        "org.Community",
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("community"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    knowledge = models.DecimalField(_("knowledge-awareness target"), max_digits=4, decimal_places=3)
    behavior = models.DecimalField(_("behaviour-formation target"), max_digits=4, decimal_places=3)

    objects = ReachManager()
    reach_path = "community"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year"], name="target_unique_community_year"
            ),
            models.CheckConstraint(
                condition=Q(knowledge__gte=0, knowledge__lte=1), name="target_knowledge_fraction"
            ),
            models.CheckConstraint(
                condition=Q(behavior__gte=0, behavior__lte=1), name="target_behavior_fraction"
            ),
        ]

    def __str__(self):
        return f"{self.community} {self.year}"
