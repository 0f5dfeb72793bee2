"""The ``interviews:`` section of ``project.yaml``: codes, groups, rounds, coders, redaction.

Strict models (unknown keys are errors). This module must not import :mod:`project.config`, which
imports it.

Example
-------
.. code-block:: yaml

    interviews:
      stakeholder_groups:
        - {id: staff, labels: {sv: Personal, en: Staff},
           speaker: {sv: Medarbetare, en: Staff member}}
      rounds:
        - {id: r1, labels: {sv: Omgång 1, en: Round 1}}
      documents:                       # which document belongs to which group and round
        - {match: "^Personal", stakeholder_group: staff, round: r1}
      coders:
        - {id: coder_a, accept: [Kodare A]}
      project_codes:
        - {id: it_support, labels: {sv: IT-stöd, en: IT support}, construct: collective_action}
      code_map:                        # the tool's code path → codebook code
        "Projektkoder > IT": it_support
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from project.labels import Labels, normalise_label
from project.references import unknown_reference
from project.strict import Strict

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class ProjectCode(Strict):
    """A project's own code; ``children`` make a hierarchy. ``construct`` links it to NPT."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=_ID, description="Code id, unique across the codebook (NPT included).")
    labels: Labels = Field(description="The code's name, {sv, en}.")
    definition: Labels | None = Field(default=None, description="What the code covers, {sv, en}.")
    npt_construct: str | None = Field(
        default=None,
        alias="construct",
        description="The NPT construct the code counts towards (children inherit it); written "
        "construct:.",
    )
    children: tuple[ProjectCode, ...] = Field(default=(), description="Sub-codes.")


class StakeholderGroup(Strict):
    """A group of key persons (staff, steering group, relatives' organisations …).

    ``speaker`` is the role word quotes are attributed with (``Styrgruppsledamot 3``).
    """

    id: str = Field(pattern=_ID, description="Group id.")
    labels: Labels = Field(description="The group's name, {sv, en}.")
    speaker: Labels = Field(
        description="The role word quotes are attributed with, {sv, en}, e.g. Styrgruppsledamot."
    )
    accept: tuple[str, ...] = Field(
        default=(), description="Further spellings of the group in the export's document group."
    )

    def spellings(self) -> set[str]:
        return {normalise_label(s) for s in (self.id, self.labels.sv, self.labels.en, *self.accept)}


class Round(Strict):
    """A data-collection round (interviews in spring 2017, after the pilot, …)."""

    id: str = Field(pattern=_ID, description="Round id.")
    labels: Labels = Field(description="The round's name, {sv, en}.")
    start: dt.date | None = Field(
        default=None, description="First day (for your records; not used in calculations)."
    )
    end: dt.date | None = Field(
        default=None, description="Last day (for your records; not used in calculations)."
    )
    accept: tuple[str, ...] = Field(
        default=(), description="Further spellings of the round in a .qdpx variable."
    )

    def spellings(self) -> set[str]:
        return {normalise_label(s) for s in (self.id, self.labels.sv, self.labels.en, *self.accept)}


class DocumentRule(Strict):
    """Documents whose name (or document group) matches ``match`` belong to a group and round.

    ``match`` is a regular expression searched case-insensitively; the first matching rule wins.
    """

    match: str = Field(
        description="A regular expression searched, ignoring case, in the document's name (or "
        "document group)."
    )
    field: Literal["document", "document_group"] = Field(
        default="document", description="Where match is searched: document or document_group."
    )
    stakeholder_group: str = Field(description="The stakeholder group of matching documents.")
    round: str = Field(description="The round of matching documents.")

    @field_validator("match")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from exc
        return value


class Coder(Strict):
    """A coder: the id stored and reported, and the user names the QDA tool exports."""

    id: str = Field(pattern=_ID, description="Coder id, stored and reported.")
    accept: tuple[str, ...] = Field(
        default=(), description="The user names the QDA tool writes for this coder."
    )

    def spellings(self) -> set[str]:
        return {normalise_label(s) for s in (self.id, *self.accept)}


class Quotes(Strict):
    """How exemplar quotes are chosen (see ``analysis/codings.py``)."""

    per_cell: int = Field(
        default=1, ge=0, le=5, description="Quotes per construct × stakeholder group (0–5)."
    )
    min_chars: int = Field(default=60, ge=1, description="The shortest quote, in characters.")
    max_chars: int = Field(default=320, ge=20, description="The longest quote, in characters.")


Level = Literal["nominal", "ordinal", "interval", "ratio"]
Unit = Literal["segment", "document"]


