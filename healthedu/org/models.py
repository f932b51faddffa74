from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Street(models.Model):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_unique_in_district")
        ]

    def __str__(self):
        return self.name


class CommunityQuerySet(models.QuerySet):
    def in_reach(self, user):
        from healthedu.org.reach import scope_communities

        return scope_communities(self, user)


class Community(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street")
    )

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def district(self):
        return self.street.district


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    LEADER = "leader", _("Leader")
    EDUCATOR = "educator", _("Health educator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EDUCATOR)
    communities = models.ManyToManyField(
        Community, blank=True, related_name="users", verbose_name=_("communities")
    )
    streets = models.ManyToManyField(
        Street, blank=True, related_name="users", verbose_name=_("streets")
    )
    districts = models.ManyToManyField(
        District, blank=True, related_name="users", verbose_name=_("districts")
    )
    # Secret for the per-user iCalendar feed link; rotated by the user.
    feed_token = models.CharField(max_length=64, blank=True, default="")
    # When the password last changed or the account was last deactivated: API tokens issued and
    # sessions opened before then are void (healthedu.org.tokens, get_session_auth_hash).
    credentials_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when an admin (or the onboarding import) chose the password: the pages send the user
    # to the change-password page until they have chosen their own.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # The pages' language the user chose (a code of settings.LANGUAGES; blank: not chosen), set
    # by the language switch and brought back at sign-in (healthedu.web.views.language).
    language = models.CharField(_("language"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded_active = user.__dict__.get("is_active")
        return user

    def save(self, *args, **kwargs):
        # set_password() leaves the raw password in _password until the save (a hash upgrade at
        # sign-in does not: the same password stays valid); a deactivation is a change of
        # is_active from True. Either voids the tokens and sessions held so far.
        deactivated = getattr(self, "_loaded_active", None) is True and self.is_active is False
        if self._password is not None or deactivated:
            self.credentials_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "credentials_changed_at"}
        super().save(*args, **kwargs)
        self._loaded_active = self.is_active

    def _get_session_auth_hash(self, secret=None):
        """Django's session check, which already ends sessions on a password change, made to
        end them on a deactivation too (and not to revive them on reactivation)."""
        if self.credentials_changed_at is None:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "healthedu.org.User.get_session_auth_hash",
            f"{self.password}|{self.credentials_changed_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER and not self.is_superuser

    @property
    def can_write(self) -> bool:
        return self.is_admin or self.role == Role.EDUCATOR
