"""Labels and orders from project.yaml that tables, sentences and figures share: waves in
calendar order, groups in the order project.yaml lists them, and their labels per language."""

from __future__ import annotations

from collections.abc import Iterable

from project.config import Project


def ordered_waves(project: Project, instrument: str, present: Iterable[object]) -> list[str]:
    """Waves in calendar order as declared in project.yaml; waves not declared come last."""
    declared = [w.id for w in project.waves if w.instrument == instrument]
    present_set = {str(w) for w in present}
    return [w for w in declared if w in present_set] + sorted(present_set - set(declared))


def wave_label(project: Project, instrument: str, wave: str, lang: str) -> str:
    """The wave's label in ``lang`` (its id when project.yaml does not declare it)."""
    for w in project.waves:
        if w.instrument == instrument and w.id == wave:
            return w.label(lang)
    return wave


def wave_short(project: Project, instrument: str, wave: str, lang: str) -> str:
    """The wave's short name in ``lang`` (``short`` in project.yaml, else its id)."""
    for w in project.waves:
        if w.instrument == instrument and w.id == wave:
            return w.short_label(lang)
    return wave


def group_label(project: Project, group_by: str, group: str, lang: str) -> str:
    """A staff group's or organisation's label in ``lang`` (other groups by their value)."""
    if group_by == "staff_group":
        return project.staff_group_label(group, lang)
    if group_by == "organisation":
        return project.organisation_label(group, lang)
    return group


def ordered_groups(project: Project, group_by: str, present: Iterable[object]) -> list[str]:
    """Groups in the order project.yaml lists them; groups not declared come last."""
    if group_by == "staff_group":
        declared = [g.id for g in project.staff_groups]
    elif group_by == "organisation":
        declared = [o.id for o in project.organisations]
    else:
        declared = []
    present_set = {str(g) for g in present}
    return [g for g in declared if g in present_set] + sorted(present_set - set(declared))
