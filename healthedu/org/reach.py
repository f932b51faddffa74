"""Reach: which communities a user may see. Every queryset a user sees passes through here.

A model that belongs to a community declares `reach_path`, the lookup from it to its Community
(e.g. "community", "event__community"), and uses ReachQuerySet; `Model.objects.in_reach(user)`
then filters it. Admins see everything; anyone else only what lies in their communities.

Code that is not handed a queryset (selectors, the rates, the imports) takes one `Reach` value
and applies it with `reach.filter(queryset)`. A Reach fails closed: `Reach.of(user)` of nobody, of
an anonymous user or of a user with no community is empty, and the only way to read every
community is to ask for it by name, `Reach.everything()` (an admin's reach, the system's jobs).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.db import models
from django.db.models import Q


def community_filter(user) -> Q | None:
    """Q over Community for the user's reach; None means everything (admin)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_admin:
        return None
    return Q(users=user) | Q(street__users=user) | Q(street__district__users=user)


def scope_communities(queryset, user):
    """Communities in reach; `user` may be a user or a Reach."""
    if isinstance(user, Reach):
        return user.filter(queryset, path="")
    condition = community_filter(user)
    if condition is None:
        return queryset
    from healthedu.org.models import Community

    ids = Community.objects.filter(condition).values("pk")
    return queryset.filter(pk__in=ids)


def _community_ids(user) -> frozenset[int] | None:
    """The ids of communities in reach, cached on the user object for the request; None = all."""
    if user is not None and getattr(user, "is_authenticated", False) and user.is_admin:
        return None
    cached = getattr(user, "_reach_ids", None)
    if cached is not None:
        return cached
    from healthedu.org.models import Community

    condition = community_filter(user)
    ids = frozenset(Community.objects.filter(condition).values_list("pk", flat=True))
    if user is not None:
        with contextlib.suppress(AttributeError):
            user._reach_ids = ids
    return ids


@dataclass(frozen=True)
class Reach:
    """The communities a caller may read. `_ids` None is every community: only everything()
    makes one, so a Reach built from anything else (no user, a user with nothing) reads nothing."""

    _ids: frozenset[int] | None = frozenset()

    @classmethod
    def of(cls, user) -> Reach:
        """A user's reach (an admin's is everything; no user, or an anonymous one, has none)."""
        if isinstance(user, Reach):
            return user
        return cls(_community_ids(user))

    @classmethod
    def everything(cls) -> Reach:
        """Every community, asked for by name: an admin's reach, or the system's own jobs."""
        return cls(None)

    @classmethod
    def nothing(cls) -> Reach:
        return cls(frozenset())

    @property
    def is_everything(self) -> bool:
        return self._ids is None

    def narrow(self, community_ids) -> Reach:
        """This reach cut down to the given communities (never widened by them)."""
        wanted = frozenset(int(pk) for pk in community_ids)
        return Reach(wanted if self._ids is None else self._ids & wanted)

    def contains(self, community_id: int | None) -> bool:
        return self._ids is None or community_id in self._ids

    def ids(self) -> list[int] | None:
        """Sorted ids for a caller that keeps a set of its own (None: every community)."""
        return None if self._ids is None else sorted(self._ids)

    def q(self, path: str = "community", *, shared_when_null: bool = False) -> Q:
        """Q over a model whose community is reached by `path` ("" for Community itself)."""
        if self._ids is None:
            return Q()
        lookup = f"{path}__in" if path else "pk__in"
        condition = Q(**{lookup: sorted(self._ids)})
        if shared_when_null and path:
            condition |= Q(**{f"{path}__isnull": True})
        return condition

    def filter(self, queryset, path: str | None = None):
        """The queryset within reach; `path` defaults to the model's `reach_path`."""
        if self._ids is None:
            return queryset
        model = queryset.model
        if path is None:
            path = model.reach_path
        shared = getattr(model, "reach_shared_when_null", False)
        return queryset.filter(self.q(path, shared_when_null=shared))


# The default reach of a selector: nothing, until a caller says whose.
NOWHERE = Reach.nothing()


def in_reach(user, community_id: int | None) -> bool:
    return Reach.of(user).contains(community_id)


class ReachQuerySet(models.QuerySet):
    """QuerySet for models reached through a community. Set `reach_path` on the model."""

    def in_reach(self, user):
        """`user` may be a user or a Reach."""
        return Reach.of(user).filter(self)


ReachManager = models.Manager.from_queryset(ReachQuerySet)


def scope_tree(queryset, user, *, path: str):
    """Districts or streets (or anything above communities): those holding a community in reach.
    `path` is the lookup from the model to its communities ("communities", "streets__communities")."""
    reach = Reach.of(user)
    if reach.is_everything:
        return queryset
    return queryset.filter(pk__in=queryset.model.objects.filter(reach.q(path)).values("pk"))


def scope_users(queryset, user):
    """Users: an admin sees every account; anyone else only their own."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_admin:
        return queryset
    return queryset.filter(pk=user.pk)
