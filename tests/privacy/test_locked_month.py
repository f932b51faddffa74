"""A finalised month is final: editing residents afterwards (name, migrant flag, birth date,
status) changes nothing in its ledger, and a resident with records is never deleted."""

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from healthedu.activities.models import Attendance
from healthedu.screening.models import BPReading, Referral
from healthedu.surveys.models import Response as SurveyResponse
from residents.models import Resident
from tests.factories import make_event, make_reading, make_resident, make_response, make_survey
from tests.reports.conftest import at, attend

pytestmark = pytest.mark.django_db


def _ledger_file(api, user, community, fmt, capture):
    with capture(execute=True):
        response = api(user).post(
            "/api/reports/ledgers/",
            {"community": community.code, "month": "2026-10", "format": fmt},
            format="json",
        )
    assert response.status_code == 202, response.content
    job = api(user).get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["status"] == "done", job
    content = b"".join(api(user).get(f"/api/jobs/{job['id']}/file/").streaming_content)
    return job["result"], content


def _pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _xlsx_cells(content: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in workbook.worksheets
    }


def _both(api, user, community, capture):
    pdf_result, pdf = _ledger_file(api, user, community, "pdf", capture)
    xlsx_result, xlsx = _ledger_file(api, user, community, "xlsx", capture)
    return pdf_result, _pdf_text(pdf), xlsx_result, _xlsx_cells(xlsx)


def test_a_locked_months_ledger_does_not_change_when_its_residents_do(
    api,
    educator_a,
    admin_user,
    october,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        response = api(educator_a).post(
            "/api/reports/finalise/", {"community": "A01", "month": "2026-10"}, format="json"
        )
    assert response.status_code == 200, response.content
    before = _both(api, educator_a, october.community, capture)
    text = "\n".join(before[1])
    assert "王秀英" in text and "陈芳" in text

    wang, li, zhao, chen = october.residents
    edits = [
        (wang, {"name": "王秀英（已改名）", "status": "moved_out"}),
        (chen, {"is_migrant": False, "name": "陈芳芳"}),
        (zhao, {"status": "deceased"}),
        (li, {"id_number": "", "birth_date": "1950-01-15"}),  # no longer youth
    ]
    for resident, change in edits:
        edited = api(admin_user).patch(f"/api/residents/{resident.pk}/", change, format="json")
        assert edited.status_code == 200, edited.content
    for resident in october.residents:  # nobody with records leaves by deletion
        assert api(admin_user).delete(f"/api/residents/{resident.pk}/").status_code == 409

    after = _both(api, educator_a, october.community, capture)
    assert after[0] == before[0] and after[2] == before[2]  # activities, roster rows, readings
    assert after[1] == before[1]  # the PDF, page by page, word for word
    assert after[3] == before[3]  # the workbook, sheet by sheet, cell for cell
    assert "王秀英（已改名）" not in "\n".join(after[1])

    # Unlocked, the month is built from the records again, and shows the edits.
    unlocked = api(admin_user).post(
        "/api/reports/unlock/",
        {"community": "A01", "month": "2026-10", "reason": "更正居民信息"},
        format="json",
    )
    assert unlocked.status_code == 200, unlocked.content
    _result, live = _ledger_file(api, educator_a, october.community, "pdf", capture)
    assert "王秀英（已改名）" in "\n".join(_pdf_text(live))


def _with_attendance(community):
    resident = make_resident(community)
    event = make_event(
        community, starts_at=at(10, 3), summary="x", status="held", title="讲座", venue=""
    )
    attend(event, [resident])
    return resident


def _with_reading(community):
    resident = make_resident(community, age=50)
    make_reading(resident, 120, 80, on=dt.date(2026, 10, 3), at="10:00")
    return resident


def _with_response(community):

    resident = make_resident(community)
    survey = make_survey(community, user=None)
    make_response(survey, resident, [0, 0, 0], on=dt.date(2026, 10, 3))
    return resident


def _with_referral(community):
    resident = make_resident(community, age=50)
    make_reading(
        resident, 185, 110, on=dt.date(2026, 10, 3), at="10:00"
    )  # grade 3: an urgent referral
    assert Referral.objects.filter(resident=resident).exists()
    return resident


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_with_attendance, "签到"),
        (_with_reading, "血压"),
        (_with_response, "问卷"),
        (_with_referral, "转诊"),
    ],
)
def test_a_resident_with_records_is_not_deleted_by_the_api_or_the_page(
    api, page_client, educator_a, community_a, make, kind
):
    resident = make(community_a)
    counts = (Attendance.objects.count(), BPReading.objects.count(), SurveyResponse.objects.count())
    response = api(educator_a).delete(f"/api/residents/{resident.pk}/")
    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert kind in detail and "已迁出" in detail and "已故" in detail
    page = page_client(educator_a).post(f"/residents/{resident.pk}/delete/", follow=True)
    assert page.status_code == 200 and kind in page.content.decode()
    with pytest.raises(Exception, match="cannot be deleted|不能删除"):
        Resident.objects.filter(pk=resident.pk).delete()  # nor behind the services' back
    assert Resident.objects.filter(pk=resident.pk).exists()
    assert counts == (
        Attendance.objects.count(),
        BPReading.objects.count(),
        SurveyResponse.objects.count(),
    )


def test_a_resident_registered_by_mistake_is_deleted(api, page_client, educator_a, community_a):
    mistake = make_resident(community_a)
    assert api(educator_a).delete(f"/api/residents/{mistake.pk}/").status_code == 204
    other = make_resident(community_a)
    page = page_client(educator_a).post(f"/residents/{other.pk}/delete/")
    assert page.status_code == 302 and not Resident.objects.exists()


def test_the_kept_ledger_data_reads_back_equal_to_what_was_built(october):
    import json

    from reports.ledger import build_ledger
    from reports.snapshot import ledger_from_snapshot, ledger_to_snapshot

    ledger = build_ledger(community=october.community, month=dt.date(2026, 10, 1), made_by="李健")
    kept = json.loads(json.dumps(ledger_to_snapshot(ledger)))  # as the database keeps it
    assert ledger_from_snapshot(kept) == ledger
    assert ledger.roster_rows == 6 and ledger.blood_pressure.total == 3
