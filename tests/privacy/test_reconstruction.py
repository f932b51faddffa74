"""The reconstruction attack: rebuild residents' ID numbers from what a non-admin is shown.

An educator and a leader gather every output they reach that names a resident of a designed month
(the API's residents, attendance, readings, referrals and survey responses; the resident list,
each resident's history page, the activity, screening, referral and survey pages; the month's
ledger as PDF and as Excel; the public QR sign-in page), take from it each resident's masked ID number, date of birth as shown, sex, and every age
and group shown on a date, and count the ID numbers consistent with all of it. There must be at
least 10,000 for every resident.

The attacker learns how each output shows ages and groups from a resident they registered
themselves (whose birth date they know): in each output, the rule under which that resident's
shown ages and groups come out right is the rule they apply to everyone else's.
"""

import calendar
import datetime as dt
import io
import itertools
import re

import openpyxl
import pytest
from pypdf import PdfReader

from healthedu.pii import pii_decrypt
from residents.groups import age_on, groups_as_of, shown_age_on, shown_groups_as_of
from residents.idnumber import check_digit, division_codes
from residents.models import Resident
from tests.factories import make_reading, make_resident, make_response
from tests.reports.conftest import at, attend

pytestmark = pytest.mark.django_db

MINIMUM = 10_000
GROUP_WORDS = {"老年人": "elderly", "妇女": "women", "青少年": "youth", "流动人口": "migrant"}
MASKED = re.compile(r"(?<![\dX*])[\dX*]{18}(?![\dX*])")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
RULES = {
    "exact": (age_on, groups_as_of),
    "by month": (shown_age_on, shown_groups_as_of),
}


@pytest.fixture
def month(october, educator_a):
    """The designed October, plus a resident whose day of birth two of its activities bracket
    (10 and 20 October: an exact age on each would pin it to ten days) and the attacker's own
    probe, born on the 25th, at the lecture of the 10th."""
    e1, e2 = october.events[0], october.events[1]
    bracketed = make_resident(
        october.community, name="周敏", sex="F", birth_date=dt.date(1956, 10, 15), phone=""
    )
    probe = make_resident(
        october.community, name="探针", sex="M", birth_date=dt.date(1990, 10, 25), user=educator_a
    )
    attend(e1, [bracketed, probe], minutes=30)
    attend(e2, [bracketed], minutes=30)
    for person in (bracketed, probe):  # a reading and a questionnaire on the 12th too
        make_reading(person, 126, 82, on=dt.date(2026, 10, 12), at="10:00")
        make_response(october.survey, person, [0, 0, 0], on=dt.date(2026, 10, 12))
    return october, probe


# ---------------------------------------------------------------- gathering


def _get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    return response


def _results(client, path, **params) -> list[dict]:
    return _get(client, path, page_size=500, **params).json()["results"]


def _ledger(client, community, fmt, capture) -> bytes:
    with capture(execute=True):
        response = client.post(
            "/api/reports/ledgers/",
            {"community": community.code, "month": "2026-10", "format": fmt},
            format="json",
        )
    assert response.status_code == 202, response.content
    job = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done", job
    return b"".join(client.get(f"/api/jobs/{job['id']}/file/").streaming_content)


class Seen:
    """What the attacker holds about each resident (by id) and the texts they read."""

    def __init__(self, residents):
        self.by_name = {r.name: r.pk for r in residents}
        self.fields: dict[int, dict] = {r.pk: {} for r in residents}
        # per resident and output: [(day, age or None, groups or None)]
        self.observations: dict[int, dict[str, list]] = {r.pk: {} for r in residents}
        self.texts: list[tuple[str, str]] = []

    def observe(self, source: str, pk, day: dt.date, age=None, groups=None):
        if pk in self.observations:
            groups = None if groups is None else frozenset(groups)
            self.observations[pk].setdefault(source, []).append((day, age, groups))


