"""docs/project-yaml.md is generated from the models: it lists every key and is never stale."""

from __future__ import annotations

from pathlib import Path

from project.config import Project
from project.yaml_doc import _models, render_project_yaml_doc

PAGE = Path(__file__).resolve().parents[2] / "docs" / "project-yaml.md"


def test_the_committed_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_project_yaml_doc(), (
        "docs/project-yaml.md is stale: run `make docs` and commit the page"
    )


def test_every_key_has_a_description() -> None:
    undocumented = [
        f"{path or 'top level'}: {name}"
        for path, model in _models(Project, "")
        for name, field in model.model_fields.items()
        if not field.description
    ]
    assert not undocumented, "add description= to: " + "; ".join(undocumented)


def test_the_keys_people_type_most_are_there() -> None:
    page = render_project_yaml_doc()
    for section in ("`waves[]`", "`waves[].invited_by[]`", "`privacy`", "`survey`", "`report`"):
        assert f"## {section} (" in page
    for key in ("invited_by", "free_text", "roster", "response_rate_threshold", "traffic_lights"):
        assert f"| `{key}` |" in page
    assert "| `opens` | date | required | First day answers are accepted (YYYY-MM-DD). |" in page
