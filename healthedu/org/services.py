from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from healthedu.audit.services import Action, audit_record
from healthedu.org.models import Community, District, Role, Street, User
from healthedu.org.throttle import forgive


def authenticate_user(request, *, username: str, password: str) -> User | None:
    """A user for these credentials, or None: wrong, inactive, or locked out by the throttle
    (healthedu.org.throttle; `is_locked_out(request)` tells which)."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    forgive(request, username)
    return user


@transaction.atomic
def user_add(
    *,
    username: str,
    password: str,
    role: str,
    community_codes=(),
    street_names=(),
    district_names=(),
    actor=None,
) -> User:
    """Create or update a user with a role and a reach. Unknown communities or streets raise ValueError."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    communities = list(Community.objects.filter(code__in=community_codes))
    missing = set(community_codes) - {c.code for c in communities}
    if missing:
        raise ValueError(f"unknown community code(s): {', '.join(sorted(missing))}")
    streets = list(Street.objects.filter(name__in=street_names))
    missing = set(street_names) - {s.name for s in streets}
    if missing:
        raise ValueError(f"unknown street(s): {', '.join(sorted(missing))}")
    districts = list(District.objects.filter(name__in=district_names))
    missing = set(district_names) - {d.name for d in districts}
    if missing:
        raise ValueError(f"unknown district(s): {', '.join(sorted(missing))}")

    user, created = User.objects.get_or_create(username=username)
    user.role = role
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.set_password(password)
    user.save()
    user.communities.set(communities)
    user.streets.set(streets)
    user.districts.set(districts)
    audit_record(
        user=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=user,
        fields=["role", "password", "communities", "streets", "districts"],
    )
    return user


# --- The organisation tree -------------------------------------------------------------------
#
# Street names are unique across districts in everything that takes a street by name (the API,
# the onboarding workbook, a user's reach): a name then means one street. The database allows
# one name per district (street_unique_in_district); these services keep the stricter rule.


def _tree_error(field: str, message) -> ValidationError:
    return ValidationError({field: [message]})


def district_get_or_create(*, name: str) -> tuple[District, bool]:
    name = (name or "").strip()
    if not name:
        raise _tree_error("district", _("The district's name is missing."))
    return District.objects.get_or_create(name=name)


def street_find(*, name: str) -> Street | None:
    """The one street of this name, None when there is none (names are unique, see above)."""
    streets = list(Street.objects.select_related("district").filter(name=name)[:2])
    if len(streets) > 1:
        raise _tree_error(
            "street",
            _("Several districts have a street named %(name)s; rename one of them first.")
            % {"name": name},
        )
    return streets[0] if streets else None


def street_resolve(*, name: str, district_name: str | None = None) -> tuple[Street, bool]:
    """The street of this name, made (with its district) when it does not exist yet.

    A district, when given, must be the street's own: a street is moved between districts by
    changing the street (street_update), never as a side effect of naming another district.
    """
    name = (name or "").strip()
    if not name:
        raise _tree_error("street", _("The street's name is missing."))
    street = street_find(name=name)
    if street is not None:
        if district_name and street.district.name != district_name.strip():
            raise _tree_error(
                "street",
                _(
                    "The street %(street)s belongs to the district %(district)s; to move it, change the street's district."
                )
                % {"street": name, "district": street.district.name},
            )
        return street, False
    if not district_name:
        raise _tree_error(
            "district",
            _("The street %(street)s does not exist yet; name its district to create it.")
            % {"street": name},
        )
    district, _created = district_get_or_create(name=district_name)
    return Street.objects.create(name=name, district=district), True


@transaction.atomic
def street_create(*, name: str, district_name: str, actor=None) -> Street:
    if street_find(name=(name or "").strip()) is not None:
        raise _tree_error("name", _("A street with this name already exists."))
    street, _created = street_resolve(name=name, district_name=district_name)
    audit_record(user=actor, action=Action.CREATE, obj=street, fields=["name", "district"])
    return street


@transaction.atomic
def street_update(
    *, street: Street, name: str | None = None, district_name: str | None = None, actor=None
) -> Street:
    """Rename a street or move it to another district (made if new). Reach follows by itself:
    a district's leaders reach the communities of the streets that are in it now."""
    fields = []
    if name is not None and name.strip() != street.name:
        other = street_find(name=name.strip())
        if other is not None and other.pk != street.pk:
            raise _tree_error("name", _("A street with this name already exists."))
        street.name = name.strip()
        fields.append("name")
    if district_name is not None and district_name.strip() != street.district.name:
        street.district, _created = district_get_or_create(name=district_name)
        fields.append("district")
    if fields:
        street.save()
        audit_record(user=actor, action=Action.UPDATE, obj=street, fields=fields)
    return street


