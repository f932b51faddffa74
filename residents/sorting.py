"""The order residents are listed in: by the pinyin of the name, as a Chinese register reads
(阿 before 白 before 张), not by code point. The key is stored on the resident (name_pinyin) and
kept by Resident.save and the bulk paths of residents.services and residents.importing, so that a
paginated list orders in SQL."""

from pypinyin import Style, lazy_pinyin

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


def name_sort_key(name: str) -> str:
    """The pinyin of a name, syllable by syllable with tone numbers, separated by spaces (so a
    shorter reading sorts before a longer one that begins with it): 张三 -> "zhang1 san1".
    Characters without a reading (Latin letters, digits) are kept, lower-cased."""
    name = (name or "").strip()
    if not name:
        return ""
    first = SURNAMES.get(name[0])
    rest = name[1:] if first else name
    syllables = lazy_pinyin(rest, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    if first:
        syllables = [first, *syllables]
    return " ".join(s.strip().lower() for s in syllables if s.strip())[:MAX_LENGTH]
