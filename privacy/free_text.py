"""Free-text answers: find personnummer, e-mail addresses, phone numbers and roster names.

A survey's free-text columns (those an export profile declares as ``free_text``) are kept for
analysis, so they pass through here before anything is stored. What is found is either replaced by a
role label (``[personnummer]``, ``[e-post]``, ...) or makes the row's answers stay out of the store,
as ``privacy.free_text`` in project.yaml says (``redact`` or ``quarantine``). The patterns and the
Luhn check are :mod:`privacy.redact`'s, the same as for interview text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from privacy.redact import Redactor

#: The order the kinds are named in a quarantine detail.
KINDS = ("personnummer", "number", "email", "phone", "name")
SHOWN = {
    "personnummer": "personnummer",
    "number": "personnummer-like number",
    "email": "e-mail",
    "phone": "phone",
    "name": "name",
}


@dataclass(frozen=True)
class FreeTextScan:
    """The redacted text, and where something identifying was found (positions, not content)."""

    redacted: pd.DataFrame
    findings: pd.DataFrame  # position, column, kinds (e.g. "personnummer, e-mail")
    counts: dict[str, int]


def scan_free_text(frame: pd.DataFrame, redactor: Redactor) -> FreeTextScan:
    """Redact every cell of ``frame`` and list the cells that held something identifying.

    ``frame`` is not changed; ``findings.position`` is the row position in ``frame``.

    >>> from privacy.redact import Redactor
    >>> scan = scan_free_text(pd.DataFrame({"note": ["ring 070-123 45 67", "bra"]}), Redactor())
    >>> scan.redacted["note"].tolist(), scan.findings.to_dict("records")
    (['ring [telefon]', 'bra'], [{'position': 0, 'column': 'note', 'kinds': 'phone'}])
    """
    redacted = frame.copy()
    findings: list[dict] = []
    totals: dict[str, int] = {}
    for column in frame.columns:
        out: list[str | None] = []
        for position, value in enumerate(frame[column]):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                out.append(None)
                continue
            before = dict(redactor.counts)
            text = redactor.redact(str(value))
            found = [k for k in KINDS if redactor.counts.get(k, 0) > before.get(k, 0)]
            for k in found:
                totals[k] = totals.get(k, 0) + redactor.counts[k] - before.get(k, 0)
            if found:
                findings.append(
                    {
                        "position": position,
                        "column": str(column),
                        "kinds": ", ".join(SHOWN[k] for k in found),
                    }
                )
            out.append(text)
        redacted[column] = pd.Series(out, index=frame.index, dtype=object)
    return FreeTextScan(
        redacted,
        pd.DataFrame.from_records(findings, columns=["position", "column", "kinds"]),
        totals,
    )


def redact_detail(text: str, redactor: Redactor) -> str:
    """A quarantine detail with anything identifying replaced (details are short, but a person can
    type an e-mail address or personnummer into an answer cell)."""
    return str(redactor.redact(text))
