"""Named users and places shared by the whole suite.

Community A and B lie on street 1; community C on street 2. educator_a reaches A, educator_b
reaches B, the leader reaches street 1 (A and B), the admin reaches everything.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from healthedu.org.models import Role
from tests.factories import CommunityFactory, DistrictFactory, StreetFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


SEEDED_BY_MIGRATIONS = [
    ("program.Topic", "healthedu.program.migrations.0002_initial_topics"),
    ("surveys.BankItem", "healthedu.surveys.migrations.0002_item_bank"),
]


@pytest.fixture(autouse=True)
def _rows_seeded_by_migrations(request):
    """Transactional tests (live server, real workers, concurrency) end with a flush, which also
    empties the rows that data migrations seeded (topics, the item bank). Put them back before
    each such test, with the migrations' own loaders, so that test order does not matter."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transactional:
        request.getfixturevalue("_django_db_helper")
        from importlib import import_module

        from django.apps import apps

        for label, module in SEEDED_BY_MIGRATIONS:
            if not apps.get_model(label).objects.exists():
                import_module(module).load(apps, None)
    yield


@pytest.fixture
def district(db):
    return DistrictFactory(name="东湖区")


@pytest.fixture
def street(district):
    return StreetFactory(district=district, name="天虹街道")


@pytest.fixture
def other_street(district):
    return StreetFactory(district=district, name="文化街道")


@pytest.fixture
def community_a(street):
    return CommunityFactory(code="A01", name="天虹路社区", street=street)


@pytest.fixture
def community_b(street):
    return CommunityFactory(code="B01", name="春晖社区", street=street)


@pytest.fixture
def community_c(other_street):
    return CommunityFactory(code="C01", name="文化巷社区", street=other_street)


@pytest.fixture
def educator_a(community_a):
    return UserFactory(username="edu_a", role=Role.EDUCATOR, communities=[community_a])


@pytest.fixture
def educator_b(community_b):
    return UserFactory(username="edu_b", role=Role.EDUCATOR, communities=[community_b])


@pytest.fixture
def leader(street, community_a, community_b):
    return UserFactory(username="leader", role=Role.LEADER, streets=[street])


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="admin", role=Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated as that user (None: anonymous)."""
    return api_client_for


@pytest.fixture
def page_client():
    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def wsgi_app():
    """Our WSGI application for tools that call it directly (schemathesis). As Django's test
    client does, keep the request signals from closing the test's database connection, which
    sits inside the test's transaction."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
