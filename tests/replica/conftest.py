"""Report reads against a real streaming replica (.ci/replica starts one and runs these).

The databases are the ones DATABASE_URL and DATABASE_REPLICA_URL name, created and migrated by
the script: a replica cannot host a test database of its own, so no test database is made and
nothing is flushed (the script drops the database after)."""

import os

import pytest

REAL_REPLICA = bool(
    os.environ.get("HEALTHEDU_REAL_REPLICA") and os.environ.get("DATABASE_REPLICA_URL")
)


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the script's databases as they are."""


@pytest.fixture
def real_db(django_db_blocker):
    if not REAL_REPLICA:
        pytest.skip("needs a real replica: run .ci/replica")
    with django_db_blocker.unblock():
        yield
