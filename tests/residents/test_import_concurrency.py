"""The same roster imported twice at the same moment (two educators, or a double click): one set of
residents, never two. Imports into one community take a row lock on it (PostgreSQL)."""

import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from residents.importing import import_residents
from residents.models import Resident

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "天虹路社区居民花名册.xlsx"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and real concurrency: PostgreSQL"
)
def test_two_imports_of_one_file_at_once_create_each_resident_once(community_a):
    content = SAMPLE.read_bytes()
    reports, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        import io

        try:
            barrier.wait()
            reports.append(
                import_residents(
                    fileobj=io.BytesIO(content), filename=SAMPLE.name, community=community_a
                )
            )
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Resident.objects.filter(community=community_a).count() == 191
    assert sorted(r.created for r in reports) == [0, 191]
