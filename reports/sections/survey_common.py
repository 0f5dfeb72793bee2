"""What every part of the survey section shares: one instrument's view of its results (order of
waves and scales, how its scales are named) and the methods text generated from its spec."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from instruments.spec import InstrumentSpec
from project.config import Project
from reports import disclosure
from reports.content import Source, Table, source
from reports.labels import ordered_waves, wave_label, wave_short
from reports.strings import Strings

H = "headers."
"""The strings of the common table headers."""


@dataclass(frozen=True)
class Instrument:
    """One instrument of the survey, its results and the report's language."""

    project: Project
    spec: InstrumentSpec
    s: Strings
    tables: Mapping[str, pd.DataFrame | None]

    def get(self, name: str) -> pd.DataFrame | None:
        """The instrument's rows of results table ``name`` (``None`` when it has none)."""
        return self.tables.get(name)

    @property
    def lang(self) -> str:
        return self.s.lang

    @property
    def threshold(self) -> int:
        return self.project.privacy.min_cell_size

    @cached_property
    def scale_order(self) -> dict[str, int]:
        return {sc.id: i for i, sc in enumerate(self.spec.scales)}

    @cached_property
    def kind(self) -> str:
        """``"npt"`` when the scales are NPT constructs (NoMAD), else ``"scale"``."""
        items = [self.spec.item(i) for sc in self.spec.scales for i in sc.items]
        return "npt" if items and all(it.npt_construct for it in items) else "scale"

    @property
    def scale_header(self) -> str:
        return self.s("headers.construct" if self.kind == "npt" else "headers.scale")

    @property
    def kind_words(self) -> str:
        return self.s(f"survey.kind.{self.kind}")

    @property
    def short_name(self) -> str:
        """The instrument's name before its explanation ("NoMAD – mätning av …" → "NoMAD")."""
        return self.spec.name.get(self.lang).split(" – ")[0].strip()

    def number(self, x: object, decimals: int = 0) -> str:
        return disclosure.format_number(x, decimals=decimals, lang=self.lang)

    def waves(self, df: pd.DataFrame) -> list[str]:
        """The waves in ``df`` in calendar order."""
        return ordered_waves(self.project, self.spec.id, df["wave"].astype(str).unique())

    def waves_in_order(self, waves: list[str]) -> list[str]:
        return ordered_waves(self.project, self.spec.id, waves)

    def wave_label(self, wave: object) -> str:
        return wave_label(self.project, self.spec.id, str(wave), self.lang)

    def contrast_label(self, contrast: object) -> str:
        """A contrast between waves (``T1 - T0``) with each wave by its short name in the
        report's language (``short`` in project.yaml, else its id), joined by an en dash."""
        return " – ".join(
            wave_short(self.project, self.spec.id, w.strip(), self.lang)
            for w in str(contrast).split(" - ")
        )

    def range_words(self) -> str:
        """``skala 1–5`` for mean scores on one response set; ``summapoäng`` for sums."""
        ranges = {self.spec.score_range(sc.id) for sc in self.spec.scales}
        if len(ranges) == 1 and all(sc.method == "mean" for sc in self.spec.scales):
            low, high = next(iter(ranges))
            return self.s("survey.range_mean", low=self.number(low), high=self.number(high))
        return self.s("survey.range_sum")

    def by_construct_and_wave(self, df: pd.DataFrame) -> pd.DataFrame:
        """Rows in spec order of scales, then wave order, with the construct's label added."""
        waves = self.waves(df)
        df = df.assign(
            _s=df["scale"].map(self.scale_order),
            _w=df["wave"].astype(str).map({w: i for i, w in enumerate(waves)}),
        ).sort_values(["_s", "_w"], kind="stable")
        return df.assign(construct=[self.spec.scale(x).label.get(self.lang) for x in df["scale"]])

    def format(
        self, df: pd.DataFrame, columns: Sequence[disclosure.Column], **options: object
    ) -> pd.DataFrame:
        """:func:`reports.disclosure.format_table` with the project's small-cell threshold."""
        return disclosure.format_table(
            df,
            columns,
            lang=self.lang,
            threshold=self.threshold,
            **options,  # type: ignore[arg-type]
        )

    def table(
        self, frame: pd.DataFrame, caption: str, name: str, rows: pd.DataFrame | int
    ) -> Table:
        """A table of this instrument shown from ``rows`` of results table ``name``."""
        table = Table(frame, caption=caption, note_prefix=self.s("note_prefix"))
        return table.sourced(self.source(name, rows))

    def source(self, name: str, rows: pd.DataFrame | int, **where: object) -> Source:
        """``rows`` of this instrument in results table ``name``."""
        return source(name, rows, kind="survey", instrument=self.spec.id, **where)


