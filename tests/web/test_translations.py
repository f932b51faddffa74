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
