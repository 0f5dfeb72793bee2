"""Cross-references inside project.yaml, checked when the project loads.

An id that points at something project.yaml declares elsewhere (a wave's instrument, the
organisations and staff groups of ``invited_by``, a goal's indicator, an interview document rule's
group and round, a ``code_map`` target, ...) must name something declared. A typo would otherwise
pass silently (``invited_by: [{organisation: ekbaken}]`` counted nobody, and the response rate read
0 %), so it is one line naming the entry by its id, the value, the valid ids and the nearest one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from project.errors import nearest

if TYPE_CHECKING:
    from project.config import Project

#: How many valid ids a message lists before "…".
SHOWN = 12


def unknown_reference(
    where: str, value: object, what: str, valid: Iterable[str], *, section: str
) -> ValueError:
    """The error for ``value`` at ``where`` that names no declared ``what``.

    >>> str(unknown_reference("waves[T1].invited_by[#1].organisation", "ekbaken",
    ...     "organisation", ["ekbacken", "hc_strand"], section="organisations"))
    "waves[T1].invited_by[#1].organisation: 'ekbaken' is not a declared organisation. Expected one of ekbacken, hc_strand. Hint: did you mean 'ekbacken'?"
    """
    known = sorted(set(valid))
    listed = ", ".join(known[:SHOWN]) + (", …" if len(known) > SHOWN else "")
    guess = nearest(str(value), known)
    hint = f"did you mean {guess!r}?" if guess else f"declare it under {section}, or fix the id."
    expected = f"Expected one of {listed}." if known else "None is declared."
    return ValueError(f"{where}: {str(value)!r} is not a declared {what}. {expected} Hint: {hint}")


def check_wave_references(project: Project) -> None:
    """Each wave's instrument and the organisations and staff groups of its ``invited_by``."""
    organisations = [o.id for o in project.organisations]
    groups = [g.id for g in project.staff_groups]
    for wave in project.waves:
        where = f"waves[{wave.id}]"
        if wave.instrument not in project.instrument_ids:
            raise unknown_reference(
                f"{where}.instrument",
                wave.instrument,
                "instrument",
                project.instrument_ids,
                section="instruments",
            )
        for n, count in enumerate(wave.invited_by, start=1):
            entry = f"{where}.invited_by[#{n}]"
            if count.organisation is not None and count.organisation not in organisations:
                raise unknown_reference(
                    f"{entry}.organisation",
                    count.organisation,
                    "organisation",
                    organisations,
                    section="organisations",
                )
            if count.staff_group is not None and count.staff_group not in groups:
                raise unknown_reference(
                    f"{entry}.staff_group",
                    count.staff_group,
                    "staff group",
                    groups,
                    section="staff_groups",
                )