@transaction.atomic
def community_create(
    *, code: str, name: str, street_name: str, district_name: str | None = None, actor=None
) -> Community:
    """A community, and its street and district when they do not exist yet: one transaction."""
    street, _created = street_resolve(name=street_name, district_name=district_name)
    community = Community.objects.create(code=code, name=name, street=street)
    audit_record(user=actor, action=Action.CREATE, obj=community, fields=["code", "name", "street"])
    return community


@transaction.atomic
def community_update(
    *,
    community: Community,
    code: str | None = None,
    name: str | None = None,
    street_name: str | None = None,
    district_name: str | None = None,
    actor=None,
) -> Community:
    """Rename a community or move it to another street. Records keep their history: they hold
    the community by id, so a new name or street shows on every record, old ledgers included."""
    fields = []
    if code is not None and code != community.code:
        community.code = code
        fields.append("code")
    if name is not None and name != community.name:
        community.name = name
        fields.append("name")
    if street_name is not None:
        street, _created = street_resolve(name=street_name, district_name=district_name)
        if street.pk != community.street_id:
            community.street = street
            fields.append("street")
    elif district_name is not None and district_name.strip() != community.street.district.name:
        raise _tree_error(
            "district",
            _(
                "A community's district is its street's; move the street to another district, or the community to another street."
            ),
        )
    if fields:
        community.save()
        audit_record(user=actor, action=Action.UPDATE, obj=community, fields=fields)
    return community


# Rows that do not keep a community from being deleted (deleted with it).
_DISPOSABLE = {"jobs.Job"}


def _dependents(obj) -> list[str]:
    """What refers to this object, by model name (plural), many-to-many reach excluded."""
    found = []
    for relation in obj._meta.related_objects:
        if relation.many_to_many or relation.related_model._meta.label in _DISPOSABLE:
            continue
        manager = relation.related_model._base_manager
        if manager.filter(**{relation.field.name: obj}).exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


@transaction.atomic
def tree_delete(*, obj, actor=None) -> None:
    """Delete a district, street or community that nothing refers to; never cascade."""
    dependents = _dependents(obj)
    if dependents:
        raise ValidationError(
            {
                "detail": [
                    _("%(name)s cannot be deleted while it has %(what)s.")
                    % {"name": str(obj), "what": "、".join(dependents)}
                ]
            }
        )
    audit_record(user=actor, action=Action.DELETE, obj=obj)
    obj.delete()


# --- Users -----------------------------------------------------------------------------------


def reach_error(*, role: str, communities=(), streets=(), districts=()) -> str | None:
    """What is missing from a role's reach, or None. Educators work in communities (or a whole
    street); leaders need something to lead; admins reach everything anyway."""
    if role == Role.EDUCATOR and not (communities or streets):
        return _("An educator needs at least one community (or a street).")
    if role == Role.LEADER and not (communities or streets or districts):
        return _("A leader needs a reach: communities, a street or a district.")
    return None


