"""How a pydantic validation error in a settings file reads to the person who wrote the file.

Used by :func:`project.errors.format_pydantic_error`: the place is named by ids
(``waves[T1].opens``), the problem says what is expected with an example, an unknown key names the
nearest valid one. Values are repeated only for dates, numbers and choices: free text in a settings
file may hold a name (``redact_names``, ``evaluator``, a coder's user name).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from project.errors import nearest

DATE = "a date as YYYY-MM-DD, e.g. 2018-03-01"
EXPECTED = {
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "date_parsing": DATE,
    "date_type": DATE,
    "datetime_parsing": "a date and time as YYYY-MM-DD HH:MM, e.g. 2018-03-01 09:00",
    "datetime_type": "a date and time as YYYY-MM-DD HH:MM, e.g. 2018-03-01 09:00",
    "int_parsing": "a whole number, e.g. 5",
    "int_type": "a whole number, e.g. 5",
    "int_from_float": "a whole number, e.g. 5",
    "float_parsing": "a number with a decimal point, e.g. 0.5",
    "float_type": "a number with a decimal point, e.g. 0.5",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": 'text (put quotes around text that looks like a number or a date, e.g. "2018")',
    "tuple_type": "a list, e.g. [a, b] or one `- item` a line",
    "list_type": "a list, e.g. [a, b] or one `- item` a line",
    "dict_type": "a mapping of keys, e.g. {key: value}",
    "model_type": "a mapping of keys (key: value, one a line, or {key: value, ...})",
    "model_attributes_type": "a mapping of keys (key: value, one a line, or {key: value, ...})",
}
"""What each pydantic error type expects, in words with an example."""

ECHOED = {
    *(t for t, e in EXPECTED.items() if e.startswith(("a date", "a whole", "a number", "true"))),
    "literal_error",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
}
"""Error types whose value is repeated in the message (dates, numbers, choices)."""

PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": (
        "an id of letters, digits, _ . or - that starts with a letter or digit, e.g. T0",
        "A-Za-z0-9_.-",
    ),
    r"^[a-z0-9][a-z0-9_]*$": (
        "a lowercase id of letters, digits and _, e.g. days_ready",
        "a-z0-9_",
    ),
    r"^[a-z][a-z0-9_-]*$": (
        "a lowercase id of letters, digits, _ and - that starts with a letter, e.g. nomad",
        "a-z0-9_-",
    ),
    r"^[a-z0-9][a-z0-9-]*$": (
        "a lowercase id of letters, digits and -, e.g. my-evaluation",
        "a-z0-9-",
    ),
}
"""The id patterns of our models: (what they mean, the characters they allow)."""

LABELS_EXAMPLE = "a text in Swedish and English, e.g. {sv: Sjukhus A, en: Hospital A}"
BOUNDS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


def location(loc: Sequence[str | int], data: object, *, missing: bool = False) -> str:
    """``('waves', 1, 'opens')`` → ``waves[T1].opens``, naming list entries by their id in ``data``.

    Entries without an id, and an entry whose id is the problem, are named by their number
    (counting from 1). Parts of ``loc`` that are not keys of ``data`` (pydantic's names for the
    members of a union) are left out, except a missing key at the end.

    >>> location(("waves", 1, "opens"), {"waves": [{"id": "T0"}, {"id": "T1", "opens": "x"}]})
    'waves[T1].opens'
    >>> location(("documents", 1, "round"), {"documents": [{}, {"match": "x"}]}, missing=True)
    'documents[#2].round'
    >>> location(("coders", 0, "id"), {"coders": [{"id": "A Name"}]})
    'coders[#1].id'
    """
    out = ""
    node: Any = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, int):
            entry = node[part] if isinstance(node, list) and part < len(node) else None
            named = isinstance(entry, dict) and isinstance(entry.get("id"), str | int)
            by_id = named and loc[i + 1 : i + 2] != ("id",)
            out += f"[{entry['id']}]" if by_id else f"[#{part + 1}]"  # type: ignore[index]
            node = entry
        elif data is None or (isinstance(node, dict) and part in node) or (last and missing):
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def describe_error(err: dict[str, Any], model: type | None) -> str:
    """What is wrong and what is expected, for one of pydantic's ``errors()``."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    found = _found(err) if kind in ECHOED else ""
    if kind == "extra_forbidden":
        return _unknown_key(err["loc"], model)
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = nearest(str(err["input"]), choices) if choices else None
        tail = f" Did you mean `{hint}`?" if hint else ""
        return f"expected one of {', '.join(choices)}{found}.{tail}"
    if kind == "string_pattern_mismatch":
        return _pattern(str(ctx.get("pattern", "")), err.get("input"))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next((f"{BOUNDS[k]} {v}" for k, v in ctx.items() if k in BOUNDS), "")
        return f"expected a number {bound}{found}"
    if kind in ("too_short", "too_long"):
        return f"expected {err['msg'].removeprefix('Value should have ').replace('Value', 'it')}"
    if kind == "model_type" and ctx.get("class_name") == "Labels":
        return f"expected {LABELS_EXAMPLE}"
    if kind in EXPECTED:
        reason = str(ctx.get("error", ""))
        because = f" ({reason})" if reason and found else ""
        return f"expected {EXPECTED[kind]}{found}{because}"
    return str(err["msg"]).removeprefix("Value error, ")


def _found(err: dict[str, Any]) -> str:
    value = err.get("input")
    if isinstance(value, dict | list | tuple):
        return ""
    text = repr(value) if isinstance(value, str) else str(value)
    return f"; found {text[:40]}"