def gather(user, api, page_client, community, events, capture) -> Seen:
    client = api(user)
    residents = list(Resident.objects.filter(community=community))
    seen = Seen(residents)
    today = dt.date.today()

    listing = _results(client, "/api/residents/", community=community.pk)
    seen.texts.append(("/api/residents/", str(listing)))
    for row in listing:
        detail = _get(client, f"/api/residents/{row['id']}/").json()
        seen.texts.append((f"/api/residents/{row['id']}/", str(detail)))
        seen.fields[row["id"]] = detail
        seen.observe("residents", row["id"], today, groups=set(detail["groups"]) - {"general"})

    for event in events:
        day = event.starts_at.astimezone(at(1, 1).tzinfo).date()
        rows = _results(client, f"/api/events/{event.pk}/attendance/")
        seen.texts.append((f"/api/events/{event.pk}/attendance/", str(rows)))
        for row in rows:
            seen.observe(
                "attendance", row["resident"], day, groups=set(row["groups"]) - {"general"}
            )

    for path in ("/api/bp-readings/", "/api/referrals/"):
        rows = _results(client, path, community=community.pk)
        seen.texts.append((path, str(rows)))
    responses = _results(client, "/api/survey-responses/", community=community.pk)
    seen.texts.append(("/api/survey-responses/", str(responses)))
    for row in responses:
        if row["resident"]:
            answered_on = dt.date.fromisoformat(row["answered_on"])
            seen.observe("survey ages", row["resident"], answered_on, age=row.get("age"))
            groups = set(row["groups"]) - {"general"}
            seen.observe("survey groups", row["resident"], answered_on, groups=groups)

    pages = page_client(user)
    paths = ["/residents/", "/bp/", "/bp/referrals/", "/surveys/"]
    paths += [f"/activities/{e.pk}/" for e in events]
    # Each resident's history page (activities, visits, referrals, questionnaires), for every role.
    paths += [f"/residents/history/{r.pk}/" for r in residents]
    paths += ["/activities/list/?when=all"]
    if user.can_write:
        paths += [f"/residents/{r.pk}/" for r in residents]
        survey = events and _results(client, "/api/surveys/")
        if survey:
            paths += [f"/surveys/{survey[0]['id']}/respond/?resident={r.pk}" for r in residents]
    for path in paths:
        seen.texts.append((path, _get(pages, path).content.decode()))

    pdf = _ledger(client, community, "pdf", capture)
    lines = [
        line.strip()
        for page in PdfReader(io.BytesIO(pdf)).pages
        for line in (page.extract_text() or "").splitlines()
    ]
    seen.texts.append(("ledger.pdf", "\n".join(lines)))
    for i, line in enumerate(lines):
        # A roster or readings row: name, sex, age, …, and the time of the row.
        if line in seen.by_name and i + 2 < len(lines) and lines[i + 1] in ("男", "女"):
            if not lines[i + 2].isdigit():
                continue
            # The readings table starts a row with its time; a roster ends one with it.
            table = "readings" if DATE.search(lines[i - 1]) else "roster"
            window = [lines[i - 1]] if table == "readings" else lines[i + 3 : i + 8]
            stamp = next((DATE.search(x) for x in window if DATE.search(x)), None)
            assert stamp, lines[i - 1 : i + 8]
            day = dt.date(*map(int, stamp.groups()))
            source = f"ledger.pdf {table}"
            seen.observe(source, seen.by_name[line], day, age=int(lines[i + 2]))
            if table == "roster":
                groups = {GROUP_WORDS[w] for w in GROUP_WORDS if w in lines[i + 3]}
                seen.observe(f"{source} groups", seen.by_name[line], day, groups=groups)

    workbook = openpyxl.load_workbook(io.BytesIO(_ledger(client, community, "xlsx", capture)))
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        seen.texts.append((f"ledger.xlsx {sheet.title}", str(rows)))
        header = next((r for r in rows if "姓名" in r and "年龄" in r), None)
        if header is None:
            continue
        name_at, age_at = header.index("姓名"), header.index("年龄")
        time_at = next(i for i, h in enumerate(header) if h and "时间" in str(h))
        for row in rows:
            if row[name_at] in seen.by_name and isinstance(row[age_at], int):
                stamp = DATE.search(str(row[time_at]))
                day = dt.date(*map(int, stamp.groups()))
                seen.observe(
                    f"ledger.xlsx {sheet.title}", seen.by_name[row[name_at]], day, age=row[age_at]
                )
    return seen


