from decimal import Decimal

from django.conf import settings

from healthedu.org.models import Community
from healthedu.org.reach import NOWHERE, Reach
from healthedu.program.models import Target


def targets_for(*, reach: Reach = NOWHERE, year: int) -> dict[int, tuple[float, float]]:
    """(knowledge, behaviour) targets of each community in reach for a year; the settings'
    defaults where none is set."""
    defaults = (settings.HEALTHEDU["KNOWLEDGE_TARGET"], settings.HEALTHEDU["BEHAVIOR_TARGET"])
    ids = Reach.of(reach).ids()
    if ids is None:  # every community: ask which there are
        ids = list(Community.objects.values_list("pk", flat=True))
    found = {
        t.community_id: (float(Decimal(t.knowledge)), float(Decimal(t.behavior)))
        for t in Target.objects.filter(community_id__in=ids, year=year)
    }
    return {cid: found.get(cid, defaults) for cid in ids}
