"""Message texts: ``messages/<wave>/<kind>.<lang>.md`` in the project folder.

``kind`` is ``invitation`` or ``reminder`` (``reminder-2`` for a text of its own for the second
reminder). The first line is ``Subject: …``, then an empty line and the body. Placeholders in braces
are filled per person: ``{project}``, ``{wave}``, ``{wave_label}``, ``{survey_url}``, ``{opens}``,
``{closes}``, ``{organisation}``, ``{unit}``, ``{staff_group}``. A text names no item: licensed item
wording never goes into a message.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from project.config import Project, Wave
from project.errors import ConfigError

PLACEHOLDERS = (
    "project",
    "wave",
    "wave_label",
    "survey_url",
    "opens",
    "closes",
    "organisation",
    "unit",
    "staff_group",
)


@dataclass(frozen=True)
class Template:
    path: Path
    subject: str
    body: str

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with the placeholders filled."""
        return self.subject.format_map(values), self.body.format_map(values)


def message_name(reminder: int | None) -> str:
    """The ledger's name of the message: ``invitation`` or ``reminder-N``."""
    return "invitation" if reminder is None else f"reminder-{reminder}"


def _candidates(folder: Path, message: str, lang: str) -> list[Path]:
    kinds = [message, "reminder"] if message.startswith("reminder-") else [message]
    return [folder / f"{kind}.{lang}.md" for kind in kinds]


def _parse(path: Path, relative: str) -> Template:
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n")
    if not head.startswith("Subject:") or not body.strip():
        raise ConfigError(
            f"{relative}: expected a first line `Subject: …`, an empty line and the text. Hint: "
            f"see docs/waves.md for an example."
        )
    template = Template(path, head.removeprefix("Subject:").strip(), body.lstrip("\n"))
    for part in (template.subject, template.body):
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(part) if name is not None}
        except ValueError as exc:
            raise ConfigError(
                f"{relative}: {exc}. Hint: write a literal brace as {{{{ or }}}}."
            ) from None
        unknown = sorted(fields - set(PLACEHOLDERS))
        if unknown:
            raise ConfigError(
                f"{relative}: unknown placeholder {{{unknown[0]}}}. Expected one of "
                f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}."
            )
    return template


def load_templates(
    root: Path, wave: Wave, message: str, languages: set[str], *, default: str
) -> dict[str, Template]:
    """The message's text per language (a language without its own text gets ``default``'s).

    Raises
    ------
    ConfigError
        When no text exists for the message, or one is malformed.
    """
    folder = root / "messages" / wave.id
    found: dict[str, Template] = {}
    for lang in sorted(languages | {default}):
        path = next((p for p in _candidates(folder, message, lang) if p.is_file()), None)
        if path is not None:
            found[lang] = _parse(path, path.relative_to(root).as_posix())
    if default not in found:
        wanted = _candidates(folder, message, default)[-1].relative_to(root).as_posix()
        raise ConfigError(
            f"wave {wave.id}: no text for the {message} (looked for {wanted}). Hint: write it "
            f"with a `Subject: …` first line (see docs/waves.md)."
        )
    return {lang: found.get(lang, found[default]) for lang in languages | {default}}


def placeholder_values(
    project: Project, wave: Wave, lang: str, *, organisation: str, unit: str | None, group: str
) -> dict[str, str]:
    """What the placeholders stand for, for one person (labels in the message's language)."""
    units = {u.id: u.labels.get(lang) for o in project.organisations for u in o.units}
    return {
        "project": project.name.get(lang),
        "wave": wave.id,
        "wave_label": wave.label(lang),
        "survey_url": wave.survey_url or "",
        "opens": wave.opens.isoformat(),
        "closes": wave.closes.isoformat(),
        "organisation": project.organisation_label(organisation, lang),
        "unit": units.get(unit or "", ""),
        "staff_group": project.staff_group_label(group, lang).lower(),
    }
