"""Writes to the resident registry: create, update, reveal. Each checks, saves and audits."""

from collections.abc import Sequence
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from healthedu.audit.services import Action, audit_record
from healthedu.org.reach import in_reach
from healthedu.pii import pii_decrypt, pii_encrypt, pii_encrypt_many, pii_hash
from residents.idnumber import parse_id_number
from residents.masking import mask_id_number, mask_phone
from residents.models import Resident, ResidentHasHistory
from residents.presenting import sees_birth_day
from residents.sorting import name_sort_key
from residents.validation import clean_resident

PLAIN_FIELDS = ("name", "sex", "birth_date", "address", "is_migrant", "status")
CONDITION_FIELDS = ("has_hypertension", "has_diabetes")
ID_NUMBER_FIELDS = ("id_number_hash", "id_number_enc", "id_number_masked", "id_last4")
PHONE_FIELDS = ("phone_enc", "phone_masked", "phone_last4")
# A new resident's stored fields, in the order of new_resident_values (community and times aside).
STORED_FIELDS = PLAIN_FIELDS + CONDITION_FIELDS + ID_NUMBER_FIELDS + PHONE_FIELDS + ("name_pinyin",)


def stored_conditions(conditions) -> tuple[bool, bool]:
    """The conditions as stored: has_hypertension, has_diabetes."""
    conditions = set(conditions or ())
    return ("hypertension" in conditions, "diabetes" in conditions)


def stored_id_number(
    number: str, *, number_hash: str | None = None, sealed: str | None = None
) -> tuple:
    """An ID number as stored (ID_NUMBER_FIELDS): keyed hash, sealed value, masked copy, last four.

    A bulk insert passes the hash it has already computed for its lookup, and the number sealed
    in a batch (pii_encrypt_many).
    """
    if not number:
        return (None, "", "", "")
    return (
        number_hash or pii_hash(number),
        sealed or pii_encrypt(number),
        mask_id_number(number),
        number[-4:],
    )


def stored_phone(phone: str, *, sealed: str | None = None) -> tuple[str, str, str]:
    """A phone as stored (PHONE_FIELDS): sealed value, masked copy, last four."""
    if not phone:
        return ("", "", "")
    return (sealed or pii_encrypt(phone), mask_phone(phone), phone[-4:])


def new_resident_values(cleaned: dict, *, id_number_hash: str | None = None) -> tuple:
    """A new resident's STORED_FIELDS from cleaned fields that name every plain field, without
    building a model instance: what apply_resident_fields sets on a blank Resident (tested to
    agree)."""
    return new_residents_values([(cleaned, id_number_hash)])[0]


def new_residents_values(rows: Sequence[tuple[dict, str | None]]) -> list[tuple]:
    """new_resident_values of many (cleaned fields, ID number hash or None) at once, for bulk
    inserts: the ID numbers and phones are sealed in one batch."""
    numbers = [cleaned.get("id_number") or "" for cleaned, _hash in rows]
    phones = [cleaned.get("phone") or "" for cleaned, _hash in rows]
    sealed = iter(pii_encrypt_many([value for value in (*numbers, *phones) if value]))
    sealed_numbers = [next(sealed) if number else "" for number in numbers]
    sealed_phones = [next(sealed) if phone else "" for phone in phones]
    plain = itemgetter(*PLAIN_FIELDS)
    return [
        (
            *plain(cleaned),
            *stored_conditions(cleaned.get("conditions")),
            *stored_id_number(number, number_hash=number_hash, sealed=sealed_number),
            *stored_phone(phone, sealed=sealed_phone),
            name_sort_key(cleaned["name"]),
        )
        for (cleaned, number_hash), number, sealed_number, phone, sealed_phone in zip(
            rows, numbers, sealed_numbers, phones, sealed_phones, strict=True
        )
    ]


def set_id_number(resident: Resident, number: str) -> None:
    for name, value in zip(ID_NUMBER_FIELDS, stored_id_number(number), strict=True):
        setattr(resident, name, value)


def set_phone(resident: Resident, phone: str) -> None:
    for name, value in zip(PHONE_FIELDS, stored_phone(phone), strict=True):
        setattr(resident, name, value)


def apply_resident_fields(resident: Resident, cleaned: dict) -> list[str]:
    """Copy cleaned fields onto the resident; return the names of fields that changed."""
    changed = []
    if "community" in cleaned and resident.community_id != cleaned["community"].pk:
        resident.community = cleaned["community"]
        changed.append("community")
    for name in PLAIN_FIELDS:
        if name in cleaned and getattr(resident, name) != cleaned[name]:
            setattr(resident, name, cleaned[name])
            changed.append(name)
    if "name" in changed:
        # The list's order follows the name (a bulk update saves this with "name").
        resident.name_pinyin = name_sort_key(resident.name)
    if "conditions" in cleaned:
        for field, value in zip(
            CONDITION_FIELDS, stored_conditions(cleaned["conditions"]), strict=True
        ):
            if getattr(resident, field) != value:
                setattr(resident, field, value)
                changed.append(field)
    if "id_number" in cleaned:
        number = cleaned["id_number"] or ""
        if (pii_hash(number) if number else None) != resident.id_number_hash:
            set_id_number(resident, number)
            changed.append("id_number")
    if "phone" in cleaned:
        phone = cleaned["phone"] or ""
        current = pii_decrypt(resident.phone_enc) if resident.phone_enc else ""
        if phone != current:
            set_phone(resident, phone)
            changed.append("phone")
    return changed


