"""Cleaning one resident's fields: the rules shared by the API, the pages, the import and the admin."""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from residents.idnumber import IdInfo, normalise_id_number, parse_id_number
from residents.models import Condition, ResidentStatus, Sex

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})?[2-9]\d{6,7}$")
_PHONE_JUNK = re.compile(r"[\s\-()（）]")
# Built once (an import checks every row); tuples, so that an unhashable value is refused, not raised.
_SEXES = tuple(Sex.values)
_CONDITIONS = tuple(Condition.values)
_STATUSES = tuple(ResidentStatus.values)


def error_messages(exc: ValidationError) -> list[str]:
    """A caught ValidationError's messages, its traceback let go. Django's one-message
    ValidationError refers to itself (error_list = [self]), so only the cyclic garbage collector
    frees it, and with it, through the traceback, every calling frame and its locals: for an
    import, all the rows. Catch sites use this, so that those are freed as soon as they are done."""
    exc.__traceback__ = None
    return exc.messages


def normalise_phone(raw) -> str:
    text = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", str(raw or "")).strip())
    if text.startswith("+86"):
        text = text[3:]
    return text


def clean_phone(raw) -> str:
    phone = normalise_phone(raw)
    if not phone:
        return ""
    if not (phone.isascii() and phone.isdigit()):
        raise ValidationError(_("A phone number may hold only digits, spaces and dashes."))
    if len(phone) < 7:
        raise ValidationError(
            _("The phone number %(masked)s is too short.") % {"masked": "*" * len(phone)}
        )
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise ValidationError(_("This is neither an 11-digit mobile number nor a landline number."))
    return phone


def clean_birth_date(value: dt.date, *, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth is in the future."))
    if value.year < today.year - 130:
        raise ValidationError(_("The date of birth is more than 130 years ago."))
    return value


def clean_resident(
    data: dict, *, today: dt.date | None = None, id_info: IdInfo | None = None
) -> dict:
    """Check and normalise a resident's fields; raise ValidationError keyed by field.

    `data` holds name, sex, birth_date, id_number (raw, optional), phone (raw, optional) and
    the other fields. The ID number, when given, must be valid and agree with sex and birth date.
    `today` (default: the local date) bounds the date of birth; an import passes it once.
    `id_info` is the ID number already parsed, by a caller that needed it first (the import
    fills in a missing sex or birth date from it); it is used only if it is that number's.
    """
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)

    name = str(data.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("The name is missing."))
    elif len(name) > 64:
        errors.setdefault("name", []).append(_("The name is longer than 64 characters."))
    cleaned["name"] = name

    if "address" in data:
        address = str(data.get("address") or "").strip()
        if len(address) > 200:
            errors.setdefault("address", []).append(_("The address is longer than 200 characters."))
        cleaned["address"] = address

    if "sex" in data and data.get("sex") not in _SEXES:
        errors.setdefault("sex", []).append(_("Sex must be male or female."))

    birth_date = data.get("birth_date")
    if birth_date is not None:
        try:
            clean_birth_date(birth_date, today=today)
        except ValidationError as exc:
            errors.setdefault("birth_date", []).extend(error_messages(exc))

    raw_id = data.get("id_number")
    if raw_id not in (None, ""):
        try:
            if id_info is not None and id_info.number == raw_id:
                info = id_info
            else:
                info = parse_id_number(raw_id)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(error_messages(exc))
        else:
            cleaned["id_number"] = info.number
            if birth_date is not None and birth_date != info.birth_date:
                errors.setdefault("id_number", []).append(
                    _("The ID number gives the date of birth %(id_date)s, not %(date)s.")
                    % {"id_date": info.birth_date.isoformat(), "date": birth_date.isoformat()}
                )
            if data.get("sex") in _SEXES and data.get("sex") != info.sex:
                errors.setdefault("id_number", []).append(
                    _("The ID number belongs to a %(sex)s, but the sex given is %(given)s.")
                    % {"sex": Sex(info.sex).label, "given": Sex(data["sex"]).label}
                )
    elif raw_id == "":
        cleaned["id_number"] = ""

    if "phone" in data:
        try:
            cleaned["phone"] = clean_phone(data.get("phone"))
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(error_messages(exc))

    conditions = data.get("conditions")
    if conditions is not None:
        unknown = [c for c in conditions if c not in _CONDITIONS]
        if unknown:
            errors.setdefault("conditions", []).append(
                _("Unknown condition: %(c)s (known: %(known)s).")
                % {
                    "c": ", ".join(map(str, unknown)),
                    "known": ", ".join(str(label) for label in Condition.labels),
                }
            )

    if "status" in data and data["status"] not in _STATUSES:
        errors.setdefault("status", []).append(_("Unknown status."))

    if errors:
        raise ValidationError(errors)
    return cleaned


__all__ = [
    "clean_resident",
    "clean_phone",
    "error_messages",
    "normalise_phone",
    "normalise_id_number",
]
