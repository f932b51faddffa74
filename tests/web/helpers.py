import datetime as dt

from django.utils import timezone

from healthedu.activities.models import Event


def make_event(community, *, kind="lecture", title="高血压防治讲座", hours_from_now=1, **extra):
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return Event.objects.create(
        community=community,
        kind=kind,
        title=title,
        venue=extra.pop("venue", "社区活动室"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        **extra,
    )
