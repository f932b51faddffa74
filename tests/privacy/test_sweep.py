"""The privacy sweep: with the demo loaded, drive every API list and detail, every page reachable
from the home page, every ledger and summary file, and the logs — as an educator and as a leader —
and look for any resident's full ID number or phone. There must be none."""

import io
import re
from collections import deque
from urllib.parse import urljoin, urlparse

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from healthedu.org.models import User
from healthedu.pii import pii_decrypt
from healthedu.urls import router
from residents.models import Resident

pytestmark = pytest.mark.django_db
HREF = re.compile(r'(?:href|src)="([^"#]+)"')
SKIP_PAGES = ("/logout/", "/i18n/", "/static/", "/api/docs/")


def secrets_of_residents() -> set[str]:
    values = set()
    for resident in Resident.objects.exclude(id_number_enc="", phone_enc=""):
        for token in (resident.id_number_enc, resident.phone_enc):
            if token:
                values.add(pii_decrypt(token))
    return values


def api_texts(user) -> list[tuple[str, str]]:
    client = APIClient()
    client.force_authenticate(user)
    texts = []
    for prefix, _viewset, _basename in router.registry:
        response = client.get(f"/api/{prefix}/", {"page_size": 500})
        texts.append((f"/api/{prefix}/", response.content.decode("utf-8", "replace")))
        if response.status_code != 200:
            continue
        body = response.json()
        results = body.get("results", body) if isinstance(body, dict) else body
        for row in (results or [])[:25]:
            key = row.get("id") or row.get("code") if isinstance(row, dict) else None
            if key:
                detail = client.get(f"/api/{prefix}/{key}/")
                texts.append((f"/api/{prefix}/{key}/", detail.content.decode("utf-8", "replace")))
    return texts


def page_texts(user, limit: int = 150, per_route: int = 2) -> list[tuple[str, str]]:
    """Every page reachable from home; a couple of instances of each route (ids and query
    strings vary, the template does not), so that month calendars do not lead on forever."""
    client = Client()
    client.force_login(user)
    seen, queue, texts, routes = set(), deque(["/"]), [], {}
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen or path.startswith(SKIP_PAGES):
            continue
        route = re.sub(r"\d+", "N", path.split("?")[0])
        if routes.get(route, 0) >= per_route:
            continue
        routes[route] = routes.get(route, 0) + 1
        seen.add(path)
        response = client.get(path, follow=True)
        if response.redirect_chain:
            path = response.redirect_chain[-1][0]
        content_type = response.get("Content-Type", "")
        if response.status_code != 200:
            continue
        if "html" in content_type:
            text = response.content.decode("utf-8", "replace")
            texts.append((path, text))
            for link in HREF.findall(text):
                target = urlparse(urljoin(path, link.replace("&amp;", "&")))
                if not target.netloc and target.path.startswith("/"):
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
        else:
            texts.append((path, file_text(response)))
    return texts


def file_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if content.startswith(b"PK"):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    return content.decode("utf-8", "replace")


def export_texts(user, django_capture_on_commit_callbacks) -> list[tuple[str, str]]:
    client = APIClient()
    client.force_authenticate(user)
    month = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    texts = []
    communities = list(user.communities.all()) or []
    requests = []
    for community in communities[:1]:
        for fmt in ("pdf", "xlsx"):
            requests.append(
                (
                    "/api/reports/ledgers/",
                    {"community": community.pk, "month": f"{month:%Y-%m}", "format": fmt},
                )
            )
    for street in user.streets.all():
        for fmt in ("pdf", "xlsx"):
            requests.append(
                (
                    "/api/reports/summaries/",
                    {"street": street.pk, "year": month.year, "format": fmt},
                )
            )
    for path, body in requests:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, body, format="json")
        assert response.status_code == 202, (path, body, response.content)
        job = client.get(f"/api/jobs/{response.json()['id']}/").json()
        assert job["status"] == "done", job
        download = client.get(f"/api/jobs/{job['id']}/file/")
        texts.append((f"{path} {body}", file_text(download)))
    return texts


@pytest.mark.parametrize("username", ["edu_th", "leader"])
def test_no_full_id_number_or_phone_reaches_a_non_admin(
    username, caplog, django_capture_on_commit_callbacks
):
    call_command("seed_demo", residents=30, stdout=io.StringIO())
    secrets = secrets_of_residents()
    assert len(secrets) > 50
    user = User.objects.get(username=username)
    api, pages, exports = (
        api_texts(user),
        page_texts(user),
        export_texts(user, django_capture_on_commit_callbacks),
    )
    assert len(api) > 40 and len(pages) >= 3 and len(exports) >= 2, (
        len(api),
        len(pages),
        len(exports),
    )
    # The sweep must see residents' masked data, or it proves nothing.
    assert any("****" in text for _where, text in api + pages + exports)
    texts = api + pages + exports + [("logs", caplog.text)]
    leaks = [(where, secret) for where, text in texts for secret in secrets if secret in text]
    assert not leaks, leaks[:10]
