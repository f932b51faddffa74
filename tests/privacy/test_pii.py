"""Sealing personal data at rest (healthedu.pii): one value, or an import's batch."""

import base64

from healthedu.pii import PREFIX, pii_decrypt, pii_encrypt, pii_encrypt_many


def _nonce(token: str) -> bytes:
    return base64.urlsafe_b64decode(token[len(PREFIX) :])[:12]


def test_a_batch_seals_each_value_as_one_at_a_time_does():
    values = ["420106196605103686", "13812345678", "13812345678", "11010519491231002X"]
    sealed = pii_encrypt_many(values)
    assert [pii_decrypt(token) for token in sealed] == values
    assert all(token.startswith(PREFIX) for token in sealed)
    assert pii_decrypt(pii_encrypt(values[0])) == values[0]


def test_no_two_sealed_values_share_a_nonce():
    sealed = pii_encrypt_many(["13812345678"] * 1000) + [pii_encrypt("13812345678")]
    assert len({_nonce(token) for token in sealed}) == len(sealed)
    assert len(set(sealed)) == len(sealed)


def test_an_empty_batch_seals_nothing():
    assert pii_encrypt_many([]) == []
