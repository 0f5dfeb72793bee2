"""The agreement settings of ``interviews:`` in project.yaml: units, code groups, bootstrap."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from project.config import load_project
from project.errors import ConfigError
from tests.conftest import EXAMPLE


def _write(tmp_path: Path, **interviews) -> Path:
    raw = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    raw["interviews"].update(interviews)
    (tmp_path / "project.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


CONSTRUCTS = ["coherence", "cognitive_participation", "collective_action", "reflexive_monitoring"]


def test_defaults_and_a_full_declaration(tmp_path):
    cfg = load_project(EXAMPLE).interviews
    assert cfg is not None
    assert cfg.unit_of_analysis == ("segment",)
    assert (cfg.agreement.bootstrap_samples, cfg.agreement.code_groups) == (5000, ())
    group = {
        "id": "npt_construct",
        "codes": CONSTRUCTS,
        "levels": ["nominal", "ordinal"],
        "kappa_weights": "linear",
    }
    declared = load_project(
        _write(
            tmp_path,
            unit_of_analysis=["segment", "document"],
            agreement={"bootstrap_samples": 0, "seed": 7, "code_groups": [group]},
        )
    ).interviews
    assert declared is not None
    assert declared.unit_of_analysis == ("segment", "document")
    assert declared.agreement.code_groups[0].levels == ("nominal", "ordinal")
    assert declared.agreement.code_groups[0].include_children


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit_of_analysis": ["segment", "segment"]}, "a unit is listed twice"),
        ({"unit_of_analysis": "paragraph"}, "expected one of segment, document; found 'paragraph'"),
        (
            {"agreement": {"code_groups": [{"id": "g", "codes": ["coherence", "no_such"]}]}},
            r"code_groups\[g\]\.codes: .no_such. is not a declared codebook code",
        ),
        (
            {"agreement": {"code_groups": [{"id": "g", "codes": ["coherence", "coherence"]}]}},
            "code group g: codes repeated: coherence",
        ),
        (
            {"agreement": {"code_groups": [{"id": "g", "codes": CONSTRUCTS, "values": [1, 2]}]}},
            "code group g: 2 values for 4 codes",
        ),
        (
            {
                "agreement": {
                    "code_groups": [
                        {"id": "g", "codes": CONSTRUCTS[:2], "kappa_weights": [[1, 1], [1, 0]]}
                    ]
                }
            },
            "kappa_weights must be a 2 × 2 matrix of disagreement weights with 0 on the diagonal",
        ),
        (
            {
                "agreement": {
                    "code_groups": [
                        {"id": "g", "codes": CONSTRUCTS[:2]},
                        {"id": "g", "codes": CONSTRUCTS[2:]},
                    ]
                }
            },
            "code group ids repeated: g",
        ),
        ({"agreement": {"bootstrap_samples": -1}}, "bootstrap_samples"),
    ],
)
def test_bad_agreement_settings_are_one_line_each(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_project(_write(tmp_path, **change))
    assert "\n" not in str(caught.value)
