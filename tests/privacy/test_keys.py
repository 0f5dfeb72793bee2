"""The pseudonymisation key: outside the project, 0600, created once, never silently replaced."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest

from privacy.keys import ProjectKey, key_path, load_key, normalise_identifier, pseudonymise
from project.errors import KeyMissingError


def test_key_is_created_once_with_mode_0600() -> None:
    key, created = load_key("proj-a", project_has_data=False)
    assert created and key.path == key_path("proj-a")
    assert key.path.parent.name == "keys" and "impleval" in key.path.parts
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    again, created_again = load_key("proj-a", project_has_data=True)
    assert not created_again and again.secret == key.secret and len(key.secret) == 32


def test_key_lives_under_the_config_dir_not_the_project(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert key_path("proj-b") == tmp_path / "cfg" / "impleval" / "keys" / "proj-b.key"
    monkeypatch.setenv("IMPLEVAL_KEY_FILE", str(tmp_path / "elsewhere.key"))
    assert key_path("proj-b") == tmp_path / "elsewhere.key"


def test_missing_key_with_data_is_an_error_with_instructions() -> None:
    with pytest.raises(KeyMissingError) as info:
        load_key("proj-c", project_has_data=True)
    message = str(info.value)
    assert "already holds data" in message and "IMPLEVAL_KEY_FILE" in message
    assert not key_path("proj-c").exists()


def test_damaged_key_file(tmp_path: Path) -> None:
    path = key_path("proj-d")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not hex")
    with pytest.raises(KeyMissingError, match="unreadable or damaged"):
        load_key("proj-d", project_has_data=True)


def test_loose_permissions_are_tightened() -> None:
    key, _ = load_key("proj-e", project_has_data=False)
    key.path.chmod(0o644)
    load_key("proj-e", project_has_data=True)
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600


def test_pseudonym_is_hmac_sha256_of_the_normalised_identifier() -> None:
    key = ProjectKey(bytes(range(32)), Path("k"))
    expected = hmac.new(bytes(range(32)), b"anna.l@x.example", hashlib.sha256).hexdigest()[:16]
    assert pseudonymise(" Anna.L@X.example ", key) == "p" + expected
    assert pseudonymise("anna.l@x.example", key) != pseudonymise(
        "anna.l@x.example", ProjectKey(bytes(32), Path("k"))
    )
    assert normalise_identifier("A  B ") == "a b"
