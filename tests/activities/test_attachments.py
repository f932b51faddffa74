"""Attachments: type by content, size limit, reach on download, the archive categories."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthedu.activities.models import Attachment
from tests.activities.conftest import TODAY
from tests.factories import make_event

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%sign-in sheet\n"


def upload(client, event, content, name="photo.png", category="photo", lang="zh-hans"):
    return client.post(
        f"/api/events/{event.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content), "category": category},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_upload_list_and_download(api, educator_a, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    client = api(educator_a)
    response = upload(client, event, PDF, name="签到表.pdf", category="sign_in")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["category"], body["content_type"], body["name"]) == (
        "sign_in",
        "application/pdf",
        "签到表.pdf",
    )
    listed = client.get(f"/api/events/{event.pk}/attachments/").json()
    assert [row["id"] for row in listed] == [body["id"]]
    download = client.get(f"/api/events/{event.pk}/attachments/{body['id']}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    upload(client, event, PNG)
    assert client.get(f"/api/events/{event.pk}/").json()["archive"] == ["photo", "sign_in"]


def test_type_comes_from_the_content_not_the_name(api, educator_a, community_a):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    response = upload(
        api(educator_a), event, b"MZ\x90\x00 not an image", name="photo.jpg", lang="en"
    )
    assert response.status_code == 400
    assert "JPEG" in response.json()["file"][0]
    png_named_pdf = upload(api(educator_a), event, PNG, name="scan.pdf")
    assert png_named_pdf.json()["content_type"] == "image/png"


def test_size_is_limited(api, educator_a, community_a, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    response = upload(api(educator_a), event, PNG + b"\x00" * 4096)
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"category": "photo"}, "file"), ({"file": "x", "category": "selfie"}, "category")],
)
def test_missing_or_bad_fields_are_400(api, educator_a, community_a, data, field):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    if data.get("file") == "x":
        data = {**data, "file": SimpleUploadedFile("p.png", PNG)}
    response = api(educator_a).post(
        f"/api/events/{event.pk}/attachments/", data, format="multipart"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_out_of_reach_cannot_list_download_or_upload(
    api, educator_a, educator_b, leader, community_a
):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    attachment_id = upload(api(educator_a), event, PNG).json()["id"]
    outsider = api(educator_b)
    assert outsider.get(f"/api/events/{event.pk}/attachments/").status_code == 404
    assert outsider.get(f"/api/events/{event.pk}/attachments/{attachment_id}/").status_code == 404
    assert upload(outsider, event, PNG).status_code == 404
    assert (
        api(leader).get(f"/api/events/{event.pk}/attachments/{attachment_id}/").status_code == 200
    )
    assert upload(api(leader), event, PNG).status_code == 403
    assert api(None).get(f"/api/events/{event.pk}/attachments/{attachment_id}/").status_code == 401


def test_delete_removes_row_and_file(
    api, educator_a, community_a, django_capture_on_commit_callbacks
):
    event = make_event(community_a, on=TODAY, at="09:30", hours=1.5, venue="二楼活动室")
    client = api(educator_a)
    attachment_id = upload(client, event, io.BytesIO(PNG).getvalue()).json()["id"]
    stored = Attachment.objects.get(pk=attachment_id).file
    storage, name = stored.storage, stored.name
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.delete(f"/api/events/{event.pk}/attachments/{attachment_id}/").status_code == 204
        )
    assert not Attachment.objects.exists()
    assert not storage.exists(name)
