"""The weekly reminder: each educator gets the overdue referrals of the communities they reach.

The email leaves the system, so it carries masked data only (surname and masked phone); the
educator opens the referral queue to see who it is.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from healthedu.org.models import Role, User
from healthedu.org.reach import Reach
from healthedu.screening.bp import category_label
from healthedu.screening.models import Referral
from residents.masking import mask_name


def overdue_referral_reminders_send(*, today: dt.date) -> int:
    """Email every educator with overdue referrals in reach; return the number of emails sent."""
    overdue = list(
        Referral.objects.overdue(today)
        .select_related("resident", "visit", "community")
        .order_by("community__code", "-urgency", "due_on", "id")  # urgent first
    )
    if not overdue:
        return 0
    by_community: dict[int, list[Referral]] = defaultdict(list)
    for referral in overdue:
        by_community[referral.community_id].append(referral)

    educators = User.objects.filter(role=Role.EDUCATOR, is_active=True).exclude(email="")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for educator in educators:
            reach = Reach.of(educator)
            mine = [
                r for cid in sorted(by_community) if reach.contains(cid) for r in by_community[cid]
            ]
            if not mine:
                continue
            subject, body = _message(mine, today)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [educator.email])
            sent += 1
    return sent


def _message(referrals: list[Referral], today: dt.date) -> tuple[str, str]:
    count = len(referrals)
    subject = ngettext(
        "%(count)s referral is overdue for follow-up",
        "%(count)s referrals are overdue for follow-up",
        count,
    ) % {"count": count}
    lines = [
        _(
            "These referrals were not followed up within the national specification's window. Please contact the residents and record the outcome in the referral queue."
        ),
        "",
    ]
    for referral in referrals:
        visit = referral.visit
        lines.append(
            _(
                "%(community)s · %(name)s %(phone)s · measured %(day)s · %(bp)s mmHg %(category)s · %(urgency)s · %(days)s days overdue"
            )
            % {
                "community": referral.community.name,
                "name": mask_name(referral.resident.name),
                "phone": referral.resident.phone_masked,
                "day": timezone.localtime(visit.started_at).date().isoformat(),
                "bp": f"{visit.systolic}/{visit.diastolic}",
                "category": category_label(visit.category),
                "urgency": referral.get_urgency_display(),
                "days": (today - referral.due_on).days,
            }
        )
    return subject, "\n".join(lines) + "\n"
