"""Schema-driven fuzzing of this app's operations: generated input never gives a 500."""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from rest_framework.authtoken.models import Token

from healthedu.surveys.services import response_create
from tests.surveys.conftest import DAY, answers

PREFIXES = ("/api/surveys", "/api/survey-responses", "/api/rates", "/api/item-bank", "/api/targets")
EXAMPLES_PER_OPERATION = 15

pytestmark = pytest.mark.django_db


def test_surveys_operations_never_give_a_server_error(
    educator_a, community_a, designed_survey, wsgi_app
):
    response_create(
        user=None,
        survey=designed_survey,
        answered_on=DAY,
        round="baseline",
        sex="F",
        age=30,
        is_migrant=False,
        community=community_a,
        answers=answers(designed_survey, [0], [1]),
    )
    token = Token.objects.create(user=educator_a).key
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(document)
    app = wsgi_app
    sent, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(PREFIXES):
            continue

        @given(case=operation.as_strategy())
        @hsettings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            nonlocal sent
            response = case.call(app=app, headers={"Authorization": f"Token {token}"})
            sent += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method.upper()} {case.formatted_path} → {response.status_code}"
                )

        run()
    assert not failures, "\n".join(sorted(set(failures))[:30])
    assert sent >= 100, sent
