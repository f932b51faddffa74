"""How personal data is shown everywhere: API, pages, exports, PDFs, admin.

An ID number shows only its area code (the first six digits, the place of first issue):
420111************. What else is shown of the same person must not narrow the rest down to
fewer than 10,000 numbers: the birth date is shown to non-administrators as its year and month
(residents.presenting), ages and groups are worked out from that month (residents.groups), and the
sex is shown. That leaves, for a number whose area code is known, every day of the birth month
(28 to 31) times the 500 sequence numbers of that sex (the check digit follows from the rest, so
hiding it adds nothing, but showing it would cut the candidates about elevenfold): at least
28 x 500 = 14,000. Showing any of the last four digits would not: 30 x 500 / 11 is about 1,360.
tests/privacy/test_reconstruction.py runs that attack over every output.
"""

ID_SHOWN_DIGITS = 6


def mask_id_number(number: str) -> str:
    """110101199001011234 -> 110101************."""
    if not number:
        return ""
    if len(number) <= ID_SHOWN_DIGITS:
        return "*" * len(number)
    return number[:ID_SHOWN_DIGITS] + "*" * (len(number) - ID_SHOWN_DIGITS)


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last four digits."""
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 4:
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * len(phone)


def mask_name(name: str) -> str:
    """王秀兰 → 王**: the surname only (what leaves the system by email)."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