# ---------------------------------------------------------------- the attack


def shown_digits(seen: Seen, resident, number: str) -> dict[int, str]:
    """Digits of the resident's number shown anywhere near their name or in their record."""
    shown: dict[int, str] = {}
    for _where, text in seen.texts:
        for match in MASKED.finditer(text):
            mask = match.group()
            near = text[max(0, match.start() - 400) : match.end() + 400]
            if resident.name not in near:
                continue
            if all(c == "*" or c == number[i] for i, c in enumerate(mask)):
                shown.update({i: c for i, c in enumerate(mask) if c != "*"})
    return shown


def birth_options(seen: Seen, resident, detail: dict) -> set[dt.date]:
    """The dates of birth left by the birth date as shown, and by the full date written anywhere
    near the resident's name."""
    shown = detail["birth_date"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown):
        return {dt.date.fromisoformat(shown)}
    year, month = map(int, shown.split("-"))
    options = {dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)}
    birth = resident.birth_date
    for _where, text in seen.texts:
        for form in (
            birth.isoformat(),
            f"{birth:%Y%m%d}",
            f"{birth:%Y/%m/%d}",
            f"{birth:%Y.%m.%d}",
        ):
            at_ = text.find(form)
            if at_ >= 0 and resident.name in text[max(0, at_ - 400) : at_ + 400]:
                return {birth}
    return options


def consistent(options, observations, rule, *, sex, is_migrant) -> set[dt.date]:
    age_rule, groups_rule = rule
    kept = set()
    for birth in options:
        for day, age, groups in observations:
            if age is not None and age_rule(birth, day) != age:
                break
            if groups is not None:
                expected = set(
                    groups_rule(sex=sex, birth_date=birth, is_migrant=is_migrant, on=day)
                )
                if expected - {"general"} != groups:
                    break
        else:
            kept.add(birth)
    return kept


def count_numbers(shown: dict[int, str], births: set[dt.date], sex: str) -> int:
    areas = [a for a in division_codes() if all(shown.get(i, a[i]) == a[i] for i in range(6))]
    births = [
        b for b in births if all(shown.get(6 + i, c) == c for i, c in enumerate(f"{b:%Y%m%d}"))
    ]
    sequences = [
        f"{s:03d}"
        for s in range(1000)
        if (s % 2 == 1) == (sex == "M")
        and all(shown.get(14 + i, c) == c for i, c in enumerate(f"{s:03d}"))
    ]
    if 17 not in shown:
        return len(areas) * len(births) * len(sequences)
    return sum(
        1
        for area in areas
        for birth in births
        for seq in sequences
        if check_digit(f"{area}{birth:%Y%m%d}{seq}") == shown[17]
    )


def rules_per_output(seen: Seen, probe) -> dict[str, list]:
    """For each output, the rules (exact, by month) under which the probe's shown ages and groups
    come out right: the attacker applies those to everyone in that output."""
    per_output = {}
    for source, observations in seen.observations[probe.pk].items():
        fits = [
            rule
            for rule in RULES.values()
            if consistent(
                {probe.birth_date}, observations, rule, sex=probe.sex, is_migrant=probe.is_migrant
            )
        ]
        assert fits, f"no rule explains what {source} shows of the probe"
        per_output[source] = fits
    return per_output


