"""reportlab pieces every printed report shares: page template with 第 x 页 共 y 页, styles,
the ticked boxes of the paper forms, bordered tables and a bar chart of rates."""

from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.tables import LongTable

from reports.fonts import HEI, register_fonts

PAGE = A4
MARGIN = 18 * mm
GRID = colors.HexColor("#444444")
LABEL_BG = colors.HexColor("#EEF2F6")
HEADER_BG = colors.HexColor("#DDE4EC")
SERIES = [colors.HexColor("#2F6690"), colors.HexColor("#E07A1F")]


class Styles:
    """Body text in the Song face, titles and headings in the Hei face (reports.fonts)."""

    def __init__(self, font: str):
        base = {"fontName": font, "wordWrap": "CJK"}
        head = {"fontName": HEI, "wordWrap": "CJK"}
        self.body = ParagraphStyle("body", fontSize=10, leading=14, **base)
        self.cell = ParagraphStyle("cell", fontSize=9, leading=12, **base)
        self.small = ParagraphStyle("small", fontSize=8, leading=10, **base)
        self.centred = ParagraphStyle(
            "centred", fontSize=10, leading=14, alignment=TA_CENTER, **base
        )
        self.title = ParagraphStyle(
            "title", fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=6, **head
        )
        self.cover_title = ParagraphStyle(
            "cover_title", fontSize=26, leading=36, alignment=TA_CENTER, **head
        )
        self.cover_line = ParagraphStyle(
            "cover_line", fontSize=14, leading=24, alignment=TA_CENTER, **base
        )
        # Headings keep with what follows, so none is left alone at the foot of a page.
        self.h1 = ParagraphStyle(
            "h1", fontSize=14, leading=20, spaceBefore=4, spaceAfter=6, keepWithNext=1, **head
        )
        self.h2 = ParagraphStyle(
            "h2", fontSize=11, leading=16, spaceBefore=6, spaceAfter=4, keepWithNext=1, **head
        )
        self.toc_title = ParagraphStyle(
            "toc_title", fontSize=13, leading=20, alignment=TA_CENTER, spaceAfter=4, **head
        )
        self.warn = ParagraphStyle(
            "warn", fontSize=9, leading=12, textColor=colors.HexColor("#9B2C2C"), **base
        )


def escape(text) -> str:
    """User text in a Paragraph: markup characters are text, line breaks stay line breaks."""
    text = "" if text is None else str(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\n", "<br/>")


def para(text, style) -> Paragraph:
    return Paragraph(escape(text), style)


class NumberedCanvas(pdfcanvas.Canvas):
    """Two passes over the pages: the footer knows the total (第 x 页 共 y 页)."""

    header_text = ""
    font = "Helvetica"

    def __init__(self, *args, **kwargs):
        # The embedded font from the first operator on, so that no unembedded Helvetica is referenced.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or self.font
        super().__init__(*args, **kwargs)
        self._saved_pages = []

        # Table of contents in one pass: sections note their page as they are drawn (Anchor),
        # the contents lines note where their page number goes (TocLine); save() writes the
        # numbers once every page is laid out, with the page furniture.
        self._anchors: dict[str, int] = {}
        self._toc_slots: list[tuple[int, float, float, str]] = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        anchors, slots = self._anchors, list(self._toc_slots)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_furniture(total)
            for page, x, y, key in slots:
                if page == self._pageNumber and key in anchors:
                    self.saveState()
                    self.setFont(self.font, TocLine.size)
                    self.drawRightString(x, y, str(anchors[key]))
                    self.restoreState()
            super().showPage()
        super().save()

    def _draw_furniture(self, total: int) -> None:
        width, height = PAGE
        self.saveState()
        self.setFont(self.font, 8)
        self.setFillColor(colors.HexColor("#555555"))
        if self.header_text and self._pageNumber > 1:
            self.drawString(MARGIN, height - MARGIN + 6 * mm, self.header_text)
            self.setStrokeColor(colors.HexColor("#999999"))
            self.line(
                MARGIN, height - MARGIN + 4.5 * mm, width - MARGIN, height - MARGIN + 4.5 * mm
            )
        footer = _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total}
        self.drawCentredString(width / 2, MARGIN - 9 * mm, footer)
        self.restoreState()


class Anchor(Flowable):
    """Where a section starts: its page for the contents, and a PDF bookmark."""

    def __init__(self, key: str, title: str, level: int = 0):
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        canv = self.canv
        canv._anchors.setdefault(self.key, canv.getPageNumber())
        canv.bookmarkPage(self.key)
        canv.addOutlineEntry(self.title, self.key, level=self.level)


