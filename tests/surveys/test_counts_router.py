"""The database router's decisions (healthedu.dbrouter); .ci/replica runs the same against a real
streaming replica (tests/replica)."""

from unittest import mock

from django.db import transaction

from healthedu import dbrouter
from healthedu.dbrouter import REPLICA, ReportRouter, _wrote, reads_for_reports
from healthedu.surveys.models import RateCount


def with_replica(settings):
    """A replica configured, as far as the router asks. Not by overriding DATABASES: that resets
    every connection, and an in-memory SQLite test database with it (later tests find no tables)."""
    return mock.patch.object(dbrouter, "replica_configured", return_value=True)


def test_report_reads_go_to_the_replica_other_reads_to_the_primary(settings):
    router = ReportRouter()
    token = _wrote.set(False)
    try:
        with with_replica(settings):
            assert reads_for_reports(lambda: router.db_for_read(RateCount))() == REPLICA
            assert router.db_for_read(RateCount) is None
        # No replica configured: everything on the primary.
        assert reads_for_reports(lambda: router.db_for_read(RateCount))() is None
    finally:
        _wrote.reset(token)


def test_after_a_write_reports_stay_on_the_primary(settings):
    router = ReportRouter()
    token = _wrote.set(False)
    try:
        with with_replica(settings):
            assert router.db_for_write(RateCount) is None  # writes: the primary
            assert reads_for_reports(lambda: router.db_for_read(RateCount))() is None
    finally:
        _wrote.reset(token)


def test_reads_inside_a_transaction_stay_on_the_primary(settings, db):
    router = ReportRouter()
    token = _wrote.set(False)
    try:
        with with_replica(settings), transaction.atomic():
            assert reads_for_reports(lambda: router.db_for_read(RateCount))() is None
    finally:
        _wrote.reset(token)


def test_the_replica_is_never_migrated():
    assert ReportRouter().allow_migrate(REPLICA, "surveys") is False
    assert ReportRouter().allow_migrate("default", "surveys") is True
