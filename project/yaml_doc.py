"""``docs/project-yaml.md``, generated from the models that read project.yaml.

Every key, its type, default and description comes from the pydantic models (:class:`Project` and
the models below it), so the page cannot drift from what the code accepts: a test fails when the
committed page differs from :func:`render_project_yaml_doc`. Write it again with ``make docs``
(``python -m project.yaml_doc docs/project-yaml.md``).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from project.config import Project
from project.labels import Labels
from project.messages import PATTERNS

INTRO = """\
# project.yaml

<!-- Generated from the models in project/ by `make docs`; edit their descriptions, not this page. -->

`project.yaml` says what an evaluation covers. It is read into strict models (`project/config.py`,
`project/indicators.py`, `project/interviews.py`): an unknown or misspelt key is an error that
names it and the nearest valid key, e.g. `project.yaml: waves[T1].invted_by: unknown key. ... Did
you mean `invited_by`?`. List entries are named by their id (`waves[T1]`), or by their number
counting from 1 when they have none (`documents[#2]`). `impleval init DIR` writes a commented
template with every section.

Texts in two languages are written `{sv: ..., en: ...}`; dates as `YYYY-MM-DD`.

Organisation, unit and staff-group cells in an export are matched to `labels.sv`, `labels.en`, `id`
or an `accept` spelling, ignoring case, extra whitespace and typographic quotes (and, as a fallback,
diacritics). A value that matches none quarantines its row with the rule `unknown_organisation`,
`unknown_unit` or `unknown_staff_group`: add the spelling under `accept` and ingest again.

Exports dropped into `inbox/` are picked up by `impleval run`:
- survey exports named `<instrument>_<wave>.xlsx`, `.csv` or `.sav` (e.g. `nomad_T0.xlsx`) for a
  declared wave;
- `indicators_*.csv|xlsx` when indicators or outcomes are declared;
- `codings_*.csv|xlsx|qdpx` when the project has an `interviews:` section.

More on some sections: [instruments.md](instruments.md) (instruments and project-local specs),
[export-profiles.md](export-profiles.md) (a wave's `profile`), [indicators.md](indicators.md)
(indicators, outcomes, goals, activities), [interviews.md](interviews.md), [privacy.md](privacy.md)
and [survey-statistics.md](survey-statistics.md) (`survey`).
"""


def render_project_yaml_doc() -> str:
    """The Markdown of ``docs/project-yaml.md``: the intro, then one table per model."""
    parts = [INTRO]
    models = list(_models(Project, ""))
    where = {model: path for path, model in models}
    for path, model in models:
        title = f"`{path}`" if path else "The top level"
        parts.append(f"\n## {title} ({model.__name__})\n")
        doc = _docstring(model)
        if doc:
            parts.append(f"\n{doc}\n")
        parts.append("\n| key | type | default | description |\n|---|---|---|---|\n")
        for key, field in _fields(model):
            parts.append(
                f"| `{key}` | {_type(field.annotation, where)}{_constraints(field.metadata)} | "
                f"{_default(field)} | "
                f"{_cell(field.description or '')} |\n"
            )
    return "".join(parts)


def _models(model: type[BaseModel], path: str) -> Iterator[tuple[str, type[BaseModel]]]:
    """(where in the file, model) for the model and, depth first, the models under it."""
    seen: set[type] = set()

    def walk(model: type[BaseModel], path: str) -> Iterator[tuple[str, type[BaseModel]]]:
        seen.add(model)
        yield path, model
        for key, field in _fields(model):
            inner, many = _inner_model(field.annotation)
            if inner is not None and inner not in seen and inner is not Labels:
                yield from walk(inner, f"{path}.{key}".lstrip(".") + ("[]" if many else ""))

    yield from walk(model, path)


def _fields(model: type[BaseModel]) -> list[tuple[str, Any]]:
    return [(field.alias or name, field) for name, field in model.model_fields.items()]


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model inside an annotation, and whether it is a list of them."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found, many = _inner_model(arg)
            if found is not None:
                return found, many
        return None, False
    if origin in (tuple, list):
        found, _ = _inner_model(typing.get_args(annotation)[0])
        return found, True
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _type(annotation: Any, where: dict[type, str]) -> str:
    """A type as a reader of project.yaml knows it: text, date, one of `a`, `b`, list of …

    A model is named with the place its keys are listed (``where``)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(a, where) for a in args if a is not type(None))
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (tuple, list):
        return f"list of {_type(args[0], where)}"
    if origin is dict:
        return f"mapping of {_type(args[0], where)} → {_type(args[1], where)}"
    words = {str: "text", int: "whole number", float: "number", bool: "true/false"}
    if annotation is Labels:
        text = "`{sv, en}` texts"
    elif annotation is dt.date:
        text = "date"
    elif inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        text = f"{annotation.__name__} (see `{where[annotation]}`)"
    else:
        text = words.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return text


def _constraints(metadata: list[Any]) -> str:
    out = []
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if pattern:
            out.append(PATTERNS[pattern][0].split(", e.g.")[0] if pattern in PATTERNS else pattern)
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if getattr(item, attr, None) is not None:
                out.append(f"{sign} {getattr(item, attr)}")
        if getattr(item, "min_length", None):
            out.append(f"at least {item.min_length}")
    return f" ({', '.join(out)})" if out else ""


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default_factory else field.default
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple | list):
        return f"`[{', '.join(str(v) for v in value)}]`"
    if isinstance(value, dict):
        return "`{}`"
    return f"`{value}`"


def _docstring(model: type) -> str:
    doc = model.__dict__.get("__doc__")
    if not doc:
        return ""
    return _escape(re.sub(r"``([^`]+)``", r"`\1`", inspect.cleandoc(doc)))


def _cell(text: str) -> str:
    return _escape(" ".join(text.split()).replace("|", "\\|"))


def _escape(markdown: str) -> str:
    """``<`` outside inline code, so that ``<instrument>`` is not read as an HTML tag."""
    pieces = markdown.split("`")
    return "`".join(p if i % 2 else p.replace("<", "\\<") for i, p in enumerate(pieces))


def main(argv: list[str] | None = None) -> None:
    """Write the page to the path given (default: print it)."""
    args = sys.argv[1:] if argv is None else argv
    text = render_project_yaml_doc()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