class CodeGroup(Strict):
    """Codes that are the categories of one variable: each coder gives a segment one of them (which
    NPT construct it speaks to, how strong a barrier is). Agreement is then computed on the
    category per segment and coder (code-as-category), besides the presence/absence of each code.

    ``codes`` are codebook ids in order (the order matters for ``ordinal``); with
    ``include_children`` a code under one of them (a sub-construct, a project code linked to a
    construct, a project code's child) counts as it. ``levels``: the levels of measurement alpha is
    computed at. ``values``: the number each code stands for (``interval``, ``ratio``, linear and
    quadratic kappa; default 1, 2, …). ``kappa_weights``: ``none``, ``linear``, ``quadratic`` or a
    matrix of disagreement weights over ``codes`` (0 on the diagonal), for a weighted kappa beside
    the unweighted one.
    """

    id: str = Field(pattern=_ID, description="The group's id, shown in results and report.")
    labels: Labels | None = Field(default=None, description="The group's name, {sv, en}.")
    codes: tuple[str, ...] = Field(
        min_length=2, description="The codebook codes that are the group's categories, in order."
    )
    include_children: bool = Field(
        default=True, description="A code's sub-codes count as the code."
    )
    levels: tuple[Level, ...] = Field(
        default=("nominal",),
        min_length=1,
        description="Krippendorff's alpha at these levels: nominal, ordinal, interval, ratio.",
    )
    values: tuple[float, ...] | None = Field(
        default=None,
        description="Numeric values of the categories for interval and ratio alpha (default "
        "1, 2, 3, ...).",
    )
    kappa_weights: Literal["none", "linear", "quadratic"] | tuple[tuple[float, ...], ...] = Field(
        default="none",
        description="Weighted kappa: linear, quadratic, or a weight matrix; none for Cohen's kappa.",
    )

    @model_validator(mode="after")
    def _check(self) -> CodeGroup:
        where = f"code group {self.id}"
        named: tuple[tuple[str, list[str]], ...] = (
            ("codes", list(self.codes)),
            ("levels", [str(level) for level in self.levels]),
        )
        for what, items in named:
            dup = sorted({str(i) for i in items if items.count(i) > 1})
            if dup:
                raise ValueError(f"{where}: {what} repeated: {', '.join(dup)}")
        k = len(self.codes)
        if self.values is not None and len(self.values) != k:
            raise ValueError(f"{where}: {len(self.values)} values for {k} codes; give one each")
        if "ratio" in self.levels and self.values is not None and min(self.values) < 0:
            raise ValueError(f"{where}: the ratio level needs values of 0 or more")
        weights = self.kappa_weights
        if not isinstance(weights, str):
            square = len(weights) == k and all(len(row) == k for row in weights)
            if not square or any(weights[i][i] != 0 for i in range(k)):
                raise ValueError(
                    f"{where}: kappa_weights must be a {k} × {k} matrix of disagreement weights "
                    f"with 0 on the diagonal"
                )
            if any(w < 0 for row in weights for w in row):
                raise ValueError(f"{where}: kappa_weights must not be negative")
        return self


class AgreementSettings(Strict):
    """How agreement is computed beyond the unit (``interviews.unit_of_analysis``).

    ``bootstrap_samples``: replicates of Krippendorff's alpha's bootstrap interval (Hayes &
    Krippendorff 2007; 0: no interval), drawn with ``seed`` so that a rerun gives the same
    interval. ``confidence``: the level of every interval. ``code_groups``: code-as-category
    variables (:class:`CodeGroup`).
    """

    bootstrap_samples: int = Field(
        default=5000,
        ge=0,
        le=200_000,
        description="Bootstrap resamples for Krippendorff's alpha's interval (0: no interval).",
    )
    seed: int = Field(default=20070401, ge=0, description="The bootstrap's random seed.")
    confidence: float = Field(
        default=0.95, gt=0.5, lt=1, description="The confidence level of the intervals."
    )
    code_groups: tuple[CodeGroup, ...] = Field(
        default=(),
        description="Codes coded as one category per unit (e.g. which NPT construct a segment "
        "shows), whose agreement is computed as a categorical variable.",
    )


