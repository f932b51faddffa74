"""The ledger and the leaders' summary as Excel workbooks: a sheet per section, Chinese headers,
widths set. Every cell goes through healthedu.tabular.safe_cell (the one escaping rule of every
workbook the product writes), so that a title typed as "=cmd()" stays text (CSV/formula
injection): Excel never evaluates what a user wrote.
"""

import io
import math
import unicodedata
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from healthedu.tabular import safe_cell, write_cell
from reports import formatting, labels
from reports.data import Ledger

HEADER_FILL = PatternFill("solid", fgColor="DDE4EC")
THIN = Side(style="thin", color="888888")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


safe_text = safe_cell  # the name the report code and its tests know


class Percent(float):
    """A rate for a cell: stored as the number (0.85) and shown as 85.0%, so that it sums and
    sorts in Excel. A rate without data is written as 'no data', never 0 %."""


def rate_cell(value: float | None):
    return labels.percent(None) if value is None else Percent(value)


def _put(ws, row: int, column: int, value):
    cell = write_cell(ws, row, column, value)
    if isinstance(value, Percent):
        cell.number_format = "0.0%"
    cell.border = BORDER
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    return cell


# Column widths (characters) above which a sheet is printed landscape: about what fits across a
# portrait A4 page at Excel's default size before fit-to-width has to shrink the type much.
PORTRAIT_MAX_WIDTH = 110


def _print_setup(ws, widths: list[int]) -> None:
    """Printable as the PDF is: A4, portrait or landscape by the sheet's width, fitted to one
    page wide (as many tall as it takes), the header row repeated on every page, 第 x 页 共 y 页."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = (
        ws.ORIENTATION_LANDSCAPE if sum(widths) > PORTRAIT_MAX_WIDTH else ws.ORIENTATION_PORTRAIT
    )
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = _("Page %(page)s of %(pages)s") % {"page": "&P", "pages": "&N"}
    ws.oddHeader.left.text = ws.title


# Points per line of wrapped text at the default 11-point type: Excel sets about 15, and
# LibreOffice, falling back to a CJK font with a taller line, about 16.5 (measured on its print
# preview); the taller one, so that no printed cell loses its last line.
LINE_HEIGHT = 17


def text_width(text: str) -> int:
    """Width of a line in Excel's column units (a digit's width): a Chinese character or a
    full-width mark takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _lines(value, width: float) -> int:
    """Lines a value takes when wrapped in a column of `width` units."""
    if value is None or value == "":
        return 1
    text = labels.percent(value) if isinstance(value, Percent) else str(value)
    room = max(1.0, width - 1)  # the cell's margins
    return sum(max(1, math.ceil(text_width(line) / room)) for line in text.split("\n"))


def _fit_rows(ws, widths: list[int]) -> None:
    """Row heights that show every wrapped cell whole. Excel and LibreOffice print a row at the
    height stored in the file, and openpyxl stores none: without this a long summary or a
    reason is cut to its first line on paper."""
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if cell.coordinate in ws.merged_cells:
                width = sum(widths)
            else:
                width = widths[cell.column - 1] if cell.column <= len(widths) else 10
            lines = max(lines, _lines(cell.value, width))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = lines * LINE_HEIGHT


def _note(ws, row: int, text: str, columns: int):
    """A sentence under a table: one cell across the table's width, wrapped."""
    cell = write_cell(ws, row, 1, text)
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    return cell


