"""Redaction of segment text: names, personnummer, e-mail addresses and phone numbers → role labels.

Runs on every segment before anything is stored; the raw text stays only in the landed raw file.

- **Personnummer** (and samordningsnummer): ``YYMMDD-NNNN``, ``YYMMDD+NNNN``, ``YYYYMMDD-NNNN``,
  ``YYYYMMDDNNNN`` and ``YYMMDDNNNN``. A number whose last digit passes the Luhn check over the
  ten digits ``YYMMDDNNNN`` is replaced by ``[personnummer]``. A number of the same shape *with a
  separator* that fails the check is replaced too (a mistyped personnummer still points to a
  person), as ``[nummer]``; a bare run of digits that fails it is left alone (it is more likely an
  order or case number).
- **E-mail addresses** → ``[e-post]``.
- **Phone numbers** (Swedish forms: ``070-123 45 67``, ``+46 70 123 45 67``, ``08-123 456 78``)
  → ``[telefon]``.
- **Names** from the roster file and the configured list → ``[namn]``: whole names and their parts
  (first and last names on their own, also with a genitive ``s``), whole words only. Full names are
  matched regardless of case, single name parts only when capitalised (so the surname "Berg" does not
  take the word "berg").

Labels are Swedish by default (the material is); ``lang="en"`` gives ``[name]``, ``[email]`` …
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from project.errors import ConfigError

LABELS = {
    "sv": {
        "name": "[namn]",
        "personnummer": "[personnummer]",
        "number": "[nummer]",
        "email": "[e-post]",
        "phone": "[telefon]",
    },
    "en": {
        "name": "[name]",
        "personnummer": "[personal identity number]",
        "number": "[number]",
        "email": "[email]",
        "phone": "[phone]",
    },
}

_PNR = re.compile(r"(?<![\d\w-])(?:(\d{2})?(\d{6})([-+])(\d{4})|(\d{2})?(\d{6})(\d{4}))(?![\d\w])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w])")
_PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s-]?\(?\d{1,3}\)?(?:[\s-]?\d{2,4}){2,4}(?![\w])")


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by Swedish personnummer (over the ten digits YYMMDDNNNN).

    >>> luhn_valid("79927398713")  # the textbook Luhn example (not a personnummer)
    True
    >>> luhn_valid("79927398710")
    False
    """
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass
class Redactor:
    """Replaces identifying strings in text; counts what it replaced (never what the text was)."""

    names: tuple[str, ...] = ()
    lang: str = "sv"
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        if self.lang not in LABELS:
            raise ValueError(f"lang must be one of {', '.join(LABELS)}; got {self.lang!r}")
        full = sorted(
            {" ".join(n.split()) for n in self.names if n and n.strip()}, key=len, reverse=True
        )
        parts = sorted(
            {p for n in full for p in n.split() if len(p) >= 2 and p[0].isupper()} - set(full),
            key=len,
            reverse=True,
        )
        self._full = (
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in full)
                + r")(?:s)?(?!\w)",
                re.IGNORECASE,
            )
            if full
            else None
        )
        self._parts = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in parts) + r")(?:s)?(?!\w)")
            if parts
            else None
        )

    def _sub(self, pattern: re.Pattern[str] | None, kind: str, text: str) -> str:
        if pattern is None:
            return text
        text, n = pattern.subn(LABELS[self.lang][kind], text)
        self.counts[kind] += n
        return text

    def _pnr(self, m: re.Match[str]) -> str:
        if m.group(2):
            ten, separated = m.group(2) + m.group(4), True
        else:
            ten, separated = m.group(6) + m.group(7), False
        if luhn_valid(ten):
            self.counts["personnummer"] += 1
            return LABELS[self.lang]["personnummer"]
        if separated:
            self.counts["number"] += 1
            return LABELS[self.lang]["number"]
        return m.group(0)

    def redact(self, text: str | None) -> str | None:
        """The text with identifying strings replaced (``None`` stays ``None``)."""
        if text is None:
            return None
        out = _PNR.sub(self._pnr, str(text))
        out = self._sub(_EMAIL, "email", out)
        out = self._sub(_PHONE, "phone", out)
        out = self._sub(self._full, "name", out)
        out = self._sub(self._parts, "name", out)
        return out


def read_roster(path: Path) -> list[str]:
    """Names from a roster file: one name a line, or a CSV with a ``name``/``namn`` column.

    Raises
    ------
    ConfigError
        When the file is missing or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"project.yaml: interviews.roster points to {path.name}, which does not exist. "
            f"Hint: give the path relative to the project folder, or remove the key."
        )
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path.name}: the roster cannot be read ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path.name}: the roster cannot be read as UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at byte position {exc.start}, line {line}). Hint: save it as UTF-8."
        ) from exc
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return []
    first = lines[0]
    if any(sep in first for sep in (";", ",", "\t")):
        dialect = ";" if first.count(";") >= first.count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter="\t" if "\t" in first else dialect))
        header = [h.strip().casefold() for h in rows[0]]
        for col in ("name", "namn", "full name", "fullständigt namn"):
            if col in header:
                i = header.index(col)
                return [r[i].strip() for r in rows[1:] if len(r) > i and r[i].strip()]
        first_names = next(
            (header.index(c) for c in ("first name", "förnamn") if c in header), None
        )
        last_names = next(
            (header.index(c) for c in ("last name", "efternamn") if c in header), None
        )
        if first_names is not None and last_names is not None:
            return [
                f"{r[first_names].strip()} {r[last_names].strip()}"
                for r in rows[1:]
                if len(r) > max(first_names, last_names)
            ]
        raise ConfigError(
            f"{path.name}: the roster has no name column. Expected a column 'namn' or 'name' (or "
            f"'förnamn' and 'efternamn'); found {', '.join(rows[0][:6])}."
        )
    return [ln.strip() for ln in lines if not ln.lstrip().startswith("#")]


def make_redactor(names: Iterable[str], *, lang: str = "sv") -> Redactor:
    return Redactor(tuple(names), lang=lang)
