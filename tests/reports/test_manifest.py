"""The provenance manifest beside the report, and the code fingerprint."""

from __future__ import annotations

import json
import re
from pathlib import Path

from project import provenance
from reports.manifest import write_manifest

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def all_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *all_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return [value] if isinstance(value, str) else []


def test_report_manifest(report_sv, project_dir):
    manifest_path = report_sv.manifest
    assert manifest_path.name == "manifest.json"
    assert manifest_path.parent == report_sv.markdown.parent
    raw = manifest_path.read_text(encoding="utf-8")
    manifest = json.loads(raw)["reports"]["sv"]

    # Inputs: results, narrative, project.yaml, each with a hash, paths relative to the project.
    inputs = manifest["inputs"]
    assert inputs["project.yaml"]["path"] == "project.yaml"
    assert inputs["results/scale_scores.csv"]["path"] == "output/results/scale_scores.csv"
    assert inputs["narrative/basic_information.md"]["path"] == "narrative/basic_information.md"
    for name, entry in inputs.items():
        assert HEX64.match(entry["sha256"]), name
        assert entry["sha256"] == provenance.file_sha256(project_dir / entry["path"])

    # Outputs: every file written, hashed.
    paths = {o["path"]: o for o in manifest["outputs"]}
    for written in (report_sv.markdown, report_sv.html, report_sv.docx, report_sv.pdf):
        rel = written.relative_to(project_dir).as_posix()
        assert paths[rel]["sha256"] == provenance.file_sha256(written)
    assert "output/figures/nomad_construct_means_sv.png" in paths

    # Versions, code hash, settings.
    assert manifest["impleval_version"]
    assert HEX64.match(manifest["code_sha256"])
    for package in ("pandas", "numpy", "scipy", "duckdb", "matplotlib", "typst", "pandoc"):
        assert package in manifest["packages"]
    assert manifest["packages"]["pandoc"]
    settings = manifest["settings"]
    assert settings["language"] == "sv"
    assert settings["formats"] == ["html", "docx", "pdf"]
    assert settings["min_cell_size"] == 5
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", manifest["generated_at"])

    # No absolute path of this machine anywhere.
    assert str(project_dir) not in raw and str(Path.home()) not in raw
    assert not [s for s in all_strings(manifest) if s.startswith("/") or re.match(r"^[A-Z]:\\", s)]


def test_paths_outside_the_project_are_not_absolute(tmp_path):
    project = tmp_path / "proj"
    (project / "out").mkdir(parents=True)
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n")
    inside = project / "in.csv"
    inside.write_text("b\n2\n")
    output = project / "out" / "r.md"
    output.write_text("# r\n")
    path = write_manifest(
        project / "out",
        inputs={"elsewhere": outside, "inside": inside},
        settings={"language": "sv", "source": outside, "nested": {"file": inside}},
        outputs=[output],
        project_dir=project,
    )
    manifest = json.loads(path.read_text())
    assert path.name == "manifest.json"
    assert manifest["inputs"]["elsewhere"]["path"] == "elsewhere.csv"
    assert manifest["inputs"]["inside"]["path"] == "in.csv"
    assert manifest["settings"]["source"] == "elsewhere.csv"
    assert manifest["settings"]["nested"]["file"] == "in.csv"
    assert manifest["outputs"][0]["path"] == "out/r.md"
    assert str(tmp_path) not in path.read_text()


def test_code_fingerprint(tmp_path):
    pkg = tmp_path / "reports"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "t.yaml").write_text("k: v\n")
    (pkg / "notes.txt").write_text("not code\n")
    first = provenance.code_fingerprint(tmp_path, packages=["reports"])
    assert first == provenance.code_fingerprint(tmp_path, packages=["reports"])
    (pkg / "notes.txt").write_text("changed, but not code\n")
    assert provenance.code_fingerprint(tmp_path, packages=["reports"]) == first
    (pkg / "a.py").write_text("x = 2\n")
    second = provenance.code_fingerprint(tmp_path, packages=["reports"])
    assert second != first
    (pkg / "a.py").rename(pkg / "b.py")
    assert provenance.code_fingerprint(tmp_path, packages=["reports"]) != second
    # The repository's own fingerprint covers our packages' code and the report templates.
    files = {p.relative_to(provenance.CODE_ROOT).as_posix() for p in provenance.code_files()}
    assert {"reports/disclosure/__init__.py", "reports/templates/report.md.j2"} <= files
    assert "instruments/nomad/instrument.yaml" in files


def test_one_manifest_describes_both_languages(report_sv, report_en):
    assert report_sv.manifest == report_en.manifest
    document = json.loads(report_sv.manifest.read_text(encoding="utf-8"))
    assert set(document["reports"]) == {"sv", "en"}
    assert document["reports"]["en"]["settings"]["language"] == "en"
    outputs = {o["path"] for o in document["reports"]["sv"]["outputs"]}
    assert any(p.endswith("report_sv.pdf") for p in outputs)
