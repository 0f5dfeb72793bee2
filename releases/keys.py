"""Release keys: every release gets its own pseudonyms, so it cannot be joined to the store.

A release's pseudonyms are ``r`` + 16 hex digits of HMAC-SHA256 of the store's pseudonym under
the release key. The key is kept like the project key — outside the project folder, under the
user's config directory (``$XDG_CONFIG_HOME/impleval/release-keys/<project>/<version>.key``, mode
0600; ``IMPLEVAL_RELEASE_KEY_DIR`` points elsewhere) — and never enters the release. A linkable
series of releases (``--link-to VERSION``) reuses an earlier release's key, so the same person
keeps the same release pseudonym across that series; any other release gets a fresh key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from project.errors import KeyMissingError

KEY_DIR_ENV = "IMPLEVAL_RELEASE_KEY_DIR"
KEY_BYTES = 32
PSEUDONYM_HEX = 16


@dataclass(frozen=True)
class ReleaseKey:
    """A release key; ``fingerprint`` tells releases of one linkable series apart, and reveals
    nothing of the key."""

    secret: bytes
    version: str
    linked_to: str | None = None

    @property
    def fingerprint(self) -> str:
        return hmac.new(self.secret, b"impleval release key", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, value: str) -> str:
        """The release pseudonym of one store pseudonym."""
        digest = hmac.new(self.secret, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
        return "r" + digest[:PSEUDONYM_HEX]


def key_dir(project_id: str) -> Path:
    """Where the release keys of ``project_id`` are kept."""
    if os.environ.get(KEY_DIR_ENV):
        return Path(os.environ[KEY_DIR_ENV]).expanduser() / project_id
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "impleval" / "release-keys" / project_id


def _read(path: Path) -> bytes:
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise KeyMissingError(
            f"{path.name}: the release key file is unreadable or damaged. Hint: restore it from "
            f"your backup, or make a release under a new version."
        ) from exc
    if len(secret) != KEY_BYTES:
        raise KeyMissingError(f"{path.name}: the release key has {len(secret)} bytes; need 32.")
    return secret


def release_key(project_id: str, version: str, *, link_to: str | None = None) -> ReleaseKey:
    """The key of release ``version``: its own (when it was released before), the key of
    ``link_to``, or a new one. Nothing is written: :func:`save_key` keeps it once the release is
    complete.

    Raises
    ------
    KeyMissingError
        When ``link_to`` has no key, or ``version`` already has a key that is not ``link_to``'s.
    """
    folder = key_dir(project_id)
    own = folder / f"{version}.key"
    linked = None
    if link_to is not None:
        source = folder / f"{link_to}.key"
        if not source.is_file():
            raise KeyMissingError(
                f"--link-to {link_to}: no release key for version {link_to} of project "
                f"{project_id!r}. Expected a release made earlier on this machine (its key is "
                f"kept under the config folder). Hint: check the version, or restore the key file."
            )
        linked = _read(source)
    if own.is_file():
        secret = _read(own)
        if linked is not None and secret != linked:
            raise KeyMissingError(
                f"release {version} was made earlier with its own key, not that of {link_to}. "
                f"Hint: give the linked release a new version."
            )
        return ReleaseKey(secret, version, link_to)
    return ReleaseKey(linked or secrets.token_bytes(KEY_BYTES), version, link_to)


def save_key(project_id: str, key: ReleaseKey) -> Path:
    """Keep ``key`` (mode 0600) unless it is kept already; returns its path."""
    folder = key_dir(project_id)
    path = folder / f"{key.version}.key"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.secret.hex() + "\n")
    return path
