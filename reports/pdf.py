"""The monthly ledger as an A4 PDF in Chinese: a thin layer over reports.data.Ledger.

Cover (with the consistency checks and unlock notes as a preface), the month's figures against
the yearly minimums, one 健康教育活动记录表 per activity laid out like the paper form followed by
its sign-in roster, the blood-pressure table, the two rates by group with a chart, signature
lines. Every page says 第 x 页 共 y 页. The font is embedded as a subset (reports.fonts).
"""

import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

from reports import formatting, labels
from reports.data import ActivityRecord, Ledger
from reports.fonts import HEI
from reports.pdfkit import (
    GRID,
    LABEL_BG,
    Anchor,
    ArchiveBoxes,
    Styles,
    TocLine,
    content_width,
    document,
    font_name,
    grid_table,
    numbered_canvas,
    para,
    rates_chart,
)


# The sections of the ledger, in order, as the contents and the PDF's bookmarks name them.
def _sections() -> list[tuple[str, str]]:
    return [
        ("figures", _("1. The month's figures against the yearly minimums")),
        ("activities", pgettext("ledger", "2. Activity records and sign-in rosters")),
        ("bp", pgettext("ledger", "3. Blood-pressure readings")),
        ("rates", pgettext("ledger", "4. The two rates of the month by group")),
    ]


def render_ledger_pdf(ledger: Ledger, progress: Callable[[float], None] | None = None) -> bytes:
    """The ledger's PDF bytes. `progress(fraction)` is called per section and per activity.

    Nothing on a printed page is for the screen: the pre-print checks are on the ledger page
    (healthedu.web.views.ledger), with what to do about each; no internal code is printed.
    """
    font = font_name()
    styles = Styles(font)
    cover = ledger.cover
    sections = dict(_sections())
    story = []
    story += _cover(ledger, styles, font)
    story += [Anchor("figures", sections["figures"])]
    story += _figures(ledger, styles, font)
    steps = max(1, len(ledger.activities))
    story += [
        PageBreak(),
        Anchor("activities", sections["activities"]),
        para(sections["activities"], styles.h1),
    ]
    if not ledger.activities:
        story.append(para(pgettext("ledger", "No activities this month."), styles.body))
    for index, activity in enumerate(ledger.activities):
        if index:
            story.append(PageBreak())
        story.append(Anchor(f"activity-{index}", _activity_heading(activity), level=1))
        story += activity_form(activity, styles, font)
        story += _roster(activity, styles, font)
        if progress:
            progress(0.8 * (index + 1) / steps)
    story.append(PageBreak())
    story.append(Anchor("bp", sections["bp"]))
    story += _blood_pressure(ledger, styles, font)
    story += _rates_and_signatures(ledger, styles, font, sections["rates"])

    buffer = io.BytesIO()
    title = f"{cover.community_name} {formatting.month_text(cover.month)} {labels.ledger_title()}"
    doc = document(buffer, title=title, author=cover.made_by)
    doc.build(story, canvasmaker=numbered_canvas(font, title))
    if progress:
        progress(1.0)
    return buffer.getvalue()


def _activity_heading(activity: ActivityRecord) -> str:
    return f"{activity.starts_at:%m-%d}  {activity.title}"


