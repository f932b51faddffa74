from django.contrib.auth import authenticate
from django.db import transaction

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