def blank_repeats(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Show a label only where it changes (easier to read in long tables)."""
    out = frame.copy()
    values = out[column].tolist()
    out[column] = [v if i == 0 or v != values[i - 1] else "" for i, v in enumerate(values)]
    out.attrs = dict(frame.attrs)
    return out


def join_words(words: Sequence[str], s: Strings) -> str:
    """``a, b och c``."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {s('methods.and')} " + words[-1]


def method_in_words(method: object, s: Strings) -> str:
    """A results file's ``method`` (a code or analysis' English text) in the report's language.

    >>> from reports.strings import report_strings
    >>> method_in_words("Cronbach's alpha, listwise; 97.5% CI Feldt (F distribution)",
    ...                 report_strings("sv"))
    'Cronbachs alfa (listvis bortfall), 97,5 % KI enligt Feldt'
    >>> method_in_words("cronbach_alpha", report_strings("en"))
    "Cronbach's alpha"
    """
    text = "" if disclosure.is_missing(method) else str(method)
    named = s.get(f"methods_names.{text}", "")
    if named:
        return named
    for pattern in s.raw("methods_patterns"):
        m = re.match(pattern["match"], text)
        if m:
            values = {
                k: disclosure.format_number(float(v), decimals=_decimals(v), lang=s.lang)
                for k, v in m.groupdict().items()
            }
            return str(pattern["text"]).format(**values)
    return text.replace("_", " ")


def _decimals(number_text: str) -> int:
    return len(number_text.split(".")[1]) if "." in number_text else 0


def methods_paragraphs(ins: Instrument) -> list[str]:
    """How one instrument was scored, generated from its spec (variant and reverse keys included)."""
    spec, s, lang = ins.spec, ins.s, ins.lang
    scale_items = list(dict.fromkeys(i for sc in spec.scales for i in sc.items))
    sets = {spec.item(i).response_set for i in scale_items}
    if not (spec.scales and len(sets) == 1):
        return []
    rs = spec.response_sets[next(iter(sets))]
    low_opt = min(rs.options, key=lambda o: o.code) if rs.options else None
    high_opt = max(rs.options, key=lambda o: o.code) if rs.options else None
    needed = [
        s(
            "methods.min_answered_item",
            k=ins.number(sc.required_answers()),
            n=ins.number(len(sc.items)),
            scale=sc.label.get(lang),
        )
        for sc in spec.scales
    ]
    summed = all(sc.method == "sum" for sc in spec.scales)
    text = s(
        "methods.scoring_sum" if summed else "methods.scoring",
        kind=ins.kind_words,
        low=ins.number(rs.low),
        high=ins.number(rs.high),
        low_label=low_opt.labels.get(lang) if low_opt else "",
        high_label=high_opt.labels.get(lang) if high_opt else "",
        min_answered=join_words(needed, s),
    )
    reversed_items = [spec.item(i).source_code for i in scale_items if spec.item(i).reverse]
    if reversed_items:
        key = "methods.reversed_one" if len(reversed_items) == 1 else "methods.reversed"
        text += " " + s(key, items=join_words(reversed_items, s), rule=ins.number(rs.low + rs.high))
    elif not spec.reverse_keys_confirmed:
        text += " " + s("methods.reverse_none", instrument=ins.short_name)
    if rs.not_applicable:
        opening, closing = s("methods.quote_open"), s("methods.quote_close")
        labels = [f"{opening}{na.labels.get(lang)}{closing}" for na in rs.not_applicable]
        text += " " + s("methods.not_applicable", labels=join_words(labels, s))
    numeric = [it for it in spec.items if spec.response_sets[it.response_set].type == "numeric"]
    if numeric:
        nrs = spec.response_sets[numeric[0].response_set]
        text += " " + s(
            "methods.general",
            items=join_words([it.source_code for it in numeric], s),
            low=ins.number(nrs.low),
            high=ins.number(nrs.high),
        )
    return [text]
