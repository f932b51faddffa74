"""The order residents are listed in: by the pinyin of the name, as a Chinese register reads
(阿 before 白 before 张), not by code point. The key is stored on the resident (name_pinyin) and
kept by Resident.save and the bulk paths of residents.services and residents.importing, so that a
paginated list orders in SQL."""

from functools import lru_cache

from pypinyin.contrib.tone_convert import to_tone3
from pypinyin.pinyin_dict import pinyin_dict

# A surname read otherwise than the character's commonest reading (pypinyin reads 曾 as céng,
# 单 as dān); the name's first character is read as a surname.
SURNAMES = {
    "曾": "zeng1",
    "单": "shan4",
    "解": "xie4",
    "仇": "qiu2",
    "区": "ou1",
    "朴": "piao2",
    "查": "zha1",
    "盖": "ge3",
    "覃": "qin2",
    "乐": "yue4",
    "秘": "bi4",
    "繁": "po2",
    "种": "chong2",
    "员": "yun4",
    "缪": "miao4",
    "重": "chong2",
    "翟": "zhai2",
    "召": "shao4",
    "黑": "he4",
    "尉": "yu4",
    "长": "zhang3",
    "折": "she2",
    "能": "nai4",
    "句": "gou1",
    "车": "che1",
    "沈": "shen3",
    "薄": "bo2",
    "柏": "bai3",
    "贲": "ben1",
}
MAX_LENGTH = 400


@lru_cache(maxsize=8192)
def _reading(char: str) -> str | None:
    """A character's commonest reading (pypinyin's single-character dictionary lists it first),
    with its tone number: 张 -> zhang1. None for a character without one."""
    readings = pinyin_dict.get(ord(char))
    if not readings:
        return None
    return to_tone3(readings.split(",")[0], neutral_tone_with_five=True)


def name_sort_key(name: str) -> str:
    """The pinyin of a name, syllable by syllable, each ending in its tone number (5 for the
    neutral tone), separated by spaces: 张三 -> "zhang1 san1". The digit ends every syllable, and
    digits sort before letters, so a shorter reading sorts before a longer one that begins with it
    (li3 < li3 ming2 < lia3) under a byte-wise collation and a language-aware one (which skips
    spaces) alike. Characters without a reading (Latin letters, digits) are kept, lower-cased.

    Each character is read alone, by a table lookup (an import keys 100,000 names): pypinyin's
    phrase segmentation is slower by two orders and reads given names no better."""
    name = (name or "").strip()
    if not name:
        return ""
    # The common case, every character read: the table lookups in one map (C-level), no loop.
    readings = [SURNAMES.get(name[0]) or _reading(name[0]), *map(_reading, name[1:])]
    if None not in readings:
        return " ".join(readings)[:MAX_LENGTH]
    parts: list[str] = []
    other = ""  # a run of characters without a reading (a Latin name) stays one part
    for at, char in enumerate(name):
        reading = SURNAMES.get(char) if at == 0 else None
        reading = reading or _reading(char)
        if reading is None:
            other += char.lower()
            continue
        if other.strip():
            parts.append(other.strip())
        other = ""
        parts.append(reading)
    if other.strip():
        parts.append(other.strip())
    return " ".join(parts)[:MAX_LENGTH]
