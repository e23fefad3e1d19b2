"""Keeping an uploaded file between the dry run and its application.

The file is stored outside static and media paths, under a random name, and the session remembers
which stash belongs to whom: another user cannot apply someone else's stash.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings

SESSION_KEY = "srefop_upload_stash"


def _stash_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash_upload(request, data: bytes, filename: str) -> str:
    token = uuid.uuid4().hex
    (_stash_dir() / f"{token}.bin").write_bytes(data)
    stash = request.session.get(SESSION_KEY, {})
    stash[token] = filename
    request.session[SESSION_KEY] = stash
    return token


def load_stash(request, token: str) -> tuple[bytes, str] | None:
    stash = request.session.get(SESSION_KEY, {})
    if not token or token not in stash:
        return None
    path = _stash_dir() / f"{token}.bin"
    if not path.exists():
        return None
    return path.read_bytes(), stash[token]


def drop_stash(request, token: str) -> None:
    stash = request.session.get(SESSION_KEY, {})
    stash.pop(token, None)
    request.session[SESSION_KEY] = stash
    (_stash_dir() / f"{token}.bin").unlink(missing_ok=True)
