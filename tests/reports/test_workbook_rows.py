"""The workbooks' rows are as tall as their wrapped text: Excel and LibreOffice print a row at
the height stored in the file (openpyxl stores none), so a long summary or reason would print
cut to its first line. What that looks like on paper is checked by the print preview in
tests/web/browser/test_archive_files.py; here, the heights against hand-counted lines."""

import io

import openpyxl
import pytest
import time_machine

from reports.ledger import build_ledger
from reports.xlsx import LINE_HEIGHT, _lines, render_ledger_xlsx, text_width
from tests.reports.conftest import MONTH
from tests.reports.test_report_shapes import NOW


@pytest.mark.parametrize(
    ("text", "width"), [("", 0), ("ab12", 4), ("李秀英", 6), ("（签字）", 8), ("2026年", 6)]
)
def test_a_chinese_character_is_two_columns_wide(text, width):
    assert text_width(text) == width


@pytest.mark.parametrize(
    ("value", "column", "lines"),
    [
        (None, 10, 1),
        ("", 10, 1),
        ("一二三四", 9, 1),  # 8 units in 8 of room (9 less the margins)
        ("一二三四五", 9, 2),  # 10 units
        ("一二三\n四", 9, 2),  # a line break is a line
        ("一" * 30 + "\n" + "a" * 10, 11, 7),  # 60 units in 10: 6 lines, then 1
    ],
)
def test_lines_of_wrapped_text_by_hand(value, column, lines):
    assert _lines(value, column) == lines


@pytest.mark.django_db
def test_every_row_of_the_ledger_workbook_is_tall_enough(october):
    with time_machine.travel(NOW, tick=False):
        ledger = build_ledger(community=october.community, month=MONTH)
        book = openpyxl.load_workbook(io.BytesIO(render_ledger_xlsx(ledger)))
    activities = book["活动记录"]
    assert activities.column_dimensions["I"].width == 30  # 活动内容
    # 高血压防治讲座's content, 讲解高血压的危害与防治。 (12 characters, 24 units), in the 30-wide
    # content column fits one line; its 存档材料 (six boxes and labels, about 60 units) in
    # 16 takes four or more: the row is at least four lines tall.
    row = next(r for r in activities.iter_rows(min_row=2) if r[3].value.startswith("高血压"))
    assert row[8].value == "讲解高血压的危害与防治。"
    assert activities.row_dimensions[row[0].row].height >= 4 * LINE_HEIGHT
    for ws in book.worksheets:
        for cells in ws.iter_rows():
            need = max(
                [
                    _lines(c.value, ws.column_dimensions[c.column_letter].width or 10)
                    for c in cells
                    if c.coordinate not in ws.merged_cells
                ]
                + [1]
            )
            height = ws.row_dimensions[cells[0].row].height
            assert (height or LINE_HEIGHT) >= need * LINE_HEIGHT, (ws.title, cells[0].row)
