"""Every string of the pages' catalogue shows its own Chinese: no other app's catalogue (admin,
DRF, celery-beat) overrides it, which happens silently when a short msgid is shared."""

import ast
import re
from pathlib import Path

from django.utils import translation

import healthedu.web

CATALOGUE = Path(healthedu.web.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def entries():
    for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]:
        if "msgid_plural" in block or block.lstrip().startswith("#~"):
            continue
        context = re.search(r'^msgctxt (".*")$', block, re.M)
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:
            join = lambda m: "".join(ast.literal_eval(x) for x in m.group(1).strip().split("\n"))  # noqa: E731
            yield (
                (ast.literal_eval(context.group(1)) if context else None),
                join(msgid),
                join(msgstr),
            )


def test_every_page_string_has_chinese_and_is_not_overridden():
    found = list(entries())
    assert len(found) > 50
    wrong = []
    with translation.override("zh-hans"):
        for context, msgid, msgstr in found:
            assert msgstr, f"untranslated: {msgid!r}"
            got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if got != msgstr:
                wrong.append((msgid, got, msgstr))
    assert not wrong, wrong


def test_a_leaders_refusal_and_a_missing_page_are_explained_in_chinese(
    page_client, leader, community_a
):
    client = page_client(leader)
    refused = client.get("/activities/new/")
    assert refused.status_code == 403
    assert "您的账号只能查看记录，不能修改。" in refused.content.decode()


def test_missing_page_is_chinese(page_client, educator_a, settings):
    settings.DEBUG = False
    response = page_client(educator_a).get("/activities/999999/")
    assert response.status_code == 404 and "找不到页面" in response.content.decode()
