"""The leaders' summary as an A4 PDF: a thin layer over reports.summary.leaders_summary()."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from reports import formatting, labels
from reports.data import GroupRates, Rate
from reports.funnel import Z_LIMITS, compared_with_text, reading_note, signal_text
from reports.pdfkit import (
    SERIES,
    Chart,
    Styles,
    content_width,
    document,
    font_name,
    grid_table,
    numbered_canvas,
    para,
    rates_chart,
)


def _rate(block: dict) -> Rate:
    return Rate(
        block["numerator"], block["denominator"], block["rate"], block["ci_low"], block["ci_high"]
    )


def _gap(block: dict) -> str:
    return "—" if block.get("gap") is None else f"{block['gap'] * 100:+.1f}%"


def render_summary_pdf(summary: dict) -> bytes:
    font = font_name()
    styles = Styles(font)
    title = _("%(place)s: health-education summary %(year)s") % {
        "place": summary["title"],
        "year": summary["year"],
    }
    story = [para(title, styles.title)]
    story.append(
        para(
            _("As of %(day)s; made %(when)s.")
            % {"day": summary["as_of"], "when": labels.when(timezone.now())},
            styles.small,
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(para(_("1. The two rates by community, with targets"), styles.h1))
    story.append(para(labels.rounds_covered(summary.get("rounds") or ()), styles.small))
    rows = [
        [
            para(h, styles.small)
            for h in (
                pgettext("ledger", "Community"),
                pgettext("ledger", "Knowledge-awareness rate"),
                pgettext("ledger", "95% CI"),
                pgettext("ledger", "Target"),
                pgettext("ledger", "Gap"),
                pgettext("ledger", "Behaviour-formation rate"),
                pgettext("ledger", "95% CI"),
                pgettext("ledger", "Target"),
                pgettext("ledger", "Gap"),
            )
        ]
    ]
    for c in summary["communities"]:
        k, b = c["knowledge"], c["behavior"]
        rows.append(
            [
                para(c["name"], styles.cell),
                f"{labels.rate_cell(k['rate'], k['denominator'])} ({k['numerator']}/{k['denominator']})",
                labels.interval(k["ci_low"], k["ci_high"]),
                labels.percent(k.get("target")),
                _gap(k),
                f"{labels.rate_cell(b['rate'], b['denominator'])} ({b['numerator']}/{b['denominator']})",
                labels.interval(b["ci_low"], b["ci_high"]),
                labels.percent(b.get("target")),
                _gap(b),
            ]
        )
    widths = [w * mm for w in (24, 24, 22, 13, 13, 24, 22, 13, 13)]
    story.append(grid_table(rows, widths, font=font, size=7.5))
    story.extend(_small_sample_note(summary, styles))
    story.append(Spacer(1, 4 * mm))
    groups = [
        GroupRates(c["community"], c["name"], _rate(c["knowledge"]), _rate(c["behavior"]))
        for c in summary["communities"]
    ]
    story.append(rates_chart(groups, font=font, width=content_width()))
    story.extend(_fair_comparison(summary, styles, font))
    story.append(para(pgettext("ledger", "2. Trend by month"), styles.h1))
    story.append(_trend_chart(summary["trend"], font))
    story.append(para(pgettext("ledger", "3. Before and after the intervention"), styles.h1))
    rows = [
        [
            pgettext("ledger", "Community"),
            pgettext("ledger", "Rate"),
            pgettext("ledger", "Baseline"),
            pgettext("ledger", "Follow-up"),
            pgettext("ledger", "Change"),
            pgettext("ledger", "Test"),
            pgettext("ledger", "p value"),
        ]
    ]
    for c in summary["communities"]:
        for kind, label in (
            ("knowledge", pgettext("ledger", "Knowledge")),
            ("behavior", pgettext("ledger", "Behaviour")),
        ):
            block = c["comparison"][kind]
            rows.append(
                [
                    para(c["name"], styles.cell),
                    para(f"{label}\n{pgettext('ledger', 'everyone')}", styles.small),
                    labels.percent(block["before"]["rate"]),
                    labels.percent(block["after"]["rate"]),
                    formatting.points(block["change"]),
                    para(labels.test_name(block["test"]), styles.small),
                    labels.p_text(block["p_value"]),
                ]
            )
            paired = block.get("paired")
            rows.append(
                [
                    "",
                    para(f"{label}\n{labels.sample_text(block)}", styles.small),
                    labels.percent(paired["before"]["rate"]) if paired else "—",
                    labels.percent(paired["after"]["rate"]) if paired else "—",
                    formatting.points(paired["change"]) if paired else "—",
                    para(labels.test_name(paired["test"]) if paired else "—", styles.small),
                    labels.p_text(paired["p_value"]) if paired else "—",
                ]
            )
    story.append(
        grid_table(rows, [w * mm for w in (30, 34, 18, 18, 18, 24, 16)], font=font, size=8)
    )
    for note in labels.test_notes():
        story.append(para(note, styles.small))
    story.append(para(pgettext("ledger", "4. Compliance with the yearly minimums"), styles.h1))
    kinds = [
        k
        for k in (summary["communities"][0]["compliance"] if summary["communities"] else [])
        if k["minimum"] is not None
    ]
    rows = [
        [pgettext("ledger", "Community")]
        + [para(f"{k['label']}（≥{k['minimum']}）", styles.small) for k in kinds]
    ]
    for c in summary["communities"]:
        cells = [para(c["name"], styles.cell)]
        for k in c["compliance"]:
            if k["minimum"] is None:
                continue
            cells.append(f"{k['count']} {compliance_mark(k)}")
        rows.append(cells)
    if kinds:
        width = (content_width() - 34 * mm) / len(kinds)
        story.append(grid_table(rows, [34 * mm] + [width] * len(kinds), font=font, size=8))
        story.append(
            para(
                pgettext("ledger", "√ met for the year; … nothing missed so far; × not met."),
                styles.small,
            )
        )
        # What keeps each community from meeting a minimum (reports.progress's sentences).
        for c in summary["communities"]:
            reasons = [r for k in c["compliance"] for r in k.get("reasons", [])]
            if reasons:
                story.append(para(c["name"], styles.h2))
                story += [para(f"• {r}", styles.warn) for r in reasons]
    buffer = io.BytesIO()
    doc = document(buffer, title=title, author="healthedu")
    doc.build(story, canvasmaker=numbered_canvas(font, title))
    return buffer.getvalue()


def compliance_mark(row: dict) -> str:
    """√ met for the whole year; … no period missed so far (the year still open); × not met."""
    if row["met"] is False:
        return "×"
    return "√" if row["final"] else "…"


def _trend_chart(trend: list[dict], font: str) -> Chart:
    """The two rates by month. Draws with any number of months (none, one, twelve) and with a
    series that has no data at all: reportlab cannot draw a line of no points, so such a series
    is left out (its legend stays) and, with nothing to draw, the axes say "no data"."""
    width, height = content_width(), 55 * mm
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = width - 20 * mm, height - 20 * mm
    series = [
        [t[kind]["rate"] * 100 if t[kind]["rate"] is not None else None for t in trend]
        for kind in ("knowledge", "behavior")
    ]
    drawn = [
        (values, colour)
        for values, colour in zip(series, SERIES, strict=True)
        if any(v is not None for v in values)
    ]
    chart.categoryAxis.categoryNames = [t["month"][5:] for t in trend] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = "%d%%"
    if drawn:
        chart.data = [values for values, _colour in drawn]
        for index, (_values, colour) in enumerate(drawn):
            chart.lines[index].strokeColor = colour
            chart.lines[index].strokeWidth = 1.5
            # A month between months without data has no line to draw: the marker shows it.
            chart.lines[index].symbol = makeMarker("FilledCircle", size=4, fillColor=colour)
    else:
        # The axes only: an invisible flat series of two points keeps reportlab's scales.
        chart.data = [[0] * max(2, len(trend))]
        chart.categoryAxis.categoryNames = chart.categoryAxis.categoryNames + [""] * (
            2 - len(chart.categoryAxis.categoryNames)
        )
        chart.lines[0].strokeColor = None
        chart.lines[0].strokeWidth = 0
        drawing.add(
            String(
                width / 2, height / 2, _("no data"), fontName=font, fontSize=10, textAnchor="middle"
            )
        )
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, height - 1 * mm
    legend.fontName, legend.fontSize = font, 8
    legend.columnMaximum, legend.deltax, legend.dxTextSpace = 1, 45 * mm, 3
    legend.colorNamePairs = [
        (SERIES[0], pgettext("ledger", "Knowledge-awareness rate")),
        (SERIES[1], pgettext("ledger", "Behaviour-formation rate")),
    ]
    drawing.add(legend)
    return Chart(drawing, font)


def _fair_comparison(summary: dict, styles, font: str) -> list:
    """Funnel plots of the two rates, the signals named in a table, the standardised rates."""
    story = [para(_("Comparing communities fairly"), styles.h1), para(reading_note(), styles.small)]
    for kind, label in (
        ("knowledge", pgettext("ledger", "Knowledge-awareness rate")),
        ("behavior", pgettext("ledger", "Behaviour-formation rate")),
    ):
        # The label and the sentence stay on the chart's page.
        block = [para(label, styles.small)]
        compared = compared_with_text(summary["compared_with"], kind)
        if compared:
            block.append(para(compared, styles.small))
        story.append(KeepTogether([*block, _funnel_chart(summary, kind, font)]))
    rows = [
        [
            para(h, styles.small)
            for h in (
                pgettext("ledger", "Community"),
                pgettext("ledger", "Rate"),
                pgettext("ledger", "crude rate"),
                pgettext("ledger", "expected"),
                pgettext("ledger", "95% limits"),
                pgettext("ledger", "signal"),
                pgettext("ledger", "standardised rate"),
                pgettext("ledger", "95% CI"),
            )
        ]
    ]
    for c in summary["communities"]:
        for kind, label in (
            ("knowledge", pgettext("ledger", "Knowledge")),
            ("behavior", pgettext("ledger", "Behaviour")),
        ):
            block, funnel = c[kind], c[kind].get("funnel")
            std = block.get("standardised") or {}
            rows.append(
                [
                    para(c["name"], styles.cell),
                    para(label, styles.small),
                    f"{labels.rate_cell(block['rate'], block['denominator'])} "
                    f"(n={block['denominator']})",
                    labels.percent(funnel["expected"]) if funnel else "—",
                    labels.interval(*funnel["limits"]["95"]) if funnel else "—",
                    para(signal_text(funnel) or "—", styles.cell),
                    labels.percent(std.get("rate")),
                    labels.interval(std.get("ci_low"), std.get("ci_high")),
                ]
            )
    story.append(
        grid_table(rows, [w * mm for w in (26, 14, 22, 16, 24, 32, 18, 24)], font=font, size=7.5)
    )
    story.extend(_small_sample_note(summary, styles))
    return story


def _small_sample_note(summary: dict, styles) -> list:
    """The ※ footnote, once under a table where some community's rate rests on few answers."""
    small = any(
        formatting.is_small_sample(c[kind]["denominator"])
        for c in summary["communities"]
        for kind in ("knowledge", "behavior")
    )
    return [para(formatting.small_sample_note(), styles.small)] if small else []


