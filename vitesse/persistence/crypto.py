"""Encrypt integration credentials at rest with a key derived from SECRET_KEY.

The key chain is `SECRET_KEY` (or a random key kept in `data_dir/secret.key` when it is unset)
→ HKDF-SHA256 → a Fernet key. Ciphertexts are Fernet tokens (ASCII), so a text column holds them.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vitesse.config import Settings
from vitesse.errors import PersistenceError
from vitesse.net import MASK, mask_value

logger = logging.getLogger(__name__)

KEY_FILE_NAME = "secret.key"
_HKDF_SALT = b"vitesse/credentials"
_HKDF_INFO = b"vitesse credential encryption v1"


def derive_key(secret: str | bytes) -> bytes:
    """Derive a Fernet key (url-safe base64 of 32 bytes) from a secret string.

    Args:
        secret: SECRET_KEY or the contents of the generated key file.

    Returns:
        The key in the form `cryptography.fernet.Fernet` takes.
    """
    material = secret.encode() if isinstance(secret, str) else secret
    if not material:
        raise PersistenceError("SECRET_KEY is empty: set it to a long random value, or unset it to use a key file")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(material))


def credential_key(settings: Settings) -> bytes:
    """Return the credential key for these settings: from SECRET_KEY, else from the local key file.

    Args:
        settings: The process settings; `secret_key` and `data_dir` are read.

    Returns:
        A Fernet key.
    """
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return derive_key(settings.secret_key.get_secret_value())
    return derive_key(_load_or_create_key_file(Path(settings.data_dir) / KEY_FILE_NAME))


def _load_or_create_key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once cannot both write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)))
    logger.warning("SECRET_KEY is not set: generated a credential encryption key in %s (mode 0600)", path)
    return _read_key_file(path)


def _read_key_file(path: Path) -> bytes:
    data = path.read_bytes().strip()
    if not data:
        raise PersistenceError(f"The key file {path} is empty: delete it (stored credentials are lost) or restore it")
    if path.stat().st_mode & 0o077:
        logger.warning("The key file %s is readable by other users: run `chmod 600 %s`", path, path)
    return data


def encrypt_secret(value: Mapping[str, Any], *, key: bytes) -> str:
    """Encrypt a JSON-serialisable mapping into a Fernet token.

    Args:
        value: The secret data, e.g. `{"api_key": "..."}`.
        key: A key from `credential_key` or `derive_key`.

    Returns:
        An ASCII token safe to store in a text column.
    """
    return Fernet(key).encrypt(orjson.dumps(dict(value))).decode("ascii")


def decrypt_secret(token: str, *, key: bytes) -> dict[str, Any]:
    """Decrypt a token made by `encrypt_secret`.

    Args:
        token: The stored ciphertext.
        key: The key it was encrypted with.

    Returns:
        The original mapping.

    Raises:
        PersistenceError: the key differs from the one used to encrypt, or the token is damaged.
    """
    try:
        plain = Fernet(key).decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError) as exc:
        raise PersistenceError(
            "Stored credentials could not be decrypted: SECRET_KEY (or the secret.key file) differs from the "
            "one used to store them. Restore the original key, or store the credentials again."
        ) from exc
    result = orjson.loads(plain)
    if not isinstance(result, dict):
        raise PersistenceError("Stored credentials are not a JSON object: store them again")
    return result


def mask_credentials(value: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy safe to show or log: every string value masked, nested mappings and lists too.

    Args:
        value: Credentials such as `{"type": "bearer", "token": "sk_live_..."}`.

    Returns:
        The same shape with secrets replaced by a short hint.
    """
    return {k: _mask_any(v) for k, v in value.items()}


def _mask_any(value: Any) -> Any:
    if isinstance(value, Mapping):
        return mask_credentials(value)
    if isinstance(value, list | tuple):
        return [_mask_any(v) for v in value]
    if isinstance(value, str):
        return mask_value(value)
    return MASK if value is not None else None
