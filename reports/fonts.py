"""The Chinese fonts of printed reports: body text in a Song face, headings in a Hei face, as
official documents are set (宋体 body, 黑体 headings). Both are embedded in every PDF as subsets.

Source: Debian's fonts-noto-cjk (SIL Open Font License 1.1), a maintained font package, giving
Noto Serif CJK SC (Song, 宋体) and Noto Sans CJK SC (Hei, 黑体). Those ship as CFF-outline
OpenType collections, and reportlab embeds TrueType (glyf) outlines only, so `manage.py
pdf_fonts` (run by `make fonts`, part of `make setup`) converts the SC faces once into
settings.HEALTHEDU["PDF_FONT_DIR"] (default var/fonts): cmap-reachable glyphs only (reportlab
does no OpenType layout), cubic curves to quadratic ones with fontTools' cu2qu. The PDFs then
print the same on a machine with no Chinese font installed; reportlab subsets the converted
TrueType by itself (only the glyphs used are written, prefix AAAAAA+).
"""

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SONG = "HealthEduSong"  # body text
HEI = "HealthEduHei"  # headings
# Kept for callers that name "the" font: the body face.
FONT = SONG

# (name, Debian file, the family inside the collection, converted file name)
FACES = {
    SONG: (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "Noto Serif CJK SC",
        "NotoSerifCJKsc-Regular.ttf",
    ),
    HEI: (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "Noto Sans CJK SC",
        "NotoSansCJKsc-Bold.ttf",
    ),
}
DEBIAN_PACKAGE = "fonts-noto-cjk"


def font_dir() -> Path:
    return Path(settings.HEALTHEDU["PDF_FONT_DIR"])


def font_path(name: str = SONG) -> Path:
    path = font_dir() / FACES[name][2]
    if not path.is_file():
        raise ImproperlyConfigured(
            f"The PDF font {path.name} is missing from {path.parent}. Install the Debian package "
            f"{DEBIAN_PACKAGE} and run `make fonts` (or `manage.py pdf_fonts` where the product "
            "is installed), which converts it for the PDFs."
        )
    return path


@cache
def register_fonts() -> str:
    """Register both faces with reportlab once per process; returns the body face's name."""
    for name in FACES:
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
    # Neither face has an italic: <i> keeps the outlines. <b> in body text is set in Hei, as
    # Chinese emphasis is.
    for face, bold in ((SONG, HEI), (HEI, HEI)):
        addMapping(face, 0, 0, face)
        addMapping(face, 0, 1, face)
        addMapping(face, 1, 0, bold)
        addMapping(face, 1, 1, bold)
    return SONG


def heading_font() -> str:
    register_fonts()
    return HEI


# --- conversion (setup time, not per request) ------------------------------------------------


def _face_index(collection: str, family: str) -> int:
    from fontTools.ttLib import TTCollection

    faces = TTCollection(collection, lazy=True)
    for index, face in enumerate(faces.fonts):
        if face["name"].getDebugName(1) == family:
            return index
    raise ImproperlyConfigured(f"{collection} has no face {family!r}")


def convert_face(source: str, family: str, target: Path) -> Path:
    """One SC face of a CFF collection as a TrueType-outline font reportlab can embed."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as OTFont
    from fontTools.ttLib import newTable

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # a line per pruned table otherwise
    font = OTFont(source, fontNumber=_face_index(source, family), lazy=False)
    # Only what a cmap reaches (reportlab does no OpenType layout): fewer glyphs to convert.
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "GSUB", "GPOS", "GDEF", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # 1 unit of 1000 per em: far below what print shows.
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        width, _lsb = hmtx.metrics[name]
        hmtx.metrics[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 3.0  # no glyph names (CID fonts have none worth keeping)
    font.sfntVersion = "\x00\x01\x00\x00"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    font.save(str(partial))
    partial.replace(target)  # never a half-written font where the PDFs look for one
    return target


def ensure_fonts(*, force: bool = False, log=print) -> list[Path]:
    """Convert the faces that are not there yet (all of them with `force`)."""
    done = []
    for _name, (source, family, file_name) in FACES.items():
        target = font_dir() / file_name
        if target.is_file() and not force:
            done.append(target)
            continue
        if not Path(source).is_file():
            raise ImproperlyConfigured(
                f"{source} is missing: install the Debian package {DEBIAN_PACKAGE} "
                "(`make fonts` does)."
            )
        log(f"converting {family} from {source} to {target} …")
        done.append(convert_face(source, family, target))
    return done
