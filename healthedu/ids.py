"""Numbers typed by people and scripts: ids in query strings, values on an entry sheet."""

MAX_DIGITS = 18  # any 18-digit number fits a database bigint; a longer one is no id
# A Chinese input method in full-width mode types １４０ for 140.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_digits(text) -> str:
    """`text` with full-width digits written as ASCII ones (codes and ids are ASCII)."""
    return str(text).translate(FULL_WIDTH_DIGITS)


def digits_int(text) -> int | None:
    """The number `text` spells in digits (ASCII, or full-width as an input method types them),
    or None. str.isdigit() alone also takes ² (which int() refuses: a server error) and other
    scripts' digits; more than MAX_DIGITS digits would overflow the database's integer."""
    text = ascii_digits(text)
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text)
    return None
