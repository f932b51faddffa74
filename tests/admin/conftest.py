"""The designed October 2026 of community A (tests/reports/conftest.py), finalised and unlocked
through the API, and a staff educator who may use the admin for community A only."""

import pytest
from django.contrib.auth.models import Permission

from healthedu.org.models import Role
from tests.factories import UserFactory
from tests.reports.conftest import october  # noqa: F401  (the designed month)

LOCKED = "2026-10 的台账已定稿"  # the start of healthedu.locking's message, in Chinese

ADMIN_MODELS = ["event", "attendance", "attachment", "bpreading", "referral", "response"]
ADMIN_MODELS += ["resident", "survey", "item", "series", "periodlock", "target"]


@pytest.fixture
def staff_educator(community_a):
    """An educator of A with every admin permission on the records of the ledger."""
    user = UserFactory(username="staff_edu", role=Role.EDUCATOR, communities=[community_a])
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                f"{action}_{model}"
                for action in ("add", "change", "delete", "view")
                for model in ADMIN_MODELS
            ]
        )
    )
    return user


@pytest.fixture
def as_user(request, admin_user, staff_educator):
    """The admin user or the staff educator, by the test's parameter."""
    return {"admin": admin_user, "staff": staff_educator}[request.param]


def finalise(api, user, month="2026-10"):
    response = api(user).post(
        "/api/reports/finalise/", {"community": "A01", "month": month}, format="json"
    )
    assert response.status_code == 200, response.content


def unlock(api, admin_user, month="2026-10"):
    response = api(admin_user).post(
        "/api/reports/unlock/",
        {"community": "A01", "month": month, "reason": "补录签到"},
        format="json",
    )
    assert response.status_code == 200, response.content
