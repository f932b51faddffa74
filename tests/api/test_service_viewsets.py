"""The service-backed viewsets write through their app's service, which audits: one entry per
write, never a second one from the API, and a viewset that names no service refuses to write."""

import pytest

from healthedu.api.viewsets import ServiceModelViewSet
from healthedu.audit.models import AuditEntry
from healthedu.program.models import Topic
from tests.factories import make_resident

pytestmark = pytest.mark.django_db


def entries(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(obj["id"]))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_resident_written_through_the_api_is_audited_once_a_write(api, educator_a, community_a):
    client = api(educator_a)
    body = {
        "name": "审计甲",
        "sex": "F",
        "birth_date": "1960-05-01",
        "community": community_a.pk,
        "address": "1栋",
    }
    created = client.post("/api/residents/", body, format="json")
    assert created.status_code == 201, created.content
    resident = created.json()
    assert entries(resident) == ["create"]
    changed = client.patch(f"/api/residents/{resident['id']}/", {"address": "2栋"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["address"] == "2栋"
    assert entries(resident) == ["create", "update"]
    assert client.delete(f"/api/residents/{resident['id']}/").status_code == 204
    assert entries(resident) == ["create", "update", "delete"]


def test_a_survey_and_its_response_are_audited_once(api, educator_a, community_a):
    client = api(educator_a)
    topic = Topic.objects.get(code="hypertension")
    survey = client.post(
        "/api/surveys/",
        {
            "title": "审计问卷",
            "community": community_a.pk,
            "items": [
                {
                    "kind": "knowledge",
                    "text": "正常血压低于？",
                    "topic": topic.code,
                    "options": ["120/80", "160/100"],
                    "correct": [0],
                }
            ],
        },
        format="json",
    )
    assert survey.status_code == 201, survey.content
    survey = survey.json()
    assert entries(survey) == ["create"]
    person = make_resident(community_a)
    answer = {"item": survey["items"][0]["id"], "choice": [0]}
    response = client.post(
        "/api/survey-responses/",
        {
            "survey": survey["id"],
            "resident": person.pk,
            "answered_on": "2026-03-10",
            "round": "baseline",
            "answers": [answer],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = AuditEntry.objects.filter(model__iendswith="response", action="create")
    assert created.count() == 1


@pytest.mark.parametrize("write", ["perform_create", "perform_update", "perform_destroy"])
def test_a_viewset_naming_no_service_refuses_to_write(write):
    class Unnamed(ServiceModelViewSet):
        pass

    with pytest.raises(NotImplementedError, match="Unnamed"):
        getattr(Unnamed(), write)(None)
