import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError

from residents.idnumber import CHECK_CHARS, WEIGHTS, check_digit, parse_id_number
from residents.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "F"),  # GB 11643 annex example
        ("440524188001010014", dt.date(1880, 1, 1), "M"),
        ("420106196605103686", dt.date(1966, 5, 10), "F"),
        ("11010520000229001" + check_digit("11010520000229001"), dt.date(2000, 2, 29), "M"),
        (" 11010519491231002x ", dt.date(1949, 12, 31), "F"),  # spaces, lower-case x
    ],
)
def test_valid_numbers_give_birth_date_and_sex(number, birth, sex):
    info = parse_id_number(number)
    assert (info.birth_date, info.sex) == (birth, sex)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491231002", "18 characters"),
        ("110105490101001", "15-digit"),
        ("1101051949123100A1", "17 digits"),
        (
            "11010519010229001" + check_digit("11010519010229001"),
            "does not exist",
        ),  # 1901 not a leap year
        ("11010519491331001" + check_digit("11010519491331001"), "does not exist"),
        ("", "18 characters"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(settings, number, reason):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        parse_id_number(number)
    assert reason in exc.value.messages[0]


def test_masks_show_only_the_ends():
    assert mask_id_number("11010519491231002X") == "110105************"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_phone("12345678") == "****5678"


def test_the_check_digit_is_the_weighted_sum_of_gb_11643():
    assert [2 ** (17 - i) % 11 for i in range(17)] == WEIGHTS
    rng = random.Random(11643)
    for _ in range(20000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        weighted = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
        assert check_digit(first17) == CHECK_CHARS[weighted % 11], first17


@pytest.mark.parametrize("first17", ["1101051949123100", "110105194912310021", "+1101051949123100"])
def test_a_check_digit_needs_17_digits(first17):
    with pytest.raises(ValueError):
        check_digit(first17)


def _with_area(area: str, body_rest: str = "19500302001") -> str:
    body = area + body_rest
    return body + check_digit(body)


@pytest.mark.parametrize(
    ("area", "valid"),
    [
        ("110101", True),  # 东城区, in use
        ("110103", True),  # 崇文区, merged away in 2010: numbers issued before keep it
        ("420111", True),  # 洪山区, created 1983, in the number of someone born in 1950
        ("110000", True),  # the province-level code, on some early numbers
        ("000000", False),
        ("999999", False),
        ("110199", False),  # Beijing's prefix, no such district
        ("429999", False),
        ("710000", True),  # 台湾省
        ("100000", False),
    ],
)
def test_the_first_six_digits_must_be_an_administrative_division_code(area, valid):
    number = _with_area(area)
    if valid:
        assert parse_id_number(number).number == number
        return
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        parse_id_number(number)
    message = exc.value.messages[0]
    assert area in message and "administrative-division code" in message


def test_a_bad_division_code_is_named_in_chinese():
    with pytest.raises(ValidationError) as exc:
        parse_id_number(_with_area("999999"))
    assert "999999" in exc.value.messages[0] and "行政区划代码" in exc.value.messages[0]


@pytest.mark.parametrize(
    "cell", [110101199001011237, 1.10101199001011e17, "1.10101E+17", "110101199001011200.00"]
)
def test_both_imports_refuse_a_cell_that_lost_digits_alike(cell):
    from django.core.exceptions import ValidationError

    from healthedu.surveys import importing as survey_import
    from residents import importing as resident_import
    from residents.idnumber import id_number_from_cell

    # One function reads the cell for both imports.
    assert survey_import.id_number_from_cell is resident_import.id_number_from_cell
    with pytest.raises(ValidationError, match="已丢失位数"):
        id_number_from_cell(cell)


def test_a_blank_cell_is_no_id_number_and_a_text_cell_is_read():
    from residents.idnumber import id_number_from_cell

    assert id_number_from_cell(None) is None and id_number_from_cell("  ") is None
    import datetime as dt

    from tests.factories import make_id_number

    number = make_id_number(dt.date(1949, 12, 31), "M")
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    assert id_number_from_cell(full_width).number == number