class TocLine(Flowable):
    """One line of the contents: the title, a dotted leader and the page number on the right
    (written by NumberedCanvas.save once the page is known)."""

    size = 11

    def __init__(self, key: str, title: str, font: str, indent: float = 0):
        super().__init__()
        self.key, self.title, self.font, self.indent = key, title, font, indent

    def wrap(self, avail_width, avail_height):
        self.width, self.height = avail_width, self.size + 9
        return self.width, self.height

    def draw(self):
        c = self.canv
        size = self.size if not self.indent else self.size - 1
        c.setFont(self.font, size)
        c.drawString(self.indent, 4, self.title)
        start = self.indent + stringWidth(self.title, self.font, size) + 4
        end = self.width - 8 * mm
        if end > start:
            c.setDash(1, 2)
            c.setLineWidth(0.5)
            c.line(start, 4, end, 4)
            c.setDash()
        x, y = c.absolutePosition(self.width, 4)
        c._toc_slots.append((c.getPageNumber(), x, y, self.key))


def numbered_canvas(font: str, header: str):
    return type("LedgerCanvas", (NumberedCanvas,), {"font": font, "header_text": header})


def document(buffer, *, title: str, author: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        creator="healthedu",
    )


def content_width() -> float:
    return PAGE[0] - 2 * MARGIN


def font_name() -> str:
    return register_fonts()


class ArchiveBoxes(Flowable):
    """The 存档材料 line of the paper form: a box per kind, ticked (✓ drawn) when archived."""

    box = 3.4 * mm
    gap = 5 * mm

    def __init__(self, items, font: str, size: float = 9):
        super().__init__()
        self.items = list(items)  # [(label, ticked)]
        self.font = font
        self.size = size
        self._lines = []

    def wrap(self, avail_width, avail_height):
        self._lines, line, x = [], [], 0.0
        for label, ticked in self.items:
            width = self.box + 1.5 * mm + stringWidth(label, self.font, self.size)
            if line and x + width > avail_width:
                self._lines.append(line)
                line, x = [], 0.0
            line.append((x, label, ticked))
            x += width + self.gap
        if line:
            self._lines.append(line)
        self.width = avail_width
        self.height = len(self._lines) * (self.size + 5)
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.setFont(self.font, self.size)
        for row, line in enumerate(self._lines):
            y = self.height - (row + 1) * (self.size + 5) + 3
            for x, label, ticked in line:
                c.setLineWidth(0.7)
                c.rect(x, y - 0.5, self.box, self.box)
                if ticked:
                    c.setLineWidth(1.2)
                    path = c.beginPath()
                    path.moveTo(x + 0.6 * mm, y + 1.6 * mm)
                    path.lineTo(x + 1.4 * mm, y + 0.4 * mm)
                    path.lineTo(x + 3.0 * mm, y + 3.0 * mm)
                    c.drawPath(path, stroke=1, fill=0)
                c.drawString(x + self.box + 1.5 * mm, y, label)


def grid_table(rows, col_widths, *, header_rows: int = 1, font: str, size: float = 9, long=False):
    """A bordered table with a shaded header repeated on every page it spans."""
    cls = LongTable if long else Table
    table = cls(rows, colWidths=col_widths, repeatRows=header_rows)
    commands = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BG))
    table.setStyle(TableStyle(commands))
    return table


class Chart(Flowable):
    """A reportlab.graphics drawing whose renderer starts in our font, not in Helvetica, so that
    the PDF references no font it does not embed."""

    def __init__(self, drawing: Drawing, font: str):
        super().__init__()
        self.drawing, self.font = drawing, font

    def wrap(self, avail_width, avail_height):
        return self.drawing.width, self.drawing.height

    def draw(self):
        previous = rl_config.defaultGraphicsFontName
        rl_config.defaultGraphicsFontName = self.font
        try:
            renderPDF.draw(self.drawing, self.canv, 0, 0)
        finally:
            rl_config.defaultGraphicsFontName = previous


def rates_chart(groups, *, font: str, width: float, height: float = 62 * mm) -> Chart:
    """Bars of the two rates per group; a group with no data shows no bar (never a 0 % bar)."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = width - 20 * mm, height - 24 * mm
    chart.data = [
        [g.knowledge.rate * 100 if g.knowledge.rate is not None else None for g in groups],
        [g.behavior.rate * 100 if g.behavior.rate is not None else None for g in groups],
    ]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.categoryAxis.categoryNames = [str(g.label) for g in groups]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    if len(groups) > 6:  # a street's many communities: slanted names do not overlap
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.fontSize = 7
        chart.y += 6 * mm
        chart.height -= 6 * mm
    chart.barSpacing, chart.groupSpacing = 1, 8
    for index, colour in enumerate(SERIES):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, height - 2 * mm
    legend.fontName, legend.fontSize = font, 8
    legend.columnMaximum = 1
    legend.deltax = 45 * mm
    legend.dxTextSpace = 3
    legend.colorNamePairs = [
        (SERIES[0], _("Knowledge-awareness rate")),
        (SERIES[1], _("Behaviour-formation rate")),
    ]
    drawing.add(legend)
    if not any(v is not None for series in chart.data for v in series):
        drawing.add(
            String(
                width / 2, height / 2, _("no data"), fontName=font, fontSize=10, textAnchor="middle"
            )
        )
    return Chart(drawing, font)
