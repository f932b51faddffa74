"""docs/setup_district.py, run as a district's IT person would (a separate process, a base URL
and an admin's token), against the live test server, from an empty organisation."""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from healthedu.org.models import Community, District, Role, Street, User
from tests.factories import UserFactory

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "setup_district.py"

pytestmark = pytest.mark.django_db(transaction=True)


def run_script(url: str, token: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--url", url, "--token", token],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_script_sets_up_a_district_through_the_api_alone(live_server):
    assert not (District.objects.exists() or Street.objects.exists() or Community.objects.exists())
    keeper = UserFactory(username="it_admin", role=Role.ADMIN)
    token = Token.objects.create(user=keeper).key

    done = run_script(live_server.url, token)
    assert done.returncode == 0, done.stderr
    assert list(District.objects.values_list("name", flat=True)) == ["示范区"]
    assert sorted(Street.objects.values_list("name", "district__name")) == [
        ("东门街道", "示范区"),
        ("西门街道", "示范区"),
    ]
    assert sorted(Community.objects.values_list("code", "street__name")) == [
        ("DM01", "东门街道"),
        ("DM02", "东门街道"),
        ("XM01", "西门街道"),
        ("XM02", "西门街道"),
    ]
    made = User.objects.exclude(pk=keeper.pk)
    assert made.count() == 10
    assert all(u.must_change_password for u in made)
    assert (
        sorted(made.values_list("role", flat=True)) == ["admin"] + ["educator"] * 6 + ["leader"] * 3
    )
    assert sorted(
        User.objects.get(username="dm_edu").communities.values_list("code", flat=True)
    ) == [
        "DM01",
        "DM02",
    ]
    # the passwords printed once are the users' passwords
    printed = dict(line.split("\t") for line in done.stdout.splitlines() if line.startswith("  "))
    assert len(printed) == 10
    assert User.objects.get(username="xm01_edu").check_password(printed["  xm01_edu"])

    again = run_script(live_server.url, token)
    assert again.returncode == 0, again.stderr
    assert "created" not in again.stdout
    assert (District.objects.count(), Street.objects.count(), Community.objects.count()) == (
        1,
        2,
        4,
    )
    assert User.objects.count() == 11


def test_the_script_says_what_went_wrong(live_server):
    educator = UserFactory(username="not_admin", role=Role.EDUCATOR)
    done = run_script(live_server.url, Token.objects.create(user=educator).key)
    assert done.returncode == 1
    assert "403" in done.stderr
    assert not District.objects.exists()