def _pattern(pattern: str, value: object) -> str:
    meaning, allowed = PATTERNS.get(pattern, (f"text matching {pattern}", ""))
    text = str(value) if value is not None else ""
    if not text:
        return f"expected {meaning}; found an empty value"
    bad = sorted({c for c in text if not re.fullmatch(f"[{allowed}]", c)}) if allowed else []
    if bad:
        shown = ", ".join("a space" if c == " " else repr(c) for c in bad)
        return f"expected {meaning}; found {shown}"
    return f"expected {meaning}; found a value that does not start with a letter or digit"


def _unknown_key(loc: Sequence[str | int], model: type | None) -> str:
    keys = _keys_at(model, loc[:-1]) if model is not None else []
    typed = str(loc[-1]) if loc else ""
    hint = nearest(typed, keys) if keys else None
    listed = f" Expected one of {', '.join(keys)}." if keys and len(keys) <= 12 else ""
    if hint:
        return f"unknown key.{listed} Did you mean `{hint}`?"
    return f"unknown key.{listed} Hint: check its spelling, or remove it."


def _keys_at(model: type, path: Sequence[str | int]) -> list[str]:
    """The keys the model at ``path`` (below ``model``) accepts; [] when that is not a model."""
    current: Any = model
    for part in path:
        if isinstance(part, int) or not _is_model(current):
            continue
        field = _fields(current).get(part)
        if field is not None:
            current = _inner(field.annotation)
    return list(_fields(current)) if _is_model(current) else []


def _is_model(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _fields(model: Any) -> dict[str, Any]:
    """Keys a model accepts in a file (a field's alias when it has one) → the field."""
    return {(f.alias or name): f for name, f in model.model_fields.items()}


def _inner(annotation: Any) -> Any:
    """The model inside ``X | None``, ``tuple[X, ...]``, ``list[X]`` or ``dict[str, X]``."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None) and a is not Ellipsis]
    if origin in (typing.Union, types.UnionType, tuple, list, dict) and args:
        return _inner(args[-1])
    return annotation


# -- YAML syntax errors -------------------------------------------------------------------------

SENSITIVE_KEYS = {"redact_names", "evaluator", "accept", "coders"}
"""Keys whose values may name persons: a quoted line shows their structure, not their letters."""


def yaml_error_message(source: str, text: str, exc: Exception) -> str:
    """A YAML syntax error as ``<source> line N, column C: not valid YAML: …`` with a hint, then the
    offending line with its number and a caret under the column.

    For an unclosed bracket, brace or quote the line where it was opened is quoted.
    """
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    mark = getattr(exc, "problem_mark", None)
    opened = getattr(exc, "context_mark", None)
    if mark is None:
        return f"{source}: not valid YAML ({problem or exc}). Hint: check the indentation."
    lines = text.splitlines()
    what, hint, at = _yaml_problem(problem, context, mark, opened, lines)
    line = lines[at.line] if at.line < len(lines) else ""
    number = str(at.line + 1)
    return (
        f"{source} line {at.line + 1}, column {at.column + 1}: not valid YAML: {what}. "
        f"Hint: {hint}\n  {number} | {_mask(lines, at.line)}\n  {' ' * len(number)} | "
        f"{' ' * len(line[: at.column].expandtabs(1))}^"
    )


def _yaml_problem(problem: str, context: str, mark: Any, opened: Any, lines: list[str]) -> Any:
    """(what is wrong, a hint, the mark to show) for one YAML error."""
    for word, sign, close in (("flow mapping", "{", "}"), ("flow sequence", "[", "]")):
        if word in context and opened is not None:
            return (
                f"the {sign} opened here is not closed",
                f"close it with {close} on the same line, or write the entries as indented lines.",
                opened,
            )
    if "quoted scalar" in context and opened is not None:
        return (
            "the quote opened here is not closed",
            "end the text with the same kind of quote it starts with.",
            opened,
        )
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1]:
        return "a tab character", "YAML indents with spaces, not tabs.", mark
    if "mapping values are not allowed" in problem:
        return (
            "a ': ' where no key can start",
            'put quotes around a value that holds ": " (e.g. funder: "Fonden: del 2"), or line '
            "up this key with the keys above it.",
            mark,
        )
    if "block" in context or "block" in problem or "indicator" in problem:
        return (
            "the indentation does not match the lines above",
            "keys of one mapping start in the same column; list entries start with '- '.",
            mark,
        )
    return problem or "cannot be read", "check the indentation, brackets and quotes.", mark


def _mask(lines: list[str], index: int) -> str:
    """The line as it can be shown: values under a key that may name persons, e-mail addresses
    and personnummer are replaced by x's of the same length (the caret still lines up)."""
    line = lines[index]
    x = lambda m: "x" * len(m.group(0))  # noqa: E731
    line = re.sub(r"\S+@\S+|\d{6,8}[-+]?\d{4}", x, line)
    keys = _enclosing_keys(lines, index)
    if keys & SENSITIVE_KEYS:
        head, sep, tail = line.partition(":") if ":" in line else ("", "", line)
        if not sep or head.strip().lstrip("- ") in SENSITIVE_KEYS:
            line = head + sep + re.sub(r"\w+", x, tail)
    return line


def _enclosing_keys(lines: list[str], index: int) -> set[str]:
    """The keys of the line and of the blocks it sits in (by indentation, upwards)."""
    keys: set[str] = set()
    indent = len(lines[index]) + 1
    for line in reversed(lines[: index + 1]):
        stripped = line.lstrip(" -")
        width = len(line) - len(line.lstrip(" "))
        if stripped and not stripped.startswith("#") and width < indent:
            key = re.match(r"([A-Za-z_][\w-]*)\s*:", stripped)
            if key:
                keys.add(key.group(1))
            indent = width
    return keys
