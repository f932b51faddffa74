"""Personal data at rest: a keyed hash for lookup and uniqueness, and an encrypted value.

No read path decrypts except reveal (an audited admin act) and comparisons inside services.
The key is settings.PII_KEY, separate from SECRET_KEY. Values are sealed with AES-256-GCM
(authenticated; ten times faster than Fernet, which matters for 100,000-row imports); tokens
are "g1:" + base64(nonce + ciphertext). Fernet tokens of earlier versions still decrypt.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "g1:"


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[bytes, AESGCM, Fernet]:
    root = hashlib.sha256(secret.encode()).digest()
    hash_key = hmac.new(root, b"lookup", hashlib.sha256).digest()
    gcm_key = hmac.new(root, b"encrypt-gcm", hashlib.sha256).digest()
    fernet_key = base64.urlsafe_b64encode(hmac.new(root, b"encrypt", hashlib.sha256).digest())
    return hash_key, AESGCM(gcm_key), Fernet(fernet_key)


def pii_hash(value: str) -> str:
    # One-shot HMAC (no per-call HMAC object): an import hashes every ID number of the roster.
    return hmac.digest(_keys(settings.PII_KEY)[0], value.encode(), "sha256").hex()


def pii_encrypt(value: str) -> str:
    return pii_encrypt_many([value])[0]


def pii_encrypt_many(values: Sequence[str]) -> list[str]:
    """pii_encrypt of each value, for imports: the key looked up once, and the random 96-bit
    nonces drawn in one call (12 bytes each, none shared)."""
    _hash, gcm, _fernet = _keys(settings.PII_KEY)
    nonces = os.urandom(12 * len(values))
    sealed = []
    for start, value in zip(range(0, len(nonces), 12), values, strict=True):
        nonce = nonces[start : start + 12]
        token = base64.urlsafe_b64encode(nonce + gcm.encrypt(nonce, value.encode(), None))
        sealed.append(PREFIX + token.decode())
    return sealed


def pii_decrypt(token: str) -> str:
    _hash, gcm, fernet = _keys(settings.PII_KEY)
    if token.startswith(PREFIX):
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
        return gcm.decrypt(raw[:12], raw[12:], None).decode()
    return fernet.decrypt(token.encode()).decode()
