"""How cleaned fields are stored: one rule, whether a service saves one resident or an import
copies many rows without model instances."""

import datetime as dt

import pytest

from healthedu.pii import pii_decrypt
from residents.models import Resident
from residents.services import STORED_FIELDS, apply_resident_fields, new_resident_values
from tests.factories import make_id_number

SEALED = {"id_number_enc", "phone_enc"}


def _cleaned(**fields) -> dict:
    return {
        "name": "王强",
        "sex": "M",
        "birth_date": dt.date(1950, 3, 2),
        "address": "天虹路3号4单元1404室",
        "is_migrant": False,
        "status": "active",
        "conditions": [],
        **fields,
    }


@pytest.mark.parametrize(
    "cleaned",
    [
        _cleaned(),
        _cleaned(id_number=make_id_number(dt.date(1950, 3, 2), "M"), phone="13800001111"),
        _cleaned(id_number="", phone="", conditions=["diabetes"], status="moved_out"),
        _cleaned(phone="02787654321", conditions=["hypertension", "diabetes"], is_migrant=True),
        _cleaned(sex="F", id_number="11010519491231002X", birth_date=dt.date(1949, 12, 31)),
    ],
    ids=["bare", "id-and-phone", "blank-pii", "landline-conditions", "id-with-x"],
)
def test_bulk_values_are_what_the_service_sets_on_a_new_resident(cleaned):
    resident = Resident()
    apply_resident_fields(resident, cleaned)
    values = dict(zip(STORED_FIELDS, new_resident_values(cleaned), strict=True))

    for name, value in values.items():
        expected = getattr(resident, name)
        if name in SEALED:
            # Sealed with a fresh nonce each time: compare what they open to.
            assert (pii_decrypt(value) if value else "") == (
                pii_decrypt(expected) if expected else ""
            ), name
        else:
            assert value == expected, name


def test_a_hash_already_computed_for_the_lookup_is_the_one_stored():
    # A sentinel, not the real hash: the stored value must be the one passed in, not recomputed.
    number = make_id_number(dt.date(1950, 3, 2), "M")
    values = dict(
        zip(
            STORED_FIELDS,
            new_resident_values(_cleaned(id_number=number), id_number_hash="looked-up-hash"),
            strict=True,
        )
    )
    assert values["id_number_hash"] == "looked-up-hash"
