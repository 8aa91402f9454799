"""Password hashing with Argon2 (pwdlib); API key secrets with SHA-256 (they are random, not chosen)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from tradecover.errors import ValidationError

_hasher = PasswordHash((Argon2Hasher(),))
# Verified when the e-mail is unknown, so that sign-in takes as long for unknown users.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10
API_KEY_TAG = "tc"


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"must have at least {MIN_PASSWORD_LENGTH} characters", field="password")


def hash_password(password: str) -> str:
    """An Argon2 hash of the password."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash when the stored one should be upgraded."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    return _hasher.verify_and_update(password, password_hash)


def new_api_key() -> tuple[str, str, str]:
    """A new key: (the whole token shown once, its visible prefix, the hash to store)."""
    prefix = secrets.token_hex(4)
    token = f"{API_KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, hash_api_key(token)


def parse_api_key_prefix(token: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_TAG or len(parts[1]) != 8:
        return None
    return parts[1]


def hash_api_key(token: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with the stored hash."""
    return hmac.compare_digest(hash_api_key(token), stored_hash)
