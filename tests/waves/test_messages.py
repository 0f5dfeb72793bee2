"""Message texts and the SMTP password: one line for what is wrong, the password never from the
project folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from project.config import load_project
from project.errors import ConfigError
from project.outreach import Smtp
from waves.messages import load_templates, placeholder_values
from waves.smtp import password


def test_texts_fall_back_to_the_report_language_and_fill_placeholders(
    example_project: Path,
) -> None:
    project = load_project(example_project)
    wave = project.waves[1]
    texts = load_templates(example_project, wave, "reminder-2", {"sv", "en"}, default="sv")
    assert texts["en"].path.name == "reminder.en.md"  # reminder-2 has no text of its own
    values = placeholder_values(
        project, wave, "en", organisation="hosp_alvstad", unit="alv_med", group="nurse"
    )
    subject, body = texts["en"].render(values)
    assert subject == "Reminder: survey on coordinated discharge – T1: after a year in operation"
    assert "https://survey.example.org/nomad-t1" in body and "2019-03-22" in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Subject: Hej {name}\n\nText",
            "messages/T1/invitation.sv.md: unknown placeholder {name}. Expected one of {project}",
        ),
        ("Hej!\n\nText", "messages/T1/invitation.sv.md: expected a first line `Subject: …`"),
        ("Subject: x\n\n{survey_url", "messages/T1/invitation.sv.md: "),
    ],
)
def test_a_bad_text_is_one_line(example_project: Path, text: str, expected: str) -> None:
    (example_project / "messages" / "T1" / "invitation.sv.md").write_text(text, encoding="utf-8")
    wave = load_project(example_project).waves[1]
    with pytest.raises(ConfigError) as info:
        load_templates(example_project, wave, "invitation", {"sv"}, default="sv")
    assert str(info.value).startswith(expected) and "\n" not in str(info.value)


def test_no_text_is_one_line(example_project: Path) -> None:
    wave = load_project(example_project).waves[0]
    with pytest.raises(ConfigError, match=r"^wave T0: no text for the invitation \(looked for "):
        load_templates(example_project, wave, "invitation", {"sv"}, default="sv")


def test_the_password_comes_from_the_environment_or_the_keyring(monkeypatch) -> None:
    smtp = Smtp(host="127.0.0.1", sender="a@example.org", username="evaluator")
    monkeypatch.setenv("IMPLEVAL_SMTP_PASSWORD", "s3cret")
    assert password(smtp) == "s3cret"
    monkeypatch.delenv("IMPLEVAL_SMTP_PASSWORD")
    monkeypatch.setattr("keyring.get_password", lambda service, user: f"{service}/{user}")
    assert password(smtp) == "impleval-smtp/evaluator"
    monkeypatch.setattr("keyring.get_password", lambda service, user: None)
    with pytest.raises(ConfigError, match=r"^outreach\.smtp: no password for 'evaluator'\."):
        password(smtp)
    assert password(Smtp(host="127.0.0.1", sender="a@example.org")) is None  # no login
    with pytest.raises(ValueError, match="password"):  # no place for it in project.yaml
        Smtp.model_validate({"host": "h", "sender": "a@example.org", "password": "x"})
