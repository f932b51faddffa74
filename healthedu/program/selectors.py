from decimal import Decimal

from django.conf import settings

from healthedu.program.models import Target


def targets_for(*, community_ids, year: int) -> dict[int, tuple[float, float]]:
    """(knowledge, behaviour) targets per community for a year; the settings' defaults where none is set."""
    defaults = (settings.HEALTHEDU["KNOWLEDGE_TARGET"], settings.HEALTHEDU["BEHAVIOR_TARGET"])
    found = {
        t.community_id: (float(Decimal(t.knowledge)), float(Decimal(t.behavior)))
        for t in Target.objects.filter(community_id__in=community_ids, year=year)
    }
    return {cid: found.get(cid, defaults) for cid in community_ids}
