"""The pseudonymisation key and keyed pseudonyms (HMAC-SHA256).

The key never lives in the project folder: sharing the folder must not share the key. By default it is
``$XDG_CONFIG_HOME/impleval/keys/<project-id>.key`` (``~/.config/...``), created once with mode 0600;
``IMPLEVAL_KEY_FILE`` points elsewhere. A project whose store already holds data never gets a silent new
key: that would break the linkage of the same person across waves.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from project.errors import KeyMissingError

KEY_ENV = "IMPLEVAL_KEY_FILE"
KEY_BYTES = 32
PSEUDONYM_HEX = 16  # 64 bits: collision chance ~1e-9 for 200,000 respondents


@dataclass(frozen=True)
class ProjectKey:
    """A loaded key; ``fingerprint`` identifies it without revealing it."""

    secret: bytes
    path: Path

    @property
    def fingerprint(self) -> str:
        return hmac.new(self.secret, b"impleval key fingerprint", hashlib.sha256).hexdigest()[:16]


def key_path(project_id: str) -> Path:
    """Where the key of ``project_id`` is kept."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV]).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "impleval" / "keys" / f"{project_id}.key"


def load_key(
    project_id: str, *, project_has_data: bool, create: bool = True
) -> tuple[ProjectKey, bool]:
    """Load the project's key, creating it only for a project without data.

    Returns
    -------
    (key, created)

    Raises
    ------
    KeyMissingError
        When the key is missing and the project already has data, or the key file is unreadable.
    """
    path = key_path(project_id)
    if path.is_file():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        try:
            text = path.read_text(encoding="ascii").strip()
            secret = bytes.fromhex(text)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise KeyMissingError(
                f"{path.name}: the pseudonymisation key file is unreadable or damaged. Hint: restore "
                f"it from your backup; a new key would break linkage across waves."
            ) from exc
        if len(secret) < 16:
            raise KeyMissingError(
                f"{path.name}: the key is too short ({len(secret)} bytes; need 32)."
            )
        return ProjectKey(secret, path), False
    if project_has_data or not create:
        raise KeyMissingError(
            f"pseudonymisation key for project {project_id!r} not found (looked for "
            f"{_display(path)}), but the project already holds data. Hint: copy the key file back "
            f"from where it is kept safe, or point {KEY_ENV} at it; a new key would give every "
            f"person a new pseudonym and break linkage across waves."
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret.hex() + "\n")
    return ProjectKey(secret, path), True


def _display(path: Path) -> str:
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def normalise_identifier(value: str) -> str:
    """Trim, collapse inner whitespace and case-fold (e-mail addresses are case-insensitive in practice).

    >>> normalise_identifier("  Anna.Lindqvist@Alvstad.EXAMPLE ")
    'anna.lindqvist@alvstad.example'
    """
    return " ".join(str(value).split()).casefold()


def pseudonymise(value: str, key: ProjectKey) -> str:
    """The keyed pseudonym of one identifier: ``p`` + 16 hex digits of HMAC-SHA256.

    The same identifier gives the same pseudonym under the same key (so waves link); without the key
    the pseudonym cannot be recomputed from a guessed e-mail address.
    """
    digest = hmac.new(key.secret, normalise_identifier(value).encode("utf-8"), hashlib.sha256)
    return "p" + digest.hexdigest()[:PSEUDONYM_HEX]


def key_for_project(
    project_id: str,
    *,
    project_has_data: bool,
    stored_fingerprint: str | None,
    dry_run: bool = False,
) -> tuple[ProjectKey, bool]:
    """The key an ingest uses: the project's own, checked against the store's fingerprint.

    A dry run of a project without data or key gets a throw-away key (nothing is stored, so no
    pseudonym outlives the run). Returns ``(key, created)``.

    Raises
    ------
    KeyMissingError
        When the key is missing for a project with data, or is not the key the data was
        pseudonymised with.
    """
    if dry_run and not project_has_data and not key_path(project_id).is_file():
        return ProjectKey(secrets.token_bytes(KEY_BYTES), Path("(dry run)")), False
    key, created = load_key(project_id, project_has_data=project_has_data)
    if stored_fingerprint and stored_fingerprint != key.fingerprint:
        raise KeyMissingError(
            f"the pseudonymisation key at {key.path.name} is not the key this project's data was "
            f"pseudonymised with. Hint: restore the original key file; with another key the same "
            f"person or document would get a different pseudonym in each load."
        )
    return key, created