def password_generate() -> str:
    """A password for a new account, shown once to the admin; the user must change it."""
    import secrets

    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def passwords_hash(passwords: list[str]) -> list[str]:
    """Hash many passwords in threads (PBKDF2 releases the GIL): an import's new users cost one
    hash each, about a second on a busy machine, and this keeps that off its transaction."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.hashers import make_password

    if len(passwords) < 2:
        return [make_password(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return list(pool.map(make_password, passwords))


def user_revoke_access(*, user: User) -> None:
    """End every way the user is signed in: their API tokens and their page sessions."""
    from django.apps import apps
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    # The API's token table, as a table: services import no HTTP framework.
    apps.get_model("authtoken", "Token").objects.filter(user=user).delete()
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    Session.objects.filter(pk__in=stale).delete()


@transaction.atomic
def user_deactivate(*, user: User, actor=None) -> User:
    """Deactivate an account and revoke its tokens and sessions at once."""
    if actor is not None and actor.pk == user.pk:
        raise _tree_error("is_active", _("You cannot deactivate your own account."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(user=actor, action=Action.UPDATE, obj=user, fields=["is_active"])
    user_revoke_access(user=user)
    return user


def _role_flags(user: User, role: str) -> None:
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMIN


@transaction.atomic
def user_save(
    *,
    user: User | None = None,
    data: dict,
    actor=None,
    password_hash: str | None = None,
) -> User:
    """Create (user None) or change a user from checked fields: username, full_name, role,
    communities, streets, districts (objects), is_active, password (an admin's choice: the user
    must change it at the next sign-in). `password_hash`: a generated password already hashed
    (passwords_hash), set the same way."""
    from django.contrib.auth.password_validation import validate_password

    creating = user is None
    user = user or User(username=data["username"])
    role = data.get("role", user.role if not creating else Role.EDUCATOR)

    def current(name):
        return list(getattr(user, name).all()) if not creating else []

    reach = {name: data.get(name) for name in ("communities", "streets", "districts")}
    effective = {name: (v if v is not None else current(name)) for name, v in reach.items()}
    if actor is not None and actor.pk == user.pk and role != Role.ADMIN:
        raise _tree_error("role", _("You cannot take away your own administrator role."))
    problem = reach_error(role=role, **effective)
    if problem:
        raise _tree_error("communities", problem)
    if "password" in data:
        try:
            validate_password(data["password"], user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None

    fields = []
    if "username" in data and data["username"] != user.username:
        user.username = data["username"]
        fields.append("username")
    if "full_name" in data:
        # Chinese names are written whole, surname first: kept in first_name, last_name empty.
        user.first_name, user.last_name = data["full_name"], ""
        fields.append("full_name")
    if creating or role != user.role:
        _role_flags(user, role)
        fields.append("role")
    if "password" in data or password_hash:
        if password_hash:
            user.password = password_hash
        else:
            user.set_password(data["password"])
        # Chosen by someone else: the user must choose their own at the next sign-in.
        user.must_change_password = actor is None or actor.pk != user.pk
        fields.append("password")
    elif creating:
        user.set_unusable_password()
    reactivate = data.get("is_active") is True and not user.is_active
    if reactivate:
        user.is_active = True
        fields.append("is_active")
    user.save()
    for name, value in reach.items():
        if value is not None:
            getattr(user, name).set(value)
            fields.append(name)
    if data.get("is_active") is False:
        user_deactivate(user=user, actor=actor)
    elif "password" in data and not creating:
        user_revoke_access(user=user)  # a password reset ends the old sign-ins
    audit_record(
        user=actor, action=Action.CREATE if creating else Action.UPDATE, obj=user, fields=fields
    )
    return user


def user_password_changed(*, user: User) -> None:
    """The user chose their own password: the pages stop sending them to change it."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


@transaction.atomic
def community_merge(*, source: Community, into: Community, actor=None) -> Community:
    """Merge `source` into `into`: every record of the source (residents, activities, readings,
    referrals, surveys and responses, jobs) moves to `into` with its history, users who reached
    the source reach `into`, and the source is deleted. Refused while either has a finalised
    (locked) month: a printed ledger must not change under it."""
    from healthedu.program.models import Target
    from reports.models import PeriodLock

    if source.pk == into.pk:
        raise _tree_error("into", _("A community cannot be merged into itself."))
    locked = PeriodLock.objects.filter(community__in=[source, into], active=True)
    if locked.exists():
        months = sorted({lock.month.strftime("%Y-%m") for lock in locked})
        raise _tree_error(
            "into",
            _(
                "Finalised months (%(months)s) lock these communities' records; an administrator must unlock them before merging."
            )
            % {"months": "、".join(months)},
        )
    # Lock rows (no longer active) and yearly targets are one per community and month / year:
    # the target's own row wins where both have one.
    PeriodLock.objects.filter(community=source).delete()
    Target.objects.filter(
        community=source, year__in=Target.objects.filter(community=into).values("year")
    ).delete()
    moved = []
    for relation in Community._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many:
            for user in model._base_manager.filter(**{relation.field.name: source}):
                getattr(user, relation.field.name).add(into)
            continue
        count = model._base_manager.filter(**{relation.field.name: source}).update(
            **{relation.field.name: into}
        )
        if count:
            moved.append(f"{model._meta.label}:{count}")
    audit_record(
        user=actor,
        action=Action.UPDATE,
        obj=into,
        fields=["merged"],
        note=f"merged {source.code} ({source.name}) into {into.code}: {', '.join(moved) or 'nothing'}",
    )
    source.delete()
    return into