class InterviewsConfig(Strict):
    """Interview codings: codebook additions, mapping, groups, rounds, coders, redaction."""

    npt: bool = Field(default=True, description="Include the built-in NPT codebook.")
    project_codes: tuple[ProjectCode, ...] = Field(
        default=(),
        description="The project's own codes (nested with children, linked to NPT with construct).",
    )
    code_map: dict[str, str] = Field(
        default_factory=dict, description="The QDA tool's code path → a codebook code id."
    )
    auto_map: bool = Field(
        default=True, description="Map code paths not listed in code_map by their names."
    )
    stakeholder_groups: tuple[StakeholderGroup, ...] = Field(
        description="The groups of key persons interviewed."
    )
    rounds: tuple[Round, ...] = Field(description="The data-collection rounds.")
    documents: tuple[DocumentRule, ...] = Field(
        default=(),
        description="Rules giving each document a stakeholder group and round; the first match "
        "wins.",
    )
    coders: tuple[Coder, ...] = Field(
        description="The coders: ids stored and reported, and the user names the tool exports."
    )
    primary_coder: str | None = Field(
        default=None,
        description="Whose codings count in double-coded documents (frequencies, quotes).",
    )
    unit_of_analysis: tuple[Unit, ...] = Field(
        default=("segment",),
        min_length=1,
        description="The unit(s) of the agreement statistics: segment (segment × code "
        "decisions), document (a code's existence per document), or both as a list.",
    )
    min_overlap: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="For segment: how much two coders' segments must overlap, as a share of the "
        "shorter one, to be one unit.",
    )
    agreement: AgreementSettings = Field(
        default=AgreementSettings(),
        description="Agreement settings: the bootstrap for Krippendorff's alpha and the code "
        "groups coded as one category per unit (docs/interviews.md).",
    )
    redact_names: tuple[str, ...] = Field(
        default=(), description="Names removed from segment text."
    )
    roster: str | None = Field(
        default=None,
        description="A file of further names to remove, relative to the project folder.",
    )
    quotes: Quotes = Field(default=Quotes(), description="How exemplar quotes are chosen.")

    @field_validator("unit_of_analysis", mode="before")
    @classmethod
    def _one_or_more_units(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_agreement(self) -> InterviewsConfig:
        from project.codebook import build_codebook

        units = list(self.unit_of_analysis)
        if len(set(units)) != len(units):
            raise ValueError("interviews.unit_of_analysis: a unit is listed twice")
        groups = [g.id for g in self.agreement.code_groups]
        dup = sorted({i for i in groups if groups.count(i) > 1})
        if dup:
            raise ValueError(f"interviews.agreement: code group ids repeated: {', '.join(dup)}")
        known = set(build_codebook(self).ids())
        for group in self.agreement.code_groups:
            unknown = [c for c in group.codes if c not in known]
            if unknown:
                raise unknown_reference(
                    f"interviews.agreement.code_groups[{group.id}].codes",
                    unknown[0],
                    "codebook code",
                    known,
                    section="interviews.project_codes",
                )
        return self

    @model_validator(mode="after")
    def _check(self) -> InterviewsConfig:
        from project.codebook import build_codebook

        for what, ids in (
            ("stakeholder group", [g.id for g in self.stakeholder_groups]),
            ("round", [r.id for r in self.rounds]),
            ("coder", [c.id for c in self.coders]),
        ):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(
                    f"interviews: {what} ids must be unique; repeated: {', '.join(dup)}"
                )
        groups = {g.id for g in self.stakeholder_groups}
        rounds = {r.id for r in self.rounds}
        for i, rule in enumerate(self.documents, start=1):
            where = f"interviews.documents[#{i}]"
            if rule.stakeholder_group not in groups:
                raise unknown_reference(
                    f"{where}.stakeholder_group",
                    rule.stakeholder_group,
                    "stakeholder group",
                    groups,
                    section="interviews.stakeholder_groups",
                )
            if rule.round not in rounds:
                raise unknown_reference(
                    f"{where}.round", rule.round, "round", rounds, section="interviews.rounds"
                )
        coders = [c.id for c in self.coders]
        if self.primary_coder and self.primary_coder not in coders:
            raise unknown_reference(
                "interviews.primary_coder",
                self.primary_coder,
                "coder",
                coders,
                section="interviews.coders",
            )
        codebook = build_codebook(self)
        known = set(codebook.ids())
        constructs = {c.id for c in codebook.constructs()}
        for tool_code, target in self.code_map.items():
            if target not in known:
                raise unknown_reference(
                    f"interviews.code_map[{tool_code}]",
                    target,
                    "codebook code",
                    known,
                    section="interviews.project_codes",
                )
        for code in codebook.codes:
            if code.level == "project" and code.construct and code.construct not in constructs:
                raise ValueError(
                    f"interviews.project_codes: {code.id}: construct {code.construct!r} is not an "
                    f"NPT construct"
                )
        return self

    def group(self, group_id: str) -> StakeholderGroup:
        return next(g for g in self.stakeholder_groups if g.id == group_id)

    def round_label(self, round_id: str, lang: str) -> str:
        for r in self.rounds:
            if r.id == round_id:
                return r.labels.get(lang)
        return round_id

    def group_label(self, group_id: str, lang: str) -> str:
        for g in self.stakeholder_groups:
            if g.id == group_id:
                return g.labels.get(lang)
        return group_id
