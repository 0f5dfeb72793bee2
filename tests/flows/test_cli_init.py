"""`impleval init`: a project.yaml that shows every section and loads as written, whose commented
examples load too once uncommented, and a narrative stub per report section in Swedish and English."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from flows import cli
from flows.templates import PROJECT_TEMPLATE
from project.config import Project, load_project
from reports.document import SECTION_IDS, narrative_file, read_narrative


@pytest.fixture
def new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "argv", ["impleval", "init", str(tmp_path / "my-evaluation")])
    cli.main()
    return tmp_path / "my-evaluation"


def uncomment(text: str) -> str:
    """Remove the "# " that starts an example line (keeping its indentation); ## lines stay."""
    lines = []
    for line in text.splitlines():
        if re.match(r"^\s*#$", line):
            line = ""
        line = re.sub(r"^(\s*)# ", r"\1", line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_the_project_yaml_loads_as_written(new_project: Path) -> None:
    project = load_project(new_project)
    assert project.id == "my-evaluation"
    assert [w.id for w in project.waves] == ["T0"]
    assert [(c.organisation, c.staff_group, c.invited) for c in project.waves[0].invited_by] == [
        ("hospital_a", "nurse", 60),
        ("hospital_a", "physician", 15),
        ("health_centre_a", None, 25),
    ]
    assert not project.indicators and project.interviews is None


def test_its_examples_load_once_uncommented(new_project: Path) -> None:
    text = (new_project / "project.yaml").read_text(encoding="utf-8")
    (new_project / "project.yaml").write_text(uncomment(text), encoding="utf-8")
    project = load_project(new_project)
    assert [w.id for w in project.waves] == ["T0", "T1", "VT2026"]
    assert project.instrument_ids == ("nomad", "pcat")
    assert [i.id for i in project.indicators] == ["days_ready_for_discharge", "plans_written"]
    assert [o.id for o in project.outcomes] == ["exit_destination"]
    assert [g.id for g in project.goals] == ["better_discharge", "fewer_days", "staff_trained"]
    assert [a.id for a in project.activities] == ["training"]
    assert project.interviews is not None and project.interviews.code_map
    assert project.privacy.roster == "staff_names.csv"
    assert project.survey.reliability_min_n == 30


def test_every_section_of_the_model_is_shown() -> None:
    """A key added to the model must be added to the template too (as an example at least)."""
    shown = set(re.findall(r"^(?:# )?([a-z_]+):", PROJECT_TEMPLATE, flags=re.MULTILINE))
    assert set(Project.model_fields) <= shown, set(Project.model_fields) - shown
    for nested in ("invited_by", "roster", "free_text", "traffic_lights", "redact_names"):
        assert re.search(rf"^\s*(?:# )?\s*{nested}:", PROJECT_TEMPLATE, flags=re.MULTILINE)


def test_a_narrative_stub_per_section_in_both_languages(new_project: Path) -> None:
    narrative = new_project / "narrative"
    assert len(list(narrative.glob("*.md"))) == 2 * len(SECTION_IDS)
    for section in SECTION_IDS:
        sv = narrative_file(narrative, section, "sv")
        en = narrative_file(narrative, section, "en")
        assert sv is not None and sv.name == f"{section}.md"
        assert en is not None and en.name == f"{section}.en.md"
        text, used = read_narrative(narrative, section, "en")
        assert used == en and text.startswith("*To write – replace this line")


def test_init_never_overwrites(new_project: Path, capsys, monkeypatch) -> None:
    (new_project / "narrative" / "summary.md").write_text("Min text.\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["impleval", "init", str(new_project)])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2 and "already exists" in capsys.readouterr().err
    assert (new_project / "narrative" / "summary.md").read_text(encoding="utf-8") == "Min text.\n"