def _cover(ledger: Ledger, styles: Styles, font: str) -> list:
    """The archive cover: community, month, 单位（盖章）, 编制人 and 审核人, then the contents."""
    cover = ledger.cover
    lines = [
        (pgettext("ledger", "Community"), cover.community_name),
        (pgettext("ledger", "Street"), f"{cover.district} {cover.street}".strip()),
        (pgettext("ledger", "Month"), formatting.month_text(cover.month)),
        (pgettext("ledger", "Unit (seal)"), ""),
        (pgettext("ledger", "Compiled by"), cover.made_by),
        (pgettext("ledger", "Reviewed by"), ""),
        (pgettext("ledger", "Compiled on"), labels.when(cover.made_at.date())),
    ]
    story = [Spacer(1, 22 * mm), para(cover.community_name, styles.cover_line)]
    story += [para(labels.ledger_title(), styles.cover_title), Spacer(1, 12 * mm)]
    rows = [[para(label, styles.body), para(value, styles.body)] for label, value in lines]
    heights = [None, None, None, 16 * mm, None, 10 * mm, None]  # room for the seal, a signature
    table = Table(rows, colWidths=[32 * mm, 90 * mm], rowHeights=heights, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), styles.body.fontName, 10),
                ("LINEBELOW", (1, 0), (1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    if ledger.finalised:
        story.append(para(pgettext("ledger", "This month has been finalised."), styles.centred))
    story += [Spacer(1, 8 * mm), para(pgettext("ledger", "Contents"), styles.toc_title)]
    sections = _sections()
    for key, title in sections:
        story.append(TocLine(key, title, HEI))
        if key == "activities":
            for index, activity in enumerate(ledger.activities):
                story.append(
                    TocLine(f"activity-{index}", _activity_heading(activity), font, indent=8 * mm)
                )
    story.append(PageBreak())
    return story


def _unlock_notes(ledger: Ledger, styles: Styles) -> list:
    """The month's unlocks, as the archive keeps them (who, when, why)."""
    if not ledger.unlocks:
        return []
    story = [para(pgettext("ledger", "Unlocks of this month"), styles.h2)]
    for note in ledger.unlocks:
        text = _("Unlocked on %(when)s by %(who)s. Reason: %(reason)s") % {
            "when": labels.when(note.unlocked_at),
            "who": note.unlocked_by,
            "reason": note.reason,
        }
        story.append(para(f"• {text}", styles.body))
    return story


def _figures(ledger: Ledger, styles: Styles, font: str) -> list:
    story = [para(_("1. The month's figures against the yearly minimums"), styles.h1)]
    rows = [[para(h, styles.small) for h in labels.figure_headers()]]
    for f in ledger.figures:
        rows.append(
            [
                para(f.label, styles.cell),
                f.unit,
                f.month_count,
                f.year_count,
                "—" if f.minimum is None else f.minimum,
                "—" if f.expected_by_now is None else f.expected_by_now,
                labels.yes_no(f.met),
            ]
        )
    widths = [w * mm for w in (46, 12, 16, 30, 24, 28, 18)]
    story.append(grid_table(rows, widths, font=font))
    story.append(Spacer(1, 2 * mm))
    # What keeps a minimum from being met (reports.progress: the same sentences as the pages).
    for f in ledger.figures:
        for reason in f.reasons:
            story.append(para(f"• {reason}", styles.small))
    story.append(Spacer(1, 2 * mm))
    story.append(
        para(
            _(
                "Minimums of the National Basic Public Health Service Specification (3rd ed.), health education. "
                "Material and audio-visual figures count distinct kinds."
            ),
            styles.small,
        )
    )
    story.append(Spacer(1, 6 * mm))
    summary = [
        [pgettext("ledger", "Activities this month"), len(ledger.activities)],
        [
            pgettext("ledger", "People educated"),
            sum(a.participant_count for a in ledger.activities),
        ],
        [pgettext("ledger", "Blood-pressure visits"), ledger.blood_pressure.total],
        [pgettext("ledger", "Survey responses"), ledger.rates.responses],
    ]
    story.append(grid_table(summary, [60 * mm, 30 * mm], header_rows=0, font=font))
    story.append(Spacer(1, 4 * mm))
    story += _unlock_notes(ledger, styles)
    return story


def activity_form(activity: ActivityRecord, styles: Styles, font: str) -> list:
    """One 健康教育活动记录表, bordered label and value cells like the paper form.

    Stacked tables of two or four columns with the same label width, so that the form reads as
    one grid, and so that a long content or summary can continue on the next page at full width
    (a row may split; a spanned cell could not).
    """
    f = labels.FORM_FIELDS

    def lab(key):
        return para(str(f[key]), styles.cell)

    def val(text):
        return para(text, styles.cell)

    def signed(name):
        return val(_("%(name)s    (signature) ________") % {"name": name})

    topic = activity.title + ("（" + activity.topics_text + "）" if activity.topics else "")
    archive = ArchiveBoxes([(b.label, b.ticked) for b in activity.archive], font)
    content_height = 60 * mm if len(activity.content) < 400 else None
    summary_height = 40 * mm if len(activity.summary) < 300 else None
    return [
        para(labels.form_title(), styles.title),
        _pairs([[lab("time"), val(activity.time_text), lab("venue"), val(activity.venue)]], font),
        _lines(
            [
                [lab("form"), val(activity.form)],
                [lab("topic"), val(topic)],
                [lab("organiser"), val(activity.organiser)],
            ],
            font,
        ),
        _pairs(
            [
                [
                    lab("audience"),
                    val(activity.audience),
                    lab("participants"),
                    val(labels.participants_text(activity)),
                ]
            ],
            font,
        ),
        _lines(
            [
                [lab("materials"), val(labels.materials_text(activity.materials))],
                [lab("content"), val(activity.content)],
            ],
            font,
            heights=[None, content_height],
            top_rows=(1,),
        ),
        # The summary, the archive boxes and the signatures stay on one page: the signature
        # lines never stand alone at the top of a page.
        KeepTogether(
            [
                _lines(
                    [[lab("summary"), val(activity.summary)], [lab("archive"), archive]],
                    font,
                    heights=[summary_height, None],
                    top_rows=(0,),
                ),
                _pairs(
                    [
                        [
                            lab("recorder"),
                            signed(activity.recorder),
                            lab("responsible"),
                            signed(activity.responsible),
                        ]
                    ],
                    font,
                ),
                _lines([[lab("filled_on"), val(labels.when(activity.filled_on))]], font),
            ]
        ),
    ]


LABEL_WIDTH = 32 * mm


def _form_table(rows, widths, font, label_columns, heights=None, top_rows=()) -> Table:
    commands = [
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]
    commands += [("BACKGROUND", (c, 0), (c, -1), LABEL_BG) for c in label_columns]
    commands += [("VALIGN", (1, r), (1, r), "TOP") for r in top_rows]
    # splitInRow: a very long content or summary continues on the next page.
    table = Table(rows, colWidths=widths, rowHeights=heights, splitInRow=1)
    table.setStyle(TableStyle(commands))
    return table


def _lines(rows, font, heights=None, top_rows=()) -> Table:
    """Form rows of one label and one value across the whole width."""
    widths = [LABEL_WIDTH, content_width() - LABEL_WIDTH]
    return _form_table(rows, widths, font, (0,), heights, top_rows)


def _pairs(rows, font) -> Table:
    """Form rows of two label-value pairs side by side."""
    value = content_width() / 2 - LABEL_WIDTH
    return _form_table(rows, [LABEL_WIDTH, value, LABEL_WIDTH, value], font, (0, 2))


def _roster(activity: ActivityRecord, styles: Styles, font: str) -> list:
    title = _("Sign-in roster: %(title)s (%(count)s signed in, %(walk_ins)s walk-ins)") % {
        "title": activity.title,
        "count": len(activity.roster),
        "walk_ins": activity.walk_ins,
    }
    story = [CondPageBreak(40 * mm), Spacer(1, 5 * mm), para(title, styles.h2)]
    if not activity.roster:
        story.append(para(pgettext("ledger", "No one signed in."), styles.body))
        return story
    rows = [labels.roster_headers()]
    for number, r in enumerate(activity.roster, start=1):
        rows.append(
            [
                number,
                r.name,
                labels.sex_label(r.sex),
                "" if r.age is None else r.age,
                r.groups,
                r.phone,
                labels.when(r.checked_in_at),
            ]
        )
    widths = [w * mm for w in (12, 30, 12, 12, 45, 28, 35)]
    story.append(grid_table(rows, widths, font=font, size=8.5, long=True))
    return story


def _blood_pressure(ledger: Ledger, styles: Styles, font: str) -> list:
    bp = ledger.blood_pressure
    story = [para(pgettext("ledger", "3. Blood-pressure readings"), styles.h1)]
    # Two pairs of columns (grades | referrals and totals), so that the section keeps its height.
    grades = [[label, n] for _code, label, n in bp.by_category]
    totals = [
        [pgettext("ledger", "Referrals"), bp.referrals],
        [pgettext("ledger", "Urgent referrals"), bp.urgent_referrals],
        [pgettext("ledger", "Total"), bp.total],
        [pgettext("ledger", "Of which a single reading"), bp.single_total],
        [pgettext("ledger", "Readings taken"), bp.reading_total],
    ]
    totals += [["", ""]] * (len(grades) - len(totals))
    counts = [
        [
            pgettext("ledger", "Category"),
            pgettext("ledger", "Visits"),
            pgettext("ledger", "Referrals and totals"),
            pgettext("ledger", "Visits"),
        ]
    ] + [[*g, *t] for g, t in zip(grades, totals, strict=False)]
    note = pgettext(
        "ledger",
        "One row per measurement visit: the mean of two readings (of three when the first two differ by more than 5 mmHg); grade and referral from the mean.",
    )
    story += [
        grid_table(counts, [45 * mm, 20 * mm, 45 * mm, 20 * mm], font=font),
        para(note, styles.small),
        Spacer(1, 3 * mm),
    ]
    if not bp.readings:
        story.append(para(pgettext("ledger", "No readings this month."), styles.body))
        return story
    rows = [labels.bp_headers()]
    for r in bp.readings:
        rows.append(
            [
                labels.when(r.measured_at),
                r.name,
                labels.sex_label(r.sex),
                "" if r.age is None else r.age,
                para(labels.bp_values(r), styles.small),
                r.systolic,
                r.diastolic,
                "" if r.pulse is None else r.pulse,
                r.category_label,
                "✓" if r.isolated_systolic else "",
                f"！{r.referral_label}" if r.referral == "urgent" else r.referral_label,
            ]
        )
    widths = [w * mm for w in (25, 15, 8, 8, 33, 12, 12, 10, 20, 14, 17)]
    header = [para(h, styles.small) for h in rows[0]]
    table = grid_table([header, *rows[1:]], widths, font=font, size=8, long=True)
    # Urgent referrals (grade 3) stand out: a shaded row, the mark "！" and red words, so that
    # a black-and-white print still shows them.
    urgent = [n for n, r in enumerate(bp.readings, start=1) if r.referral == "urgent"]
    table.setStyle(
        TableStyle(
            [("BACKGROUND", (0, n), (-1, n), colors.HexColor("#ffe3e3")) for n in urgent]
            + [("TEXTCOLOR", (-1, n), (-1, n), colors.HexColor("#a61b1b")) for n in urgent]
        )
    )
    story.append(table)
    return story


def _rates_and_signatures(ledger: Ledger, styles: Styles, font: str, heading: str) -> list:
    """The two rates, the chart, then the signature lines, kept together on one page (it fits
    on one): the section starts a page when the blood-pressure table leaves too little room,
    so that no page holds the chart or the signatures alone."""
    rates = ledger.rates
    story = [Spacer(1, 6 * mm), Anchor("rates", heading)]
    story.append(para(heading, styles.h1))
    story.append(para(labels.rounds_covered(rates.rounds), styles.small))
    rows = [[para(h, styles.small) for h in labels.rate_headers()]]
    groups = [*rates.by_group, rates.overall]
    for g in groups:
        rows.append(
            [
                g.label,
                formatting.fraction(g.knowledge.numerator, g.knowledge.denominator),
                labels.rate_cell(g.knowledge.rate, g.knowledge.denominator),
                labels.interval(g.knowledge.ci_low, g.knowledge.ci_high),
                formatting.fraction(g.behavior.numerator, g.behavior.denominator),
                labels.rate_cell(g.behavior.rate, g.behavior.denominator),
                labels.interval(g.behavior.ci_low, g.behavior.ci_high),
            ]
        )
    widths = [w * mm for w in (26, 22, 22, 28, 22, 22, 28)]
    story.append(grid_table(rows, widths, font=font, size=8.5))
    small = any(
        r.rate is not None and formatting.is_small_sample(r.denominator)
        for g in groups
        for r in (g.knowledge, g.behavior)
    )
    if small:
        story.append(para(formatting.small_sample_note(), styles.small))
    story.append(Spacer(1, 4 * mm))
    story.append(rates_chart(rates.by_group, font=font, width=content_width()))
    note = para(
        _(
            "A group counts every respondent who belongs to it; a person may be in several groups. "
            "A rate over no answers is shown as no data."
        ),
        styles.small,
    )
    story += [note, Spacer(1, 10 * mm), _signature_table(font)]
    return [KeepTogether(story)]


def _signature_table(font: str) -> Table:
    rows = [
        [
            pgettext("ledger", "Filled in by (signature):"),
            "",
            pgettext("ledger", "Person in charge (signature):"),
            "",
        ],
        [pgettext("ledger", "Date:"), "", pgettext("ledger", "Date:"), ""],
    ]
    table = Table(
        rows, colWidths=[38 * mm, 45 * mm, 38 * mm, 45 * mm], rowHeights=[12 * mm, 12 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 10),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, GRID),
                ("LINEBELOW", (3, 0), (3, -1), 0.6, GRID),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return table
