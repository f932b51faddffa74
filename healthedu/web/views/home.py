"""The educator's home: the plan's progress this year, warnings, upcoming activities, referrals."""

import datetime as dt

from django.shortcuts import redirect, render
from django.utils import timezone

from healthedu.activities.models import Event
from healthedu.activities.selectors import FLAG_LABELS, event_flags, flagged_events
from healthedu.screening.models import ReferralStatus
from healthedu.screening.selectors import referral_queue, urgent_referrals_open
from healthedu.web.access import communities_in_reach, reader_page
from reports.progress import plan_progress

UPCOMING_DAYS = 14
LIST_LENGTH = 8
# Open urgent referrals are listed at the top in full up to this many (and counted beyond).
URGENT_LENGTH = 30


def chosen_community(request, communities):
    """The community picked with ?community=, else the first in reach (None if none)."""
    wanted = request.GET.get("community", "")
    for community in communities:
        if str(community.pk) == wanted:
            return community
    return communities[0] if communities else None


@reader_page
def home(request):
    if request.user.is_leader:
        return redirect("web:dashboard")
    today = timezone.localdate()
    now = timezone.now()
    communities = list(communities_in_reach(request.user))
    community = chosen_community(request, communities)
    progress = (
        plan_progress(community=community, year=today.year, as_of=today) if community else None
    )
    upcoming = (
        Event.objects.in_reach(request.user)
        .active()
        .filter(
            starts_at__gte=now - dt.timedelta(hours=3),
            starts_at__lt=now + dt.timedelta(days=UPCOMING_DAYS),
        )
        .for_list()
        .order_by("starts_at", "id")[:LIST_LENGTH]
    )
    unfinished = list(flagged_events(user=request.user)[:LIST_LENGTH])
    for event in unfinished:
        event.flag_labels = [
            FLAG_LABELS[f]
            for f in event_flags(
                status=event.status,
                participant_count=event.participant_count,
                summary=event.summary,
            )
        ]
    open_referrals = referral_queue(reach=request.user, status=ReferralStatus.OPEN)
    urgent = urgent_referrals_open(reach=request.user)
    return render(
        request,
        "web/home.html",
        {
            "section": "home",
            "today": today,
            "communities": communities,
            "community": community,
            "progress": progress,
            "upcoming": upcoming,
            "unfinished": unfinished,
            "urgent_referrals": urgent[:URGENT_LENGTH],
            "urgent_count": urgent.count(),
            "referrals": open_referrals[:LIST_LENGTH],
            "referral_count": open_referrals.count(),
            "overdue_count": referral_queue(reach=request.user, overdue_on=today).count(),
        },
    )
