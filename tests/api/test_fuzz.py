"""Schema-driven fuzzing: every operation of our OpenAPI document, with generated input, never 500.

Bounded: a fixed number of examples per operation, derandomised so that runs are repeatable.
"""

import json
import time

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from rest_framework.authtoken.models import Token

from tests.factories import make_resident

EXAMPLES_PER_OPERATION = 16
TIME_BUDGET_SECONDS = 240

pytestmark = pytest.mark.django_db


def test_no_generated_request_gives_a_server_error(educator_a, community_a, community_b, wsgi_app):
    for i in range(3):
        make_resident(community_a, age=30 + i)
    make_resident(community_b, age=50)
    token = Token.objects.create(user=educator_a).key
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(document)
    app = wsgi_app
    started = time.monotonic()
    sent, failures = 0, []

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE" and operation.path == "/api/auth/token/":
            continue  # it revokes the token this run signs in with
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            break

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
    assert sent >= 1000, sent


# ---------------------------------------------------------------- bodies of any shape, parameters
# at their limits. Not only schema-valid input: what a careless script or an attacker sends.

DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
SHAPES = [
    "[]",
    "[null]",
    "null",
    "0",
    "-1",
    str(10**40),
    "1e308",
    "true",
    '"x"',
    '"' + "🙂" * 50 + '"',
    "{}",
    '{"": null}',
    DEEP_LIST,
    DEEP_OBJECT,
    '{"a": ' + "[" * 40 + "]" * 40 + "}",
    "{not json",
    "\ufeff{}",
]
# Each replaces one field of a near-valid body (the object as the API shows it).
WRONG_VALUES = [
    None,
    [None],
    {"a": [1]},
    10**40,
    -1,
    1.5,
    True,
    "x" * 3000,
    "🙂\u0000\u202e",
    "9999-12-31",
]
# Query values at their limits, by what the parameter holds.
QUERY_LIMITS = {
    "date": ["0001-01-01", "9999-12-31", "2026-13-01", "2026-02-30", "0000-00-00", "x"],
    "month": ["2026-13", "0000-01", "9999-12", "2026-00", "10000-01", "2026-1-1"],
    "integer": ["-1", "0", "9" * 40, "1e9", "1.5", "x"],
    "page": ["0", "-1", "999999999", "9" * 40],
    "page_size": ["-1", "0", "999999999"],
    "string": ["", "9" * 40, "-1", "🙂\u0000", "x" * 3000, "9999-12-31", "²", "١٢"],
}
WRITE_METHODS = ("post", "put", "patch")
# Wrong values per field and role: the educator's requests give each field every one of them,
# the admin's two, in turn (the admin's routes are mostly the educator's), to keep the run short.
WRONG_PER_FIELD = {"edu_th": len(WRONG_VALUES), "admin": 2}


@pytest.fixture
def demo_world(db):
    import io

    from django.core.management import call_command

    from healthedu.org.models import Community, User
    from healthedu.program.models import Target

    call_command("seed_demo", residents=12, stdout=io.StringIO())
    for community in Community.objects.all():
        Target.objects.get_or_create(
            community=community, year=2026, defaults={"knowledge": 0.85, "behavior": 0.7}
        )
    return {name: User.objects.get(username=name) for name in ("edu_th", "admin")}


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)  # a 500 is counted, not raised
    client.force_authenticate(user)
    return client


def _first_object(client, collection: str) -> dict | None:
    response = client.get(collection)
    if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
        return None
    data = response.json()
    rows = data.get("results", data) if isinstance(data, dict) else data
    return rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None


def _resolve(client, template: str) -> tuple[str, dict | None]:
    """A path template with each {param} taken from the first object its collection lists."""
    path, shown = "", None
    for part in template.strip("/").split("/"):
        if part.startswith("{"):
            shown = _first_object(client, path + "/")
            value = (shown or {}).get("id", 1)
            part = str(value)
        elif "{" in part:  # qr.{fmt}
            part = part.split("{")[0] + "png"
        path += "/" + part
    return path + "/", shown


def _check(response, label: str, failures: list) -> None:
    if response.status_code >= 500:
        failures.append(f"{label} → {response.status_code}")
    elif response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
        failures.append(f"{label} → {response.status_code} {response.get('Content-Type')}")


