"""The Chinese font of printed reports, embedded in every PDF as a subset.

reportlab embeds TrueType outlines only. WenQuanYi Micro Hei (Apache-2.0) comes as a TrueType
collection in the pip package `paperang-p2-fonts-cjk`, a pinned dependency, so that setup needs
nothing but the package registry and the PDF prints the same on a machine with no Chinese fonts.
reportlab subsets TrueType fonts by itself: only the glyphs used are written (prefix AAAAAA+).
"""

from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "HealthEduCJK"


def font_path() -> Path:
    try:
        import paperang_p2_fonts_cjk
    except ImportError as exc:  # pragma: no cover - a broken install, said plainly
        raise ImproperlyConfigured(
            "The package paperang-p2-fonts-cjk (the Chinese font of the PDFs) is not installed; "
            "run `make setup`."
        ) from exc
    path = Path(paperang_p2_fonts_cjk.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
    if not path.is_file():  # pragma: no cover
        raise ImproperlyConfigured(f"The Chinese font file is missing: {path}")
    return path


@cache
def register_fonts() -> str:
    """Register the font with reportlab once per process; returns its name."""
    path = str(font_path())
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    # Micro Hei has no bold or italic face: <b> and <i> map to the same outlines, one subset.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, FONT)
    return FONT
