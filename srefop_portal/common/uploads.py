"""Keeping an uploaded file between the dry run and its application.

The file is stored outside static and media paths, under a random name, and the session remembers
which stash belongs to whom: another user cannot apply someone else's stash. A stash expires after
``SREFOP_UPLOAD_STASH_MAX_AGE`` seconds (12 hours by default): the data it was checked against may
have changed since, and stale files must not pile up. Expired files are removed on the next upload.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings

SESSION_KEY = "srefop_upload_stash"
DEFAULT_MAX_AGE = 12 * 3600


def _stash_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _max_age() -> int:
    return int(getattr(settings, "SREFOP_UPLOAD_STASH_MAX_AGE", DEFAULT_MAX_AGE))


def _path(token: str) -> Path | None:
    """The stash file of a token, or None for a token that is not one of ours (no path tricks)."""
    if not token or len(token) != 32 or not token.isalnum():
        return None
    return _stash_dir() / f"{token}.bin"


def _is_expired(path: Path) -> bool:
    return time.time() - path.stat().st_mtime > _max_age()


def purge_expired() -> int:
    """Remove expired stash files (of any session); returns how many were removed."""
    removed = 0
    for path in _stash_dir().glob("*.bin"):
        try:
            if _is_expired(path):
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def stash_upload(request, data: bytes, filename: str) -> str:
    purge_expired()
    token = uuid.uuid4().hex
    (_stash_dir() / f"{token}.bin").write_bytes(data)
    stash = request.session.get(SESSION_KEY, {})
    stash[token] = filename
    request.session[SESSION_KEY] = stash
    return token


def load_stash(request, token: str) -> tuple[bytes, str] | None:
    """The stashed bytes and file name, or None if the stash is unknown to this session, gone or expired."""
    stash = request.session.get(SESSION_KEY, {})
    path = _path(token)
    if path is None or token not in stash:
        return None
    data = read_stashed_file(token)
    if data is None:
        drop_stash(request, token)
        return None
    return data, stash[token]


def read_stashed_file(token: str) -> bytes | None:
    """The bytes of a stash without the session check (for a background job started from a checked stash)."""
    path = _path(token)
    try:
        if path is None or _is_expired(path):
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def discard_stashed_file(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def drop_stash(request, token: str) -> None:
    stash = request.session.get(SESSION_KEY, {})
    stash.pop(token, None)
    request.session[SESSION_KEY] = stash
    discard_stashed_file(token)
