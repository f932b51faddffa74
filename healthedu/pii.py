"""Personal data at rest: a keyed hash for lookup and uniqueness, and an encrypted value.

No read path decrypts except reveal (an audited admin act) and the ledger-free lookups that
compare hashes. The key is settings.PII_KEY, separate from SECRET_KEY.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[bytes, Fernet]:
    root = hashlib.sha256(secret.encode()).digest()
    hash_key = hmac.new(root, b"lookup", hashlib.sha256).digest()
    enc_key = base64.urlsafe_b64encode(hmac.new(root, b"encrypt", hashlib.sha256).digest())
    return hash_key, Fernet(enc_key)


def pii_hash(value: str) -> str:
    hash_key, _ = _keys(settings.PII_KEY)
    return hmac.new(hash_key, value.encode(), hashlib.sha256).hexdigest()


def pii_encrypt(value: str) -> str:
    _, fernet = _keys(settings.PII_KEY)
    return fernet.encrypt(value.encode()).decode()


def pii_decrypt(token: str) -> str:
    _, fernet = _keys(settings.PII_KEY)
    return fernet.decrypt(token.encode()).decode()