def registered_here_message() -> str:
    return _("A resident with this ID number is already registered.")


def not_registrable_message() -> str:
    # Says nothing of where (or whether) the number is held: a caller must not learn that an ID
    # number is registered in a community beyond their reach.
    return _(
        "This ID number cannot be registered here. An administrator can help if it is the right number."
    )


def id_clash_outside_reach(*, user, clash: Resident, attempt: str) -> bool:
    """Whether an ID number that `user` tried to register (`attempt`: what they were doing) is
    held by a resident beyond their reach. If so, the attempt is written to the audit log, for an
    administrator to follow up, and the caller must be told only not_registrable_message().
    A call without a user (the system itself) reaches everything."""
    if user is None or in_reach(user, clash.community_id):
        return False
    audit_record(
        user=user,
        action=Action.CREATE,
        obj=clash,
        fields=["id_number"],
        note=f"refused: {attempt} with an ID number registered outside the user's reach",
    )
    return True


def _check_id_unique(number: str | None, *, user, exclude_pk=None, attempt: str) -> None:
    if not number:
        return
    clash = Resident.objects.filter(id_number_hash=pii_hash(number))
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    clash = clash.only("pk", "community_id", "name").first()
    if clash is None:
        return
    if id_clash_outside_reach(user=user, clash=clash, attempt=attempt):
        raise ValidationError({"id_number": [not_registrable_message()]})
    raise ValidationError({"id_number": [registered_here_message()]})


def resident_create(*, user, data: dict) -> Resident:
    # Checked outside the write's transaction, so that the audit entry of a refused attempt to
    # register a number held beyond the user's reach stays written.
    cleaned = clean_resident(data)
    _check_id_unique(cleaned.get("id_number"), user=user, attempt="create")
    resident = Resident()
    apply_resident_fields(resident, cleaned)
    try:
        with transaction.atomic():
            resident.save()
            audit_record(
                user=user,
                action=Action.CREATE,
                obj=resident,
                fields=[k for k in cleaned if cleaned[k] not in (None, "")],
            )
    except IntegrityError:
        # A concurrent registration of the same number won: the same answer as the check's.
        _check_id_unique(cleaned.get("id_number"), user=user, attempt="create")
        raise ValidationError({"id_number": [registered_here_message()]}) from None
    return resident


def _sees_birth_day(user) -> bool:
    return user is None or sees_birth_day(user)  # None: the system itself


def birth_date_follows_id_message() -> str:
    return _(
        "The date of birth of a resident with an ID number is the one in the number; to correct "
        "it, enter the corrected ID number."
    )


def resident_update(*, user, resident: Resident, data: dict) -> Resident:
    """Change a resident's fields. A new ID number brings its birth date and sex unless they are
    given too. The birth date of a resident who has an ID number is the number's: a non-admin who
    gives one without the number is refused whatever the date, for an answer that depended on
    it would tell the day of birth that they are not shown (residents.presenting)."""
    data = dict(data)
    held = pii_decrypt(resident.id_number_enc) if resident.id_number_enc else ""
    new_number = data.get("id_number") or ""
    if "birth_date" in data and held and not new_number and not _sees_birth_day(user):
        raise ValidationError({"birth_date": [birth_date_follows_id_message()]})
    merged = {"name": resident.name, "sex": resident.sex, "birth_date": resident.birth_date}
    if new_number:
        # The new number's own birth date and sex, unless the caller gives theirs to check.
        merged.pop("birth_date")
        merged.pop("sex")
    merged.update(data)
    if "id_number" not in data and held:
        # Sex and birth date must still agree with the ID number already held.
        merged["id_number"] = held
    cleaned = clean_resident(merged)
    if new_number:
        info = parse_id_number(cleaned["id_number"])
        cleaned.setdefault("birth_date", info.birth_date)
        cleaned.setdefault("sex", info.sex)
    if "id_number" in data:
        _check_id_unique(
            cleaned.get("id_number"), user=user, exclude_pk=resident.pk, attempt="update"
        )
    else:
        cleaned.pop("id_number", None)
    changed = apply_resident_fields(resident, cleaned)
    if changed:
        try:
            with transaction.atomic():
                resident.save()
                audit_record(user=user, action=Action.UPDATE, obj=resident, fields=changed)
        except IntegrityError:
            _check_id_unique(
                cleaned.get("id_number"), user=user, exclude_pk=resident.pk, attempt="update"
            )
            raise ValidationError({"id_number": [registered_here_message()]}) from None
    return resident


@transaction.atomic
def resident_delete(*, user, resident: Resident) -> None:
    """Delete a resident registered by mistake. One with any records (attendance, readings,
    referrals, survey responses) is refused with ResidentHasHistory: they leave the register by
    status, and a finalised month keeps its records."""
    kinds = Resident.objects.filter(pk=resident.pk).history_kinds()
    if kinds:
        raise ResidentHasHistory(kinds, [resident])
    audit_record(user=user, action=Action.DELETE, obj=resident)
    resident.delete()


def resident_reveal(*, user, resident: Resident, reason: str) -> dict:
    """The full ID number and phone, for an admin with a lawful need. Always audited."""
    if not user.is_admin:
        raise PermissionError("reveal is for administrators")
    audit_record(
        user=user, action=Action.REVEAL, obj=resident, fields=["id_number", "phone"], note=reason
    )
    return {
        "id_number": pii_decrypt(resident.id_number_enc) if resident.id_number_enc else "",
        "phone": pii_decrypt(resident.phone_enc) if resident.phone_enc else "",
    }
