import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.jobs.models import Job
from residents.models import Resident
from tests.factories import make_id_number, make_resident

pytestmark = pytest.mark.django_db

SAMPLE = "tests/samples/天虹路社区居民花名册.xlsx"


def form_data(community, **extra):
    data = {
        "name": "李秀兰",
        "sex": "F",
        "birth_date": "1956-03-08",
        "community": community.pk,
        "address": "3栋2单元501室",
        "phone": "138 1234 5678",
        "id_number": make_id_number(dt.date(1956, 3, 8), "F"),
        "conditions": ["hypertension"],
        "status": "active",
    }
    data.update(extra)
    return data


def test_list_shows_only_residents_in_reach_with_masked_data(
    page_client, educator_a, community_a, community_b
):
    mine = make_resident(community_a, name="张桂英", phone="13812345678")
    make_resident(community_b, name="外社区人")
    response = page_client(educator_a).get("/residents/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "张桂英" in body and "外社区人" not in body
    assert "138****5678" in body and "13812345678" not in body
    assert mine.id_number_masked in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=桂", {"张桂英"}),
        ("sex=M", {"王建国"}),
        ("group=elderly", {"张桂英"}),
        ("is_migrant=true", {"刘小红"}),
        ("status=moved_out", {"刘小红"}),
    ],
)
def test_list_filters(page_client, educator_a, community_a, query, expected):
    make_resident(community_a, name="张桂英", sex="F", age=70)
    make_resident(community_a, name="王建国", sex="M", age=40)
    make_resident(community_a, name="刘小红", sex="F", age=30, is_migrant=True, status="moved_out")
    response = page_client(educator_a).get(f"/residents/?{query}")
    names = {r.name for r in response.context["page"].object_list}
    assert names == expected


def test_list_queries_do_not_grow_with_rows(page_client, educator_a, community_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = page_client(educator_a)
    make_resident(community_a)
    with CaptureQueriesContext(connection) as one_row:
        client.get("/residents/")
    for _ in range(30):
        make_resident(community_a)
    with CaptureQueriesContext(connection) as full_page:
        response = client.get("/residents/")
    assert len(response.context["page"].object_list) == 25
    assert len(full_page) == len(one_row) <= 8


def test_create_with_field_errors_in_place(page_client, educator_a, community_a):
    response = page_client(educator_a).post(
        "/residents/new/", form_data(community_a, phone="12345", birth_date="1956-03-09")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "phone" in form.errors and "id_number" in form.errors
    assert 'id="id_phone_error"' in response.content.decode()
    assert not Resident.objects.exists()


def test_create_then_edit_keeps_secret_fields_when_blank(page_client, educator_a, community_a):
    client = page_client(educator_a)
    response = client.post("/residents/new/", form_data(community_a))
    assert response.status_code == 302
    resident = Resident.objects.get()
    assert resident.phone_masked == "138****5678" and resident.has_hypertension
    page = client.get(f"/residents/{resident.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "1956-03-08" not in page and "1956-03" in page  # nor the day of birth
    response = client.post(
        f"/residents/{resident.pk}/",
        form_data(community_a, phone="", id_number="", birth_date="", address="4栋1单元101室"),
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.address == "4栋1单元101室"
    assert resident.phone_masked == "138****5678" and resident.id_number_masked


def test_edit_out_of_reach_is_404_and_cannot_move_a_resident_out_of_reach(
    page_client, educator_a, educator_b, community_a, community_b
):
    theirs = make_resident(community_b)
    assert page_client(educator_a).get(f"/residents/{theirs.pk}/").status_code == 404
    mine = make_resident(community_a, birth_date=dt.date(1956, 3, 8), sex="F", id_number="")
    response = page_client(educator_a).post(
        f"/residents/{mine.pk}/", form_data(community_b, id_number="")
    )
    assert response.status_code == 200 and "community" in response.context["form"].errors


def test_leader_reads_the_list_but_gets_403_on_forms(page_client, leader, community_a):
    make_resident(community_a, name="张桂英")
    client = page_client(leader)
    body = client.get("/residents/").content.decode()
    assert "张桂英" in body and "/residents/new/" not in body and "/residents/import/" not in body
    assert client.get("/residents/new/").status_code == 403
    assert client.post("/residents/new/", form_data(community_a)).status_code == 403
    assert client.post("/residents/import/", {}).status_code == 403
    assert not Resident.objects.filter(name="李秀兰").exists()


def test_import_starts_a_job_and_its_page_shows_the_report(
    page_client, educator_a, community_a, django_capture_on_commit_callbacks
):
    client = page_client(educator_a)
    with open(SAMPLE, "rb") as fh:
        upload = SimpleUploadedFile("花名册.xlsx", fh.read())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/residents/import/", {"community": community_a.pk, "file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(f"/jobs/{job.pk}/")
    body = page.content.decode()
    assert page.context["job"].status == "done"
    assert 'id="row-errors"' in body and "身份证号校验位错误" in body


def test_import_refuses_a_wrong_file_next_to_the_field(page_client, educator_a, community_a):
    upload = SimpleUploadedFile("roster.xls", b"junk")
    response = page_client(educator_a).post(
        "/residents/import/", {"community": community_a.pk, "file": upload}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Job.objects.exists()


def test_another_educators_job_page_is_404(page_client, educator_a, educator_b, community_a):
    from healthedu.jobs.services import job_start

    job = job_start(kind="resident_import", user=educator_a, community=community_a, params={})
    assert page_client(educator_b).get(f"/jobs/{job.pk}/").status_code == 404
    assert page_client(educator_a).get(f"/jobs/{job.pk}/").status_code == 200


def test_home_sends_a_leader_to_the_dashboard(page_client, leader):
    response = page_client(leader).get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert page_client(leader).get("/dashboard/").status_code == 200
