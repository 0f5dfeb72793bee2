"""Words the key-figure tables, sentences and figures share: units, periods, groups, terms."""

from __future__ import annotations

import re

from project.config import Project
from project.indicators import Indicator
from reports.strings import Strings

MONTHS = {
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_EFFECT = re.compile(r"^effect_(\d+)[a-z]+_(absolute|relative)$")


def unit_text(ind: Indicator, lang: str) -> str:
    """The indicator's unit of measure (``dygn``), empty when it has none."""
    return ind.unit_of_measure.get(lang) if ind.unit_of_measure else ""


def month_text(period: str, lang: str) -> str:
    """``2018-03`` as ``mars 2018``; other periods as they are."""
    if len(period) == 7 and period[4] == "-":
        return f"{MONTHS[lang][int(period[5:7]) - 1]} {period[:4]}"
    return period


def unit_label(project: Project, unit: str, lang: str) -> str:
    """An organisational unit's label; empty for the total (``all``)."""
    if unit == "all":
        return ""
    return project.organisation_label(unit, lang)


def group_text(group: str, s: Strings) -> str:
    """A breakdown's value (``age_group=65+`` → ``65+``); everyone as the word for all."""
    if not group or group == "all":
        return s("indicators.all_groups")
    return ", ".join(part.split("=", 1)[-1] for part in group.split(";"))


def per_period(ind: Indicator, s: Strings) -> str:
    """What a value of the series is: ``dygn per månad`` or ``besök per 1 000 invånare``."""
    per = s("indicators.per")
    if ind.model.offset:
        if ind.denominator_unit is not None:
            denominator = ind.denominator_unit.get(s.lang)
        else:
            denominator = "nämnarenhet" if s.lang == "sv" else "unit of the denominator"
        return f"{unit_text(ind, s.lang)} {per} {denominator}".strip()
    return f"{unit_text(ind, s.lang)} {per} {s(f'indicators.frequency.{ind.frequency}')}".strip()


def effect_horizon(term: str) -> tuple[int, str] | None:
    """``effect_12m_absolute`` → ``(12, "absolute")``; ``None`` for other terms."""
    m = _EFFECT.match(term)
    return (int(m.group(1)), m.group(2)) if m else None


def term_label(term: str, ind: Indicator, s: Strings) -> str:
    """A model term in words; a term the strings do not know, by its name."""
    named = s.get(f"indicators.terms.{term}", "")
    if named:
        return named
    effect = effect_horizon(term)
    if effect is None:
        return term.replace("_", " ")
    periods = s(f"indicators.frequency_plural.{ind.frequency}")
    return s(f"indicators.terms.effect_{effect[1]}", h=effect[0], periods=periods)


def model_words(ind: Indicator, s: Strings) -> str:
    """The model family in words, with the offset when there is one."""
    model = s(f"indicators.families.{ind.model.family}")
    if ind.model.offset:
        model += " " + s("indicators.with_offset")
    return model


def title_of(name: str, unit: str) -> str:
    """``Indicator – Unit``, or the indicator alone for the total."""
    return f"{name} – {unit}" if unit else name