def _funnel_chart(summary: dict, kind: str, font: str) -> Chart:
    """Rate (0–100 %) against respondents: the reach's rate, the 95 % and 99.8 % limit curves
    over n, one point per community with respondents. Draws with none, one or many points."""
    width, height = content_width(), 60 * mm
    left, bottom, plot_w, plot_h = 14 * mm, 10 * mm, width - 20 * mm, height - 16 * mm
    drawing = Drawing(width, height)
    points = [
        (c[kind]["denominator"], c[kind]["rate"], c["name"])
        for c in summary["communities"]
        if c[kind]["denominator"]
    ]
    p0 = summary["compared_with"][kind]  # the communities' own rate, or their street's
    n_max = max([n for n, _r, _name in points] or [10])
    n_max = max(10, int(n_max * 1.1) + 1)

    def x(n):
        return left + plot_w * n / n_max

    def y(rate):
        return bottom + plot_h * rate

    axis = colors.HexColor("#555555")
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=axis))
    drawing.add(Line(left, bottom, left, bottom + plot_h, strokeColor=axis))
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        drawing.add(
            String(
                left - 2,
                y(tick) - 2.5,
                f"{tick * 100:.0f}%",
                fontName=font,
                fontSize=6.5,
                textAnchor="end",
            )
        )
    for tick in (0, n_max // 2, n_max):
        drawing.add(
            String(x(tick), bottom - 8, str(tick), fontName=font, fontSize=6.5, textAnchor="middle")
        )
    # "n" past the last tick's number, not on it.
    drawing.add(String(left + plot_w + 8, bottom - 8, "n", fontName=font, fontSize=6.5))
    if p0 is None:
        drawing.add(
            String(
                width / 2, height / 2, _("no data"), fontName=font, fontSize=10, textAnchor="middle"
            )
        )
        return Chart(drawing, font)
    drawing.add(Line(x(0), y(p0), x(n_max), y(p0), strokeColor=SERIES[0], strokeWidth=1))
    steps = [max(1, round(n_max * i / 60)) for i in range(61)]
    for level, dash in (("95", (4, 2)), ("99.8", (1, 2))):
        z = Z_LIMITS[level]
        for sign in (-1, 1):
            line = []
            for n in sorted(set(steps)):
                value = min(1.0, max(0.0, p0 + sign * z * (p0 * (1 - p0) / n) ** 0.5))
                line.extend([x(n), y(value)])
            drawing.add(PolyLine(line, strokeColor=axis, strokeWidth=0.7, strokeDashArray=dash))
    for n, rate, name in points:
        drawing.add(Circle(x(n), y(rate), 2.2, fillColor=SERIES[1], strokeColor=None))
        drawing.add(String(x(n) + 3, y(rate) + 2, name, fontName=font, fontSize=6))
    drawing.add(
        String(
            left + 2,
            height - 5,
            _("line: the street's rate; dashes: 95% limits; dots: 99.8% limits")
            if summary["compared_with"]["scope"] == "street"
            else _("line: reach's rate; dashes: 95% limits; dots: 99.8% limits"),
            fontName=font,
            fontSize=6.5,
        )
    )
    return Chart(drawing, font)
