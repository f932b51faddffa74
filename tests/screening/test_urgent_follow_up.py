"""Urgent referrals first, the follow-up record of the national hypertension service, and the
educator's audited, limited phone reveal to call a referred resident."""

import datetime as dt

import pytest

from healthedu.audit.models import AuditEntry
from healthedu.screening.models import Referral
from reports.models import PeriodLock
from tests.factories import make_event, make_reading, make_resident
from tests.screening.conftest import SCREENING, SCREENING_DAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_after_screening")]

URL = "/api/referrals/"
PHONE = "13912345678"


def measure(user, resident, systolic, diastolic=92, minutes=10):
    """The referral that a reading on the screening's morning makes."""
    taken = SCREENING_DAY + dt.timedelta(minutes=minutes)
    reading = make_reading(
        resident, systolic, diastolic, on=taken.date(), at=taken.time(), pulse=None, user=user
    )
    return Referral.objects.get(visit_id=reading.visit_id)


def follow_up(api, user, referral, **payload):
    return api(user).post(
        f"{URL}{referral.pk}/follow-up/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )


def reveal(api, user, referral, reason="电话随访紧急转诊"):
    return api(user).post(
        f"{URL}{referral.pk}/reveal-phone/",
        {"reason": reason},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


# ---------------------------------------------------------------- urgent first


def test_urgent_referrals_head_the_queue_open_before_followed_up(api, educator_a, community_a):
    ordinary = measure(educator_a, make_resident(community_a, name="甲"), 150, minutes=1)
    urgent = measure(educator_a, make_resident(community_a, name="乙"), 186, minutes=20)
    later = measure(educator_a, make_resident(community_a, name="丙"), 190, minutes=40)
    assert (urgent.urgency, ordinary.urgency) == ("urgent", "referral")
    # Urgent first although measured later (due later); the earliest due among them first.
    ids = [r["id"] for r in api(educator_a).get(URL).json()["results"]]
    assert ids == [urgent.pk, later.pk, ordinary.pk]

    # A followed-up urgent one goes below every open referral, still above ordinary done ones.
    done = {"followed_up_on": "2026-10-17", "outcome": "已就诊"}
    assert follow_up(api, educator_a, urgent, **done).status_code == 200
    assert follow_up(api, educator_a, ordinary, **done).status_code == 200
    ids = [r["id"] for r in api(educator_a).get(URL).json()["results"]]
    assert ids == [later.pk, urgent.pk, ordinary.pk]


# ---------------------------------------------------------------- the follow-up record


def test_follow_up_items_are_recorded_and_filtered(api, educator_a, community_a):
    confirmed = measure(educator_a, make_resident(community_a), 186, minutes=1)
    unreached = measure(educator_a, make_resident(community_a), 150, minutes=20)
    untouched = measure(educator_a, make_resident(community_a), 152, minutes=40)
    response = follow_up(
        api,
        educator_a,
        confirmed,
        followed_up_on="2026-10-17",
        reached=True,
        seen_by_doctor=True,
        diagnosis_confirmed=True,
        treatment_started=True,
        next_follow_up_on="2026-11-17",
        outcome="社区卫生服务中心确诊，已服药",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "followed_up" and body["reached"] is True
    assert (body["seen_by_doctor"], body["diagnosis_confirmed"], body["treatment_started"]) == (
        True,
        True,
        True,
    )
    assert body["next_follow_up_on"] == "2026-11-17"

    # Not reached: recorded, and the referral stays open (it is not followed up).
    response = follow_up(
        api,
        educator_a,
        unreached,
        followed_up_on="2026-10-17",
        reached=False,
        next_follow_up_on="2026-10-19",
        outcome="无人接听",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open" and response.json()["reached"] is False

    client = api(educator_a)

    def ids(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(reached="true") == {confirmed.pk}
    assert ids(reached="false") == {unreached.pk}
    assert ids(reached="unknown") == {untouched.pk}
    assert ids(seen_by_doctor="true", diagnosis_confirmed="true") == {confirmed.pk}
    assert ids(treatment_started="unknown") == {unreached.pk, untouched.pk}
    assert ids(next_follow_up_on_before="2026-10-31") == {unreached.pk}
    assert ids(next_follow_up_on_after="2026-11-01") == {confirmed.pk}
    assert ids(status="open", urgency="urgent") == set()
    assert client.get(URL, {"reached": "maybe"}).status_code == 400

    entry = AuditEntry.objects.filter(model="screening.Referral", object_id=str(confirmed.pk))
    fields = entry.get().fields
    assert {"reached", "seen_by_doctor", "diagnosis_confirmed", "treatment_started"} <= set(fields)


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"reached": False, "seen_by_doctor": True}, "seen_by_doctor", "not reached"),
        ({"reached": False, "next_follow_up_on": None}, "next_follow_up_on", "try again"),
        ({"seen_by_doctor": False, "diagnosis_confirmed": True}, "diagnosis_confirmed", "doctor"),
        ({"diagnosis_confirmed": False}, "diagnosis_confirmed", "doctor"),
        ({"treatment_started": True}, "treatment_started", "doctor"),
        (
            {"seen_by_doctor": True, "diagnosis_confirmed": False, "treatment_started": True},
            "treatment_started",
            "ruled hypertension out",
        ),
        ({"next_follow_up_on": "2026-10-16"}, "next_follow_up_on", "before"),
        ({"followed_up_on": "2026-10-16"}, "followed_up_on", "before"),
        ({"reached": None}, "reached", ""),
        ({"seen_by_doctor": "perhaps"}, "seen_by_doctor", ""),
        ({"outcome": ""}, "outcome", "came of"),
    ],
)
def test_inconsistent_follow_up_is_400_naming_the_field(
    api, educator_a, community_a, payload, field, words
):
    referral = measure(educator_a, make_resident(community_a), 186)
    data = {"followed_up_on": "2026-10-17", "outcome": "已联系", **payload}
    response = follow_up(api, educator_a, referral, **data)
    assert response.status_code == 400, response.content
    assert words in response.json()[field][0]
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == "open" and stored.followed_up_on is None and stored.reached is None


def test_the_database_refuses_what_the_service_refuses(api, educator_a, community_a):
    from django.db import IntegrityError, transaction

    referral = measure(educator_a, make_resident(community_a), 186)
    for changes in (
        {"status": "followed_up", "followed_up_on": dt.date(2026, 10, 17), "reached": False},
        {"reached": False, "followed_up_on": dt.date(2026, 10, 17), "seen_by_doctor": True},
        {"diagnosis_confirmed": True},
        {"treatment_started": True, "seen_by_doctor": True, "diagnosis_confirmed": False},
        {"next_follow_up_on": dt.date(2026, 10, 20)},  # without a follow-up
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Referral.objects.filter(pk=referral.pk).update(**changes)


def test_a_follow_up_in_or_out_of_a_finalised_month_is_refused(api, educator_a, community_a):
    referral = measure(educator_a, make_resident(community_a), 186)
    with at("2026-11-03"):
        done = {"followed_up_on": "2026-10-30", "outcome": "已就诊"}
        assert follow_up(api, educator_a, referral, **done).status_code == 200
        PeriodLock.objects.create(community=community_a, month=dt.date(2026, 10, 1))
        # Moving it to November would change October's records: refused as well.
        moved = {"followed_up_on": "2026-11-02", "outcome": "已就诊，已服药"}
        response = follow_up(api, educator_a, referral, **moved)
        assert response.status_code == 409, response.content
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.followed_up_on == dt.date(2026, 10, 30) and stored.outcome == "已就诊"


# ---------------------------------------------------------------- the phone reveal


def test_educator_reveals_the_phone_of_an_open_referral_once_audited(api, educator_a, community_a):
    resident = make_resident(community_a, phone=PHONE)
    referral = measure(educator_a, resident, 186)
    assert PHONE not in str(api(educator_a).get(URL).json())

    response = reveal(api, educator_a, referral)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {"phone": PHONE, "tel": f"tel:{PHONE}", "reveals_left_today": 19}
    assert response["Cache-Control"] == "no-store"
    # The phone only: neither the ID number nor its masked form (IDs stay an admin's reveal).
    from healthedu.pii import pii_decrypt

    full_id = pii_decrypt(resident.id_number_enc)
    assert full_id and full_id not in response.content.decode()
    assert resident.id_number_masked not in response.content.decode()
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.user == educator_a and entry.fields == ["phone"]
    assert entry.model == "residents.Resident" and entry.object_id == str(resident.pk)
    assert "电话随访紧急转诊" in entry.note and PHONE not in entry.note + entry.object_repr
    # Still masked everywhere else afterwards.
    assert PHONE not in str(api(educator_a).get(f"{URL}{referral.pk}/").json())
    assert PHONE not in str(api(educator_a).get(f"/api/residents/{resident.pk}/").json())


def test_reveal_refusals_are_named(api, educator_a, educator_b, leader, community_a, community_b):
    mine = measure(educator_a, make_resident(community_a, phone=PHONE), 186)
    theirs = measure(educator_b, make_resident(community_b, phone="13800001111"), 186)

    other = reveal(api, educator_a, theirs)
    # Out of reach reads as absent (404), like any id outside reach: nothing confirms it exists.
    assert other.status_code == 404 and "1111" not in str(other.json())

    assert reveal(api, leader, mine).status_code == 403
    assert reveal(api, None, mine).status_code in (401, 403)
    assert api(educator_a).post(f"{URL}999999/reveal-phone/", {"reason": "x1"}).status_code == 404

    no_reason = reveal(api, educator_a, mine, reason=" ")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()

    follow_up(api, educator_a, mine, followed_up_on="2026-10-17", outcome="已就诊")
    closed = reveal(api, educator_a, mine)
    assert closed.status_code == 400 and closed.json()["code"] == "not_open"
    assert "followed up already" in closed.json()["detail"]

    no_phone = measure(educator_a, make_resident(community_a, phone=""), 190, minutes=30)
    missing = reveal(api, educator_a, no_phone)
    assert missing.status_code == 400 and missing.json()["code"] == "no_phone"
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_a_referral_not_reached_can_still_be_called(api, educator_a, community_a):
    referral = measure(educator_a, make_resident(community_a, phone=PHONE), 150)
    payload = {"followed_up_on": "2026-10-17", "reached": False, "next_follow_up_on": "2026-10-20"}
    assert follow_up(api, educator_a, referral, outcome="无人接听", **payload).status_code == 200
    assert reveal(api, educator_a, referral).json()["phone"] == PHONE


def test_the_daily_limit_is_per_user_and_per_day(api, educator_a, community_a, settings):
    from tests.factories import UserFactory

    settings.HEALTHEDU = {**settings.HEALTHEDU, "PHONE_REVEALS_PER_DAY": 2}
    referral = measure(educator_a, make_resident(community_a, phone=PHONE), 186)
    colleague = UserFactory(username="edu_a2", communities=[community_a])
    assert reveal(api, educator_a, referral).json()["reveals_left_today"] == 1
    assert reveal(api, educator_a, referral).json()["reveals_left_today"] == 0
    over = reveal(api, educator_a, referral)
    assert over.status_code == 429 and over.json()["code"] == "daily_limit"
    assert "daily limit" in over.json()["detail"] and PHONE not in str(over.json())
    assert AuditEntry.objects.filter(action="reveal", user=educator_a).count() == 2
    # Another educator has their own limit; an admin's reveal of a resident does not count.
    assert reveal(api, colleague, referral).status_code == 200
    with at("2026-10-18"):
        assert reveal(api, educator_a, referral).status_code == 200


def test_the_limit_is_a_setting_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    code = "import healthedu.settings as s; print(s.HEALTHEDU['PHONE_REVEALS_PER_DAY'])"
    env = {**os.environ, "HEALTHEDU_VAR_DIR": str(tmp_path)}
    for value, expected in (("7", "7"), (None, "20")):
        env.pop("HEALTHEDU_PHONE_REVEALS_PER_DAY", None)
        if value is not None:
            env["HEALTHEDU_PHONE_REVEALS_PER_DAY"] = value
        shown = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert shown.stdout.strip() == expected


# ---------------------------------------------------------------- the migration


@pytest.mark.django_db(transaction=True)
def test_migration_marks_earlier_follow_ups_reached_and_keeps_their_words(
    api, educator_a, community_a
):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    done = measure(educator_a, make_resident(community_a), 186, minutes=1)
    tried = measure(educator_a, make_resident(community_a), 150, minutes=20)
    untouched = measure(educator_a, make_resident(community_a), 152, minutes=40)
    follow_up(api, educator_a, done, followed_up_on="2026-10-17", outcome="家庭医生复测，确诊")
    follow_up(
        api,
        educator_a,
        tried,
        followed_up_on="2026-10-17",
        reached=False,
        next_follow_up_on="2026-10-20",
        outcome="无人接听",
    )
    # Back to before the items (the attempt's date goes: the old rule had none for open ones),
    # then forward again, as an upgrade of a database of that time.
    executor = MigrationExecutor(connection)
    executor.migrate([("screening", "0006_resident_protect")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {r.pk: r for r in Referral.objects.all()}
    assert rows[done.pk].reached is True and rows[done.pk].status == "followed_up"
    assert rows[done.pk].outcome == "家庭医生复测，确诊"
    assert rows[done.pk].seen_by_doctor is None  # not guessed from the words
    assert rows[tried.pk].reached is None and rows[tried.pk].followed_up_on is None
    assert rows[tried.pk].outcome == "无人接听" and rows[tried.pk].status == "open"
    assert rows[untouched.pk].reached is None


# ---------------------------------------------------------------- the demo


def test_demo_has_three_urgent_referrals_two_followed_up_and_one_open(community_a, community_b):
    from healthedu.activities.models import Attendance
    from healthedu.screening.demo import seed_readings

    people = [make_resident(community_a, age=45 + i) for i in range(30)]
    make_resident(community_b, age=70)
    for days, group in ((60, people[:15]), (30, people[10:25]), (1, people[5:20])):
        event = make_event(
            community_a, starts_at=SCREENING_DAY - dt.timedelta(days=days), **SCREENING
        )
        Attendance.objects.bulk_create([Attendance(event=event, resident=p) for p in group])
    seed_readings(communities=[community_a, community_b], today=dt.date(2026, 10, 17))

    urgent = list(Referral.objects.filter(urgency="urgent").order_by("visit__started_at"))
    assert len(urgent) == 3
    assert {r.visit.category for r in urgent} == {"grade_3"}
    first, second, last = urgent
    assert [r.status for r in urgent] == ["followed_up", "followed_up", "open"]
    assert last.visit.started_at.date() == (SCREENING_DAY - dt.timedelta(days=1)).date()
    assert last.followed_up_on is None and last.reached is None
    for done in (first, second):
        assert done.reached is True and done.seen_by_doctor is True and done.treatment_started
        assert done.next_follow_up_on > done.followed_up_on and done.outcome
    assert first.diagnosis_confirmed is True and second.diagnosis_confirmed is None
    # The other referrals worked through carry items too; every row passes the service's check.
    from healthedu.screening.services import clean_follow_up

    for referral in Referral.objects.exclude(followed_up_on=None).select_related("visit"):
        data = {
            name: getattr(referral, name)
            for name in (
                "followed_up_on",
                "outcome",
                "reached",
                "seen_by_doctor",
                "diagnosis_confirmed",
                "treatment_started",
                "next_follow_up_on",
            )
        }
        clean_follow_up(referral=referral, data=data)
    assert Referral.objects.exclude(seen_by_doctor=None).count() > 2


def test_the_full_demo_has_its_three_urgent_referrals_in_the_first_community():
    import io

    from django.core.management import call_command

    call_command("seed_demo", "--residents", "40", stdout=io.StringIO())
    urgent = list(Referral.objects.filter(urgency="urgent").order_by("visit__started_at"))
    assert len(urgent) == 3 and {r.community.code for r in urgent} == {"TH01"}
    assert [r.status for r in urgent] == ["followed_up", "followed_up", "open"]
    assert all(r.visit.event and r.visit.event.kind == "bp_screening" for r in urgent)