def _sheet(wb: Workbook, title: str, headers: list[str], rows, widths: list[int]):
    ws = wb.create_sheet(title=title[:31])
    for column, header in enumerate(headers, start=1):
        cell = _put(ws, 1, column, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for r, row in enumerate(rows, start=2):
        if len(row) == 1 and len(headers) > 1:
            _note(ws, r, row[0], len(headers))  # a note among the rows (the tests' notes)
            continue
        for column, value in enumerate(row, start=1):
            _put(ws, r, column, value)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws, widths)
    _fit_rows(ws, widths)
    return ws


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def render_ledger_xlsx(ledger: Ledger, progress: Callable[[float], None] | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    cover = ledger.cover
    # The same lines as the PDF's cover; the pre-print checks are on the ledger page, not here.
    cover_rows = [
        [pgettext("ledger", "Community"), cover.community_name],
        [pgettext("ledger", "Street"), f"{cover.district} {cover.street}".strip()],
        [pgettext("ledger", "Month"), formatting.month_text(cover.month)],
        [pgettext("ledger", "Unit (seal)"), ""],
        [pgettext("ledger", "Compiled by"), cover.made_by],
        [pgettext("ledger", "Reviewed by"), ""],
        [pgettext("ledger", "Compiled on"), labels.when(cover.made_at.date())],
        [pgettext("ledger", "Finalised"), labels.yes_no(ledger.finalised)],
    ]
    cover_rows += [
        [
            pgettext("ledger", "Unlock"),
            _("Unlocked on %(when)s by %(who)s. Reason: %(reason)s")
            % {"when": labels.when(n.unlocked_at), "who": n.unlocked_by, "reason": n.reason},
        ]
        for n in ledger.unlocks
    ]
    _sheet(wb, pgettext("ledger", "Cover"), [labels.ledger_title(), ""], cover_rows, [22, 80])
    _sheet(
        wb,
        pgettext("ledger", "Figures"),
        [*labels.figure_headers(), pgettext("ledger", "What is missing")],
        [
            [
                f.label,
                f.unit,
                f.month_count,
                f.year_count,
                f.minimum,
                f.expected_by_now,
                labels.yes_no(f.met),
                "\n".join(f.reasons),
            ]
            for f in ledger.figures
        ],
        [24, 8, 10, 12, 12, 14, 8, 60],
    )
    if progress:
        progress(0.2)
    fields = labels.FORM_FIELDS
    activity_headers = [
        str(fields[k])
        for k in (
            "time",
            "venue",
            "form",
            "topic",
            "organiser",
            "audience",
            "participants",
            "materials",
            "content",
            "summary",
            "archive",
            "recorder",
            "responsible",
            "filled_on",
        )
    ]
    activity_rows = [
        [
            a.time_text,
            a.venue,
            a.form,
            a.title + ("（" + a.topics_text + "）" if a.topics else ""),
            a.organiser,
            a.audience,
            a.participant_count,
            labels.materials_text(a.materials),
            a.content,
            a.summary,
            "、".join(("☑" if b.ticked else "☐") + b.label for b in a.archive),
            a.recorder,
            a.responsible,
            labels.when(a.filled_on),
        ]
        for a in ledger.activities
    ]
    _sheet(
        wb,
        pgettext("ledger", "Activities"),
        activity_headers,
        activity_rows,
        # Narrow enough to print at a readable size across a landscape page; the long
        # texts wrap (row heights by _fit_rows).
        [12, 10, 10, 18, 10, 12, 7, 16, 30, 26, 16, 7, 7, 10],
    )
    if progress:
        progress(0.4)
    roster_rows = []
    for a in ledger.activities:
        for number, r in enumerate(a.roster, start=1):
            roster_rows.append(
                [
                    a.title,
                    number,
                    r.name,
                    labels.sex_label(r.sex),
                    r.age,
                    r.groups,
                    r.phone,
                    labels.when(r.checked_in_at),
                ]
            )
    _sheet(
        wb,
        pgettext("ledger", "Sign-in rosters"),
        [pgettext("ledger", "Activity"), *labels.roster_headers()],
        roster_rows,
        [30, 6, 12, 6, 6, 26, 16, 18],
    )
    if progress:
        progress(0.7)
    bp = ledger.blood_pressure
    _sheet(
        wb,
        pgettext("ledger", "Blood pressure"),
        labels.bp_headers(),
        [
            [
                labels.when(r.measured_at),
                r.name,
                labels.sex_label(r.sex),
                r.age,
                labels.bp_values(r),
                r.systolic,
                r.diastolic,
                r.pulse,
                r.category_label,
                labels.yes_no(r.isolated_systolic),
                f"！{r.referral_label}" if r.referral == "urgent" else r.referral_label,
            ]
            for r in bp.readings
        ],
        [18, 12, 6, 6, 24, 8, 8, 8, 14, 10, 12],
    )
    # Urgent referrals (grade 3): the row filled red, the referral in bold.
    sheet = wb.worksheets[-1]
    for row, r in enumerate(bp.readings, start=2):
        if r.referral == "urgent":
            for cell in sheet[row]:
                cell.fill = PatternFill("solid", fgColor="FFE3E3")
            sheet.cell(row=row, column=11).font = Font(bold=True, color="A61B1B")
    counts = [[label, n] for _code, label, n in bp.by_category]
    counts += [
        [pgettext("ledger", "Referrals"), bp.referrals],
        [pgettext("ledger", "Urgent referrals"), bp.urgent_referrals],
        [pgettext("ledger", "Total"), bp.total],
        [pgettext("ledger", "Of which a single reading"), bp.single_total],
        [pgettext("ledger", "Readings taken"), bp.reading_total],
    ]
    _sheet(
        wb,
        pgettext("ledger", "Blood-pressure categories"),
        [pgettext("ledger", "Category"), pgettext("ledger", "Visits")],
        counts,
        [20, 10],
    )
    rates = ledger.rates
    _sheet(
        wb,
        pgettext("ledger", "Two rates"),
        [
            pgettext("ledger", "Group"),
            pgettext("ledger", "Knowledge aware"),
            pgettext("ledger", "Knowledge answered"),
            pgettext("ledger", "Knowledge-awareness rate"),
            pgettext("ledger", "95% CI"),
            pgettext("ledger", "Behaviour formed"),
            pgettext("ledger", "Behaviour answered"),
            pgettext("ledger", "Behaviour-formation rate"),
            pgettext("ledger", "95% CI"),
            pgettext("ledger", "Note"),
        ],
        [
            [
                g.label,
                g.knowledge.numerator,
                g.knowledge.denominator,
                rate_cell(g.knowledge.rate),
                labels.interval(g.knowledge.ci_low, g.knowledge.ci_high),
                g.behavior.numerator,
                g.behavior.denominator,
                rate_cell(g.behavior.rate),
                labels.interval(g.behavior.ci_low, g.behavior.ci_high),
                _small_sample(g),
            ]
            for g in [*rates.by_group, rates.overall]
        ],
        [14, 10, 10, 12, 16, 10, 10, 12, 16, 18],
    )
    sheet = wb[pgettext("ledger", "Two rates")[:31]]
    row = sheet.max_row + 2
    _note(sheet, row, labels.rounds_covered(rates.rounds), sheet.max_column)
    widths = [sheet.column_dimensions[get_column_letter(c)].width for c in range(1, 11)]
    sheet.row_dimensions[row].height = _lines(sheet.cell(row, 1).value, sum(widths)) * LINE_HEIGHT
    content = _save(wb)
    if progress:
        progress(1.0)
    return content


def _small_sample(group) -> str:
    """样本量小，仅供参考 beside a group whose rate rests on few answers (the PDF's ※)."""
    return _caveat(group.knowledge.denominator, group.behavior.denominator)


def _caveat(*denominators) -> str:
    """The 说明 cell of a row: the caveat when any of its rates rests on few answers."""
    small = any(formatting.is_small_sample(n) for n in denominators)
    return formatting.small_sample_caveat() if small else ""


def _rate_cells(block: dict) -> list:
    return [
        block["numerator"],
        block["denominator"],
        rate_cell(block["rate"]),
        labels.interval(block["ci_low"], block["ci_high"]),
        rate_cell(block.get("target")) if block.get("target") is not None else "",
        # Percentage points as a number: computed figures are never text that looks like a formula.
        "" if block.get("gap") is None else round(block["gap"] * 100, 1),
    ]


def _fair_sheet(wb: Workbook, summary: dict) -> None:
    """Funnel limits and standardised rates per community and rate (reports.funnel)."""
    from reports.funnel import compared_with_text, signal_text

    rows = []
    for c in summary["communities"]:
        for kind, label in (
            ("knowledge", pgettext("ledger", "Knowledge-awareness rate")),
            ("behavior", pgettext("ledger", "Behaviour-formation rate")),
        ):
            block = c[kind]
            funnel = block.get("funnel")
            std = block.get("standardised") or {}
            limits = funnel["limits"] if funnel else {"95": [None, None], "99.8": [None, None]}
            rows.append(
                [
                    c["name"],
                    label,
                    block["denominator"],
                    rate_cell(block["rate"]),
                    rate_cell(funnel["expected"]) if funnel else "",
                    *(rate_cell(v) if v is not None else "" for v in limits["95"]),
                    *(rate_cell(v) if v is not None else "" for v in limits["99.8"]),
                    signal_text(funnel),
                    rate_cell(std.get("rate")) if std.get("rate") is not None else "",
                    labels.interval(std.get("ci_low"), std.get("ci_high")),
                    rate_cell(std.get("coverage")) if std.get("rate") is not None else "",
                    _caveat(block["denominator"]),
                ]
            )
    headers = [
        pgettext("ledger", "Community"),
        pgettext("ledger", "Rate"),
        pgettext("ledger", "answered"),
        pgettext("ledger", "crude rate"),
        pgettext("ledger", "expected"),
        pgettext("ledger", "95% limit, low"),
        pgettext("ledger", "95% limit, high"),
        pgettext("ledger", "99.8% limit, low"),
        pgettext("ledger", "99.8% limit, high"),
        pgettext("ledger", "signal"),
        pgettext("ledger", "standardised rate"),
        pgettext("ledger", "95% CI"),
        pgettext("ledger", "standard population covered"),
        pgettext("ledger", "Note"),
    ]
    # What the expected rates are the rate of, as the PDF and the page say (a community alone:
    # its street), in a note under the table.
    compared = [
        compared_with_text(summary["compared_with"], kind) for kind in ("knowledge", "behavior")
    ]
    if any(compared):
        rows += [[], *([text] for text in compared if text)]
    _sheet(wb, pgettext("ledger", "Fair comparison"), headers, rows, [16, 8] + [11] * 11 + [18])


def render_summary_xlsx(summary: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    rate_headers = [
        pgettext("ledger", "aware/formed"),
        pgettext("ledger", "answered"),
        pgettext("ledger", "rate"),
        pgettext("ledger", "95% CI"),
        pgettext("ledger", "target"),
        pgettext("ledger", "gap (percentage points)"),
    ]
    rows = [
        [
            c["name"],
            *_rate_cells(c["knowledge"]),
            *_rate_cells(c["behavior"]),
            labels.rounds_text(c.get("rounds")),
            _caveat(c["knowledge"]["denominator"], c["behavior"]["denominator"]),
        ]
        for c in summary["communities"]
    ]
    headers = [pgettext("ledger", "Community")]
    headers += [f"{_('Knowledge')} {h}" for h in rate_headers]
    headers += [f"{_('Behaviour')} {h}" for h in rate_headers]
    headers += [pgettext("ledger", "Rounds covered (each person once)"), pgettext("ledger", "Note")]
    _sheet(wb, pgettext("ledger", "Two rates"), headers, rows, [16] + [11] * 12 + [18, 18])
    _fair_sheet(wb, summary)
    trend = []
    for c in summary["communities"]:
        for t in c["trend"]:
            trend.append(
                [
                    c["name"],
                    t["month"],
                    rate_cell(t["knowledge"]["rate"]),
                    t["knowledge"]["denominator"],
                    rate_cell(t["behavior"]["rate"]),
                    t["behavior"]["denominator"],
                    _caveat(t["knowledge"]["denominator"], t["behavior"]["denominator"]),
                ]
            )
    _sheet(
        wb,
        pgettext("ledger", "Trend by month"),
        [
            pgettext("ledger", "Community"),
            pgettext("ledger", "Month"),
            pgettext("ledger", "Knowledge-awareness rate"),
            pgettext("ledger", "answered"),
            pgettext("ledger", "Behaviour-formation rate"),
            pgettext("ledger", "answered"),
            pgettext("ledger", "Note"),
        ],
        trend,
        [16, 10, 14, 10, 14, 10, 18],
    )
    comparison = []
    for c in summary["communities"]:
        for kind, label in (
            ("knowledge", pgettext("ledger", "Knowledge")),
            ("behavior", pgettext("ledger", "Behaviour")),
        ):
            block = c["comparison"][kind]
            paired = block.get("paired")
            for sample, part in (
                (pgettext("ledger", "everyone"), block),
                (labels.sample_text(block), paired),
            ):
                if part is None:
                    comparison.append([c["name"], label, sample, "", "", "", "", ""])
                    continue
                comparison.append(
                    [
                        c["name"],
                        label,
                        sample,
                        rate_cell(part["before"]["rate"]),
                        rate_cell(part["after"]["rate"]),
                        "" if part["change"] is None else round(part["change"] * 100, 1),
                        labels.test_name(part["test"]) if part["test"] else "",
                        # "< 0.001", never a 0 that rounding would make of a tiny p.
                        formatting.p_number(part["p_value"]),
                    ]
                )
    comparison.append([])
    comparison.extend([[note] for note in labels.test_notes()])
    _sheet(
        wb,
        pgettext("ledger", "Before and after"),
        [
            pgettext("ledger", "Community"),
            pgettext("ledger", "Rate"),
            pgettext("ledger", "Respondents"),
            pgettext("ledger", "Baseline"),
            pgettext("ledger", "Follow-up"),
            pgettext("ledger", "Change (percentage points)"),
            pgettext("ledger", "Test"),
            pgettext("ledger", "p value"),
        ],
        comparison,
        [16, 10, 22, 10, 10, 10, 14, 10],
    )
    compliance = []
    for c in summary["communities"]:
        for k in c["compliance"]:
            if k["minimum"] is None:
                continue
            compliance.append(
                [
                    c["name"],
                    k["label"],
                    k["count"],
                    k["minimum"],
                    k["expected_by_now"],
                    labels.yes_no(k["met"]),
                    "\n".join(k.get("reasons", [])),
                ]
            )
    _sheet(
        wb,
        pgettext("ledger", "Compliance"),
        [
            pgettext("ledger", "Community"),
            pgettext("ledger", "Item"),
            pgettext("ledger", "Count"),
            pgettext("ledger", "Yearly minimum"),
            pgettext("ledger", "Due by now"),
            pgettext("ledger", "Met"),
            pgettext("ledger", "What is missing"),
        ],
        compliance,
        [16, 24, 8, 12, 12, 8, 60],
    )
    return _save(wb)
