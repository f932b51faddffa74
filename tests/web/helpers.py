import datetime as dt

from tests.factories import TZ, make_event

# The moment the page tests run at (tests/web/conftest.py freezes the clock there): a Wednesday
# in mid-November, after the designed October the ledger tests use.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=TZ)


def make_survey_with_answers(community, user, *, on, baseline=(3, 6), followup=(5, 6)):
    """A survey of two bank items (one knowledge, one behaviour) answered by residents of the
    community: baseline (the 1st of on's month) and follow-up (on) rounds with (right, total)
    respondents each."""
    from healthedu.surveys.models import BankItem
    from healthedu.surveys.services import response_create, survey_from_bank
    from tests.factories import make_resident

    knowledge = BankItem.objects.filter(kind="knowledge").order_by("pk").first()
    behavior = BankItem.objects.filter(kind="behavior").order_by("pk").first()
    survey = survey_from_bank(
        user=user, title="高血压知识问卷", community=community, bank_ids=[knowledge.pk, behavior.pk]
    )
    items = list(survey.items.order_by("order"))
    for round_name, (right, total), day in (
        ("baseline", baseline, on.replace(day=1)),
        ("followup", followup, on),
    ):
        for index in range(total):
            good = index < right
            person = make_resident(
                community, age=30 + index * 7, on=on, sex="F" if index % 2 else "M"
            )
            answers = []
            for item in items:
                correct = list(item.correct)
                wrong = [i for i in range(len(item.options)) if i not in correct][:1]
                answers.append({"item": item.pk, "choice": correct if good else wrong})
            response_create(
                user=user,
                survey=survey,
                resident=person,
                answered_on=day,
                round=round_name,
                answers=answers,
            )
    return survey


def educator_pages(educator, community) -> list[str]:
    """Every page an educator works with, on data that fills them (a screening with a checked-in
    resident, a survey with answers, a running job): for sweeps over all pages."""
    from healthedu.activities.attendance import attendance_check_in
    from healthedu.jobs.models import Job
    from tests.factories import make_resident

    event = make_event(
        community, kind="bp_screening", starts_at=NOW - dt.timedelta(hours=1), hours=1
    )
    person = make_resident(community, name="签到人")
    attendance_check_in(user=educator, event=event, resident=person)
    survey = make_survey_with_answers(community, educator, on=NOW.date())
    job = Job.objects.create(
        kind="resident_import", status="running", progress=40, created_by=educator
    )
    return [
        "/",
        "/residents/",
        "/residents/new/",
        f"/residents/{person.pk}/",
        "/residents/import/",
        "/activities/",
        "/activities/new/",
        f"/activities/{event.pk}/?q=签到",
        f"/activities/{event.pk}/edit/",
        f"/activities/{event.pk}/qr/",
        f"/bp/screenings/{event.pk}/",
        "/bp/referrals/",
        "/surveys/",
        "/surveys/new/",
        f"/surveys/{survey.pk}/",
        f"/surveys/{survey.pk}/respond/",
        f"/surveys/{survey.pk}/import/",
        f"/surveys/{survey.pk}/rates/",
        "/ledger/",
        f"/jobs/{job.pk}/",
    ]