def attack(seen: Seen, probe) -> dict[str, int]:
    rules = rules_per_output(seen, probe)
    found = {}
    for resident in Resident.objects.exclude(id_number_enc="").exclude(pk=probe.pk):
        number = pii_decrypt(resident.id_number_enc)
        detail = seen.fields[resident.pk]
        assert detail["sex"] == resident.sex
        shown = shown_digits(seen, resident, number)
        observed = seen.observations[resident.pk]
        sources = sorted(observed)
        counts = []
        # Each output under each rule that fits it (several only where the probe cannot tell).
        for choice in itertools.product(
            *(rules.get(source, list(RULES.values())) for source in sources)
        ):
            births = birth_options(seen, resident, detail)
            for source, rule in zip(sources, choice, strict=True):
                births = consistent(
                    births,
                    observed[source],
                    rule,
                    sex=detail["sex"],
                    is_migrant=detail["is_migrant"],
                )
            if resident.birth_date in births:  # a reading of the outputs that holds
                counts.append(count_numbers(shown, births, detail["sex"]))
        assert counts, f"no reading of the outputs fits {resident.name}: the attack is unsound"
        found[resident.name] = min(counts)
    return found


@pytest.mark.parametrize("role", ["educator_a", "leader"])
def test_no_id_number_can_be_narrowed_below_10000_from_what_a_non_admin_sees(
    request, role, api, page_client, month, django_capture_on_commit_callbacks
):
    october_, probe = month
    user = request.getfixturevalue(role)
    seen = gather(
        user,
        api,
        page_client,
        october_.community,
        october_.events,
        django_capture_on_commit_callbacks,
    )
    # The gathering must have seen what it attacks, or it proves nothing.
    bracketed = Resident.objects.get(name="周敏")
    ages = {
        day
        for observations in seen.observations[bracketed.pk].values()
        for day, age, _groups in observations
        if age is not None
    }
    assert ages >= {dt.date(2026, 10, 10), dt.date(2026, 10, 12), dt.date(2026, 10, 20)}
    assert set(seen.observations[probe.pk]) >= {
        "residents",
        "attendance",
        "survey ages",
        "ledger.pdf roster",
        "ledger.pdf readings",
    }
    found = attack(seen, probe)
    assert len(found) == 5, found
    assert all(count >= MINIMUM for count in found.values()), found


def test_the_attack_finds_the_number_when_more_is_shown(
    api, page_client, educator_a, month, django_capture_on_commit_callbacks, settings
):
    """The same attack, against the masking that was shown before (the area code, the last four
    digits and the full birth date): it narrows every number to one."""
    october_, probe = month
    seen = gather(
        educator_a,
        api,
        page_client,
        october_.community,
        october_.events,
        django_capture_on_commit_callbacks,
    )
    for resident in Resident.objects.exclude(id_number_enc=""):
        number = pii_decrypt(resident.id_number_enc)
        old_mask = number[:6] + "*" * 8 + number[-4:]
        seen.texts.append(("old", f"{resident.name} {old_mask}"))
        seen.fields[resident.pk] = {
            **seen.fields[resident.pk],
            "birth_date": str(resident.birth_date),
        }
    found = attack(seen, probe)
    assert set(found.values()) == {1}, found


def test_the_public_sign_in_page_shows_nothing_of_anyone(client, month):
    october_, _probe = month
    event = october_.events[0]
    body = client.get(f"/s/{event.signin_token}/").content.decode()
    for resident in Resident.objects.all():
        assert resident.name not in body
        assert resident.id_number_masked[:6] not in body or not resident.id_number_masked
        assert f"{resident.birth_date:%Y-%m}" not in body


def _search_results(client, event, query: str) -> str:
    body = client.get(f"/activities/{event.pk}/", {"q": query}).content.decode()
    found = re.search(r'<ul class="plain matches".*?</ul>', body, re.S)
    return found.group() if found else ""


def test_the_check_in_search_matches_a_phones_last_digits_not_an_id_numbers(
    page_client, educator_a, month
):
    october_, _probe = month
    event = october_.events[2]  # nobody checked in: the page names only the search's matches
    resident = Resident.objects.get(name="王秀英")
    number = pii_decrypt(resident.id_number_enc)
    assert number[-4:] != resident.phone_masked[-4:]
    client = page_client(educator_a)
    assert "王秀英" in _search_results(client, event, resident.phone_masked[-4:])
    assert "王秀英" not in _search_results(client, event, number[-4:])
