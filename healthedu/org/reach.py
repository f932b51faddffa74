"""Reach: which communities a user may see. Every queryset a user sees passes through here.

A model that belongs to a community declares `reach_path`, the lookup from it to its Community
(e.g. "community", "event__community"), and uses ReachQuerySet; `Model.objects.in_reach(user)`
then filters it. Admins see everything; anyone else only what lies in their communities.
"""

import contextlib

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
    condition = community_filter(user)
    if condition is None:
        return queryset
    from healthedu.org.models import Community

    ids = Community.objects.filter(condition).values("pk")
    return queryset.filter(pk__in=ids)


def reach_community_ids(user) -> list[int] | None:
    """The ids of communities in reach, cached on the user object for the request; None = all."""
    if user is not None and getattr(user, "is_authenticated", False) and user.is_admin:
        return None
    cached = getattr(user, "_reach_ids", None)
    if cached is not None:
        return cached
    from healthedu.org.models import Community

    condition = community_filter(user)
    ids = sorted(set(Community.objects.filter(condition).values_list("pk", flat=True)))
    if user is not None:
        with contextlib.suppress(AttributeError):
            user._reach_ids = ids
    return ids


def in_reach(user, community_id: int | None) -> bool:
    ids = reach_community_ids(user)
    return ids is None or community_id in ids


class ReachQuerySet(models.QuerySet):
    """QuerySet for models reached through a community. Set `reach_path` on the model."""

    def in_reach(self, user):
        ids = reach_community_ids(user)
        if ids is None:
            return self
        path = self.model.reach_path
        shared = getattr(self.model, "reach_shared_when_null", False)
        condition = Q(**{f"{path}__in": ids})
        if shared:
            condition |= Q(**{f"{path}__isnull": True})
        return self.filter(condition)


ReachManager = models.Manager.from_queryset(ReachQuerySet)


def scope_tree(queryset, user, *, path: str):
    """Districts or streets (or anything above communities): those holding a community in reach.
    `path` is the lookup from the model to its communities ("communities", "streets__communities")."""
    ids = reach_community_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(
        pk__in=queryset.model.objects.filter(**{f"{path}__in": ids}).values("pk")
    )


def scope_users(queryset, user):
    """Users: an admin sees every account; anyone else only their own."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_admin:
        return queryset
    return queryset.filter(pk=user.pk)
