"""Content-Disposition of the files people download: named for people
(天虹路社区-2026年11月-健康教育台账.pdf) in an RFC 5987/6266 `filename*`, with an ASCII `filename`
for the clients that read only that, and no random suffix (the stored file's name may carry one;
the download's never does)."""

import re
from urllib.parse import quote

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]')


def safe_filename(name: str) -> str:
    """A name a file system and a header accept: no path separators, quotes or control
    characters (Windows' reserved characters too)."""
    return _UNSAFE.sub("_", name).strip(" .") or "download"


def content_disposition(filename: str, fallback: str = "", *, inline: bool = False) -> str:
    """attachment; filename="ledger-TH01-2026-11.pdf"; filename*=UTF-8''%E5%A4%A9…"""
    filename = safe_filename(filename)
    ascii_name = safe_filename(fallback or filename).encode("ascii", "ignore").decode()
    if not ascii_name or ascii_name.startswith("."):
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else ""
        ascii_name = f"download.{suffix}" if suffix.isascii() and suffix else "download"
    kind = "inline" if inline else "attachment"
    header = f'{kind}; filename="{ascii_name}"'
    if filename != ascii_name:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
