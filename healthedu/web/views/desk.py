"""The screening desk (/activities/<id>/desk/): find or register, check in and measure, on one
page that keeps working without a signal. The page is a shell; static/web/js/desk.js keeps the
roster (desk_roster) and a queue of the educator's work on the device and sends the queue to
POST /api/sync/ (healthedu.sync). Grades offline come from bp.rule_table(), the one rule's data.

The service worker is served from the site's root (so that its scope may cover /activities/)
by a view that names our static files by their storage URLs (hashed in production)."""

import json

from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from healthedu.activities.models import Event
from healthedu.pii import pii_hash
from healthedu.screening.bp import rule_table
from healthedu.sync.selectors import DEVICE_DATA_TTL, desk_refusal, desk_roster
from healthedu.web.access import get_in_reach, writer_page
from residents.idnumber import normalise_id_number
from residents.models import Resident

SW_SCOPE = "/activities/"
# Lookups by full ID number per user and hour: a desk needs a few; confirming a guessed number
# (area code and birth month are shown) would take thousands.
FIND_ID_PER_HOUR = 60
SW_SCRIPTS = [
    "web/vendor/workbox/workbox-core.prod.js",
    "web/vendor/workbox/workbox-routing.prod.js",
    "web/vendor/workbox/workbox-strategies.prod.js",
    "web/vendor/workbox/workbox-expiration.prod.js",
]
# What the desk page loads (base.html's and its own), cached when the worker installs, since
# the page that registers the worker has fetched them before the worker was there.
DESK_STATIC = [
    "web/site.css",
    "web/favicon.svg",
    "web/js/pages.js",
    "web/vendor/idb.umd.js",
    "web/js/desk-rule.js",
    "web/js/desk.js",
]


def desk_strings() -> dict:
    """What desk.js says, in the active language."""
    t = lambda text: pgettext("web", text)  # noqa: E731
    return {
        "online": t("Online"),
        "offline": t("Offline: saved on this device"),
        "waiting": t("%(n)s waiting to sync"),
        "all_synced": t("Everything is on the server."),
        "some_refused": t("%(n)s items were not accepted; see below what to do."),
        "sync_failed": t(
            "Could not reach the server; the items stay on this device and are sent later."
        ),
        "no_data": t(
            "No roster on this device (or it has expired): open the desk once with a signal."
        ),
        "no_match": t("Nobody found. Check the spelling, or register a walk-up."),
        "id_needs_signal": t(
            "Finding by ID number needs the signal; search by name or phone instead."
        ),
        "digits_help": t(
            "Type the last 4 digits of the phone, or the full 18-character ID number."
        ),
        "checked_in": t("checked in"),
        "not_checked_in": t("not checked in"),
        "checked_in_now": t("%(name)s is checked in."),
        "queued": t("waiting to sync"),
        "refused": t("not accepted"),
        "correct": t("Correct"),
        "delete": t("Delete"),
        "confirm_delete": t("Delete this entry?"),
        "correcting": t("Correcting a reading: type the right values and save."),
        "correct_needs_signal": t("Correcting a reading already on the server needs the signal."),
        "implausible": t("These values cannot be a measurement; please check them."),
        "visit_full": t("This visit already has three readings; correct or delete one."),
        "saved": t("Saved for %(name)s."),
        "walkup_fields": t("Name, sex and date of birth are needed."),
        "urgent": t(
            "Urgent referral: %(name)s, blood pressure %(bp)s mmHg. Contact the family doctor now."
        ),
        "logout_unsent": t(
            "%(n)s items have not reached the server and will be lost. Sign out anyway?"
        ),
        "ops": {
            "resident": t("walk-up registration"),
            "check_in": t("check-in"),
            "reading": t("reading"),
            "urgent_ack": t("urgent notice acknowledged"),
        },
    }


def _event(request, pk) -> Event:
    return get_in_reach(Event.objects.select_related("community"), request.user, pk=pk)


@writer_page
@require_GET
def desk_page(request, pk):
    event = _event(request, pk)
    refusal = desk_refusal(event)
    config = {
        "event": {
            "id": event.pk,
            "title": event.title,
            "community": event.community_id,
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
        },
        "user": request.user.pk,
        "urls": {
            "data": reverse("web:desk_data", args=[event.pk]),
            "find_id": reverse("web:desk_find_id", args=[event.pk]),
            "sync": reverse("sync"),
            "readings": reverse("bp-reading-list"),
            "worker": reverse("web:desk_worker"),
            "scope": SW_SCOPE,
        },
        "ttl_seconds": int(DEVICE_DATA_TTL.total_seconds()),
        "rule": rule_table(),
        "strings": desk_strings(),
    }
    return render(
        request,
        "web/desk.html",
        {"event": event, "refusal": refusal, "config": config},
        status=409 if refusal else 200,
    )


@writer_page
@require_GET
@never_cache
def desk_data(request, pk):
    event = _event(request, pk)
    refusal = desk_refusal(event)
    if refusal:
        return JsonResponse({"detail": refusal}, status=409)
    return JsonResponse(desk_roster(event=event, user=request.user))


@writer_page
@require_POST
def desk_find_id(request, pk):
    """A resident of the activity's community by the FULL ID number (its keyed hash), never by
    digits of it: a search by fragments would tell the hidden digits of masked numbers."""
    event = _event(request, pk)
    key = f"desk-find-id:{request.user.pk}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > FIND_ID_PER_HOUR:
        return JsonResponse(
            {"detail": pgettext("web", "Too many ID number lookups; search by name or phone.")},
            status=429,
        )
    try:
        number = normalise_id_number(json.loads(request.body or b"{}").get("id_number"))
    except (ValueError, AttributeError):
        number = ""
    if len(number) != 18:
        return JsonResponse(
            {"detail": pgettext("web", "Give the full 18-character ID number.")}, status=400
        )
    found = (
        Resident.objects.in_reach(request.user)
        .filter(community_id=event.community_id, id_number_hash=pii_hash(number))
        .values_list("pk", flat=True)
        .first()
    )
    return JsonResponse({"resident": found})


def desk_manifest(request, pk):
    if not request.user.is_authenticated:
        raise Http404("sign in")
    event = _event(request, pk)
    manifest = {
        "name": pgettext("web", "Screening desk") + " · " + event.title,
        "short_name": pgettext("web", "Screening desk"),
        "start_url": reverse("web:desk", args=[event.pk]),
        "scope": SW_SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f6f5c",
        "lang": "zh-CN",
        "icons": [{"src": static("web/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(manifest), content_type="application/manifest+json")


@require_GET
def desk_worker(request):
    """The service worker: Workbox from our static files, then desk-sw.js (its routes)."""
    scripts = [static(path) for path in [*SW_SCRIPTS, "web/js/desk-sw.js"]]
    precache = json.dumps([static(path) for path in DESK_STATIC])
    body = (
        f"self.DESK_PRECACHE = {precache};\nimportScripts({', '.join(map(json.dumps, scripts))});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on every visit; it must not keep an old one.
    response["Cache-Control"] = "no-cache"
    return response