def test_bodies_of_any_shape_never_give_a_server_error(demo_world):
    document = SchemaGenerator().get_schema(request=None, public=True)
    sent, failures, writes = 0, [], 0
    for username, user in demo_world.items():
        client = _client(user)
        for template, operations in document["paths"].items():
            for method in WRITE_METHODS:
                if method not in operations:
                    continue
                writes += 1
                path, shown = _resolve(client, template)
                if method == "post" and "{" not in template:
                    shown = _first_object(client, path)
                base = {k: v for k, v in (shown or {}).items() if k != "id"}
                bodies = list(SHAPES)
                per_field = WRONG_PER_FIELD[username]
                for i, field in enumerate(base):
                    for j in range(per_field):
                        wrong = WRONG_VALUES[(i * per_field + j) % len(WRONG_VALUES)]
                        bodies.append(json.dumps({**base, field: wrong}))
                for body in bodies:
                    response = client.generic(method.upper(), path, body, "application/json")
                    sent += 1
                    _check(
                        response, f"{username} {method.upper()} {template} {body[:60]}", failures
                    )
    assert not failures, "\n".join(failures[:30])
    assert writes >= 2 * 40, writes  # every write route of the document, as both roles
    assert sent >= 5000, sent


def _query_values(parameter: dict) -> list[str]:
    name, schema = parameter["name"], parameter.get("schema", {})
    if name in ("page", "page_size"):
        return QUERY_LIMITS[name]
    if schema.get("format") == "date" or name in ("as_of", "starts_after", "starts_before"):
        return QUERY_LIMITS["date"]
    if name in ("month", "before", "after"):
        return QUERY_LIMITS["month"] + QUERY_LIMITS["date"][:2]
    if schema.get("type") in ("integer", "number") or name == "year":
        return QUERY_LIMITS["integer"]
    return QUERY_LIMITS["string"]


REQUIRED_DEFAULTS = {"community": "TH01", "month": "2026-10", "year": "2026"}
# Fixed on the "progress" branch (reports/progress.py parses as_of); tested on its own below, so
# that this sweep stays green on this branch.
FIXED_ELSEWHERE = {("/api/reports/progress/", "as_of", "9999-12-31")}


def test_query_parameters_at_their_limits_never_give_a_server_error(demo_world):
    document = SchemaGenerator().get_schema(request=None, public=True)
    sent, failures = 0, []
    client = _client(demo_world["admin"])
    for template, operations in document["paths"].items():
        if "get" not in operations:
            continue
        path, _shown = _resolve(client, template)
        parameters = [p for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        base = {
            p["name"]: REQUIRED_DEFAULTS.get(p["name"], "1")
            for p in parameters
            if p.get("required")
        }
        # The progress report's as_of is a date too, and needs its community.
        if template == "/api/reports/progress/":
            base.setdefault("community", "TH01")
        for parameter in parameters:
            for value in _query_values(parameter):
                if (template, parameter["name"], value) in FIXED_ELSEWHERE:
                    continue
                response = client.get(path, {**base, parameter["name"]: value})
                sent += 1
                _check(response, f"GET {template} {parameter['name']}={value[:40]}", failures)
    assert not failures, "\n".join(failures[:60])
    assert sent >= 400, sent


def test_a_body_past_the_size_limit_is_a_json_413(api, educator_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = b'{"community": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = api(educator_a).generic("POST", "/api/targets/", body, "application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "1 MB" in response.json()["detail"]


def test_an_80_mb_body_is_a_json_413(api, educator_a):
    body = b'{"a": "' + b"x" * (80 * 1024 * 1024) + b'"}'
    response = api(educator_a).generic("POST", "/api/calendar/token/", body, "application/json")
    assert response.status_code == 413 and response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP_LIST, "nested too deeply"),
        (DEEP_OBJECT, "nested too deeply"),
        ("[null]", "JSON object"),
        ("null", "JSON object"),
        ('"rotate"', "JSON object"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_a_shallow_object_is_a_400_saying_so(api, educator_a, body, reason):
    response = api(educator_a).generic(
        "POST", "/api/calendar/token/", body, "application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_a_partial_patch_of_a_target_keeps_the_other_fields(api, educator_a, community_a):
    client = api(educator_a)
    target = client.post(
        "/api/targets/",
        {"community": community_a.pk, "year": 2026, "knowledge": "0.8", "behavior": "0.6"},
        format="json",
    ).json()
    response = client.patch(f"/api/targets/{target['id']}/", {"knowledge": "0.5"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {**target, "knowledge": "0.500"}


def test_the_progress_report_as_of_the_last_day_is_not_a_server_error(demo_world):
    client = _client(demo_world["admin"])
    response = client.get("/api/reports/progress/", {"community": "TH01", "as_of": "9999-12-31"})
    assert response.status_code == 400
    assert "as_of" in response.json()
