"""The admin site's reveal page: an administrator gives a reason and sees the full ID number and
phone once; the act is audited; nobody else gets there."""

from django.contrib.auth.models import Permission

from healthedu.audit.models import AuditEntry
from healthedu.org.models import Role, User
from tests.factories import make_resident


def reveal_url(resident) -> str:
    return f"/admin/residents/resident/{resident.pk}/reveal/"


def test_admin_reveals_with_a_reason_and_it_is_audited(page_client, admin_user, community_a):
    resident = make_resident(community_a, name="甲", phone="13912345678")
    client = page_client(admin_user)
    change = client.get(f"/admin/residents/resident/{resident.pk}/change/").content.decode()
    assert reveal_url(resident) in change and "13912345678" not in change
    assert "姓名" in change  # a person's name, not the 名称 of a community or topic

    form = client.get(reveal_url(resident))
    assert form.status_code == 200
    assert "13912345678" not in form.content.decode()
    assert "no-store" in form["Cache-Control"]

    no_reason = client.post(reveal_url(resident), {"reason": ""})
    assert no_reason.status_code == 200
    assert "13912345678" not in no_reason.content.decode()
    assert not AuditEntry.objects.filter(action="reveal").exists()

    shown = client.post(reveal_url(resident), {"reason": "家庭医生随访核对身份"})
    page = shown.content.decode()
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert "13912345678" in page and resident.id_number_masked not in page.split("<table>")[1]
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.user == admin_user and entry.note == "家庭医生随访核对身份"


def test_staff_educator_gets_no_link_and_403(page_client, admin_user, community_a):
    resident = make_resident(community_a, phone="13912345678")
    staff = User.objects.create_user(
        "staff_edu", password="x-pass-123", role=Role.EDUCATOR, is_staff=True
    )
    staff.communities.set([community_a])
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_resident", "change_resident"])
    )
    client = page_client(staff)
    change = client.get(f"/admin/residents/resident/{resident.pk}/change/").content.decode()
    assert reveal_url(resident) not in change
    assert client.get(reveal_url(resident)).status_code == 403
    refused = client.post(reveal_url(resident), {"reason": "想看看"})
    assert refused.status_code == 403 and "13912345678" not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_unknown_resident_is_404(page_client, admin_user):
    assert (
        page_client(admin_user).get("/admin/residents/resident/999999/reveal/").status_code == 404
    )
