"""The reach matrix, generated from the URL configuration: every routed viewset over a model that
belongs to a community × every role × an object in and out of reach × list, detail, writes and each
detail action. Out of reach is 404 (or refused outright), never data; leaders never write.

One test per route (the demo is loaded once per route); each role × object × action is a subtest.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from healthedu.org.models import Community, Role, User
from healthedu.urls import router

pytestmark = pytest.mark.django_db

ROLES = {  # username: community codes in reach
    "edu_th": {"TH01"},
    "edu_ch": {"CH02"},
    "leader_two": {"TH01", "CH02"},
    "admin": {"TH01", "CH02", "WH03"},
}


def scoped_routes():
    for prefix, viewset, _basename in router.registry:
        model = viewset.queryset.model
        if getattr(model, "reach_path", None):
            detail_actions = [
                a for a in viewset.get_extra_actions() if a.detail and "(?P" not in a.url_path
            ]
            yield prefix, model, detail_actions


ROUTES = {prefix: (model, actions) for prefix, model, actions in scoped_routes()}


@pytest.fixture
def demo(db):
    call_command("seed_demo", residents=12, stdout=io.StringIO())
    leader = User.objects.create_user("leader_two", password="x-pass-1234", role=Role.LEADER)
    leader.communities.set(Community.objects.filter(code__in=["TH01", "CH02"]))
    from healthedu.program.models import Target
    from healthedu.surveys.models import Survey
    from reports.models import PeriodLock

    year = timezone.localdate().year
    for community in Community.objects.all():
        PeriodLock.objects.get_or_create(
            community=community, month=timezone.localdate().replace(year=year - 3, day=1)
        )
        Target.objects.get_or_create(
            community=community, year=year, defaults={"knowledge": 0.85, "behavior": 0.7}
        )
        if not Survey.objects.filter(community=community).exists():
            Survey.objects.create(title=f"{community.name}问卷", community=community)


def object_in(model, code):
    found = model.objects.filter(**{f"{model.reach_path}__code": code}).order_by("pk").first()
    assert found is not None, f"no {model.__name__} in {code}"
    return found


def client_for(username):
    client = APIClient()
    if username:
        client.force_authenticate(User.objects.get(username=username))
    return client


def expected_read(username, code):
    if username is None:
        return {401}
    return {200} if code in ROLES[username] else {404}


def expected_write(username, code):
    if username is None:
        return {401}
    if username.startswith("leader"):
        return {403, 405}
    return None if code in ROLES[username] else {404, 405}


def cases(prefix):
    """(username, community code, kind, url suffix, method, expected statuses) of each case."""
    _model, actions = ROUTES[prefix]
    for username in [*ROLES, None]:
        if username:
            yield username, None, "list", "", "get", {200}
        for code in ("TH01", "WH03"):
            yield username, code, "retrieve", "", "get", expected_read(username, code)
            for method in ("patch", "put", "delete"):
                expected = expected_write(username, code)
                if expected is not None:
                    yield username, code, "write", "", method, expected
            for action in actions:
                for method in sorted(action.mapping):
                    expected = (
                        expected_read(username, code)
                        if method == "get"
                        else expected_write(username, code)
                    )
                    if expected is not None:
                        yield username, code, "action", f"{action.url_path}/", method, expected


def check_list(client, prefix, model, username):
    rows = client.get(f"/api/{prefix}/", {"page_size": 500}).json()["results"]
    allowed = model.objects.filter(**{f"{model.reach_path}__code__in": ROLES[username]})
    if getattr(model, "reach_shared_when_null", False):
        allowed = allowed | model.objects.filter(**{f"{model.reach_path}__isnull": True})
    ids = {row["id"] for row in rows}
    assert ids, "the list shows nothing, so it proves nothing"
    assert ids <= set(allowed.values_list("pk", flat=True))


@pytest.mark.parametrize("prefix", sorted(ROUTES))
def test_route_keeps_to_the_reach(demo, prefix, subtests):
    model, _actions = ROUTES[prefix]
    planned = list(cases(prefix))
    checked = 0
    for username, code, kind, suffix, method, expected in planned:
        client = client_for(username)
        with subtests.test(role=username, community=code, action=f"{method} {kind} {suffix}"):
            checked += 1
            if kind == "list":
                check_list(client, prefix, model, username)
                continue
            target = object_in(model, code)
            url = f"/api/{prefix}/{target.pk}/{suffix}"
            status = getattr(client, method)(url, {}, format="json").status_code
            if kind == "retrieve":
                assert status in expected, status
            elif kind == "write":
                assert status in expected, status
                assert model.objects.filter(pk=target.pk).exists()
            elif 200 in expected:
                assert status < 500
            else:
                assert status in expected | {403, 405}, status
    assert checked == len(planned)


def test_the_matrix_holds_at_least_200_cases():
    # Counted from the matrix itself, so it holds whatever order (or worker) the tests run in.
    total = sum(len(list(cases(prefix))) for prefix in ROUTES)
    assert total >= 200, total
