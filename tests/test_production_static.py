"""Production's static files: collectstatic with a manifest storage, as production uses, succeeds
(a vendored file naming a source map that is not there made it fail, and every page then
answered 500), and the pages name the hashed files."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_collectstatic_with_the_manifest_storage_and_the_pages_name_hashed_files(
    settings, tmp_path, client
):
    # Django's manifest storage: the same post-processing as whitenoise's, without compressing.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")
    assert list((settings.STATIC_ROOT / "web" / "vendor").glob("chart.umd.*.js"))

    settings.DEBUG = False
    body = client.get("/login/").content.decode()
    names = [p for p in body.split('"') if p.startswith("/static/web/")]
    assert names and all(len(p.rsplit(".", 2)) == 3 for p in names), names
