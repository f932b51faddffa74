"""The privacy tests attack the ledger tests' designed month (tests/reports/conftest.py)."""

from tests.reports.conftest import october  # noqa: F401  (a fixture, offered to this folder)
