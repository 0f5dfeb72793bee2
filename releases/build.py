"""``impleval release VERSION``: build a release folder, verify it, then put it in place.

The release is written into a hidden folder beside its target (``output/releases/.<version>.
building-<pid>``), verified there with :func:`releases.verify.verify_release`, and only then
renamed to ``output/releases/<version>``. A refused, failed or interrupted build leaves nothing
under the release's name (a killed one leaves its hidden folder, removed by the next build). An
existing release is replaced only with ``replace=True``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from instruments.spec import BUILTIN_DIR
from privacy.redact import Redactor
from project.config import Project, load_project
from project.errors import ReleaseError
from project.layout import ProjectPaths
from releases import anonymity, codebook, datapackage, ddi, front, manifest, writers
from releases.codings import coding_table, document_table
from releases.keys import ReleaseKey, release_key, save_key
from releases.model import Table
from releases.options import ReleaseOptions, release_options
from releases.reads import StoreContents, read_store
from releases.scan import project_names
from releases.series import indicator_table, outcome_table
from releases.survey import scores_table, survey_table
from releases.verify import Check, verify_release
from store.lock import project_lock


@dataclass(frozen=True)
class ReleaseResult:
    folder: Path
    files: dict[str, int]
    checks: list[Check]
    outcomes: list[anonymity.Outcome]

    @property
    def k_achieved(self) -> int | None:
        values = [o.k_achieved for o in self.outcomes if o.k_achieved is not None]
        return min(values) if values else None


def check_columns(options: ReleaseOptions, tables: list[Table]) -> None:
    """Every declared quasi-identifier and sensitive column is a column of a released
    person-level table."""
    columns = sorted({c.name for t in tables if t.person_key for c in t.columns})
    for key, names in (
        ("privacy.quasi_identifiers", options.quasi_identifiers),
        ("privacy.sensitive_columns", options.sensitive_columns),
    ):
        unknown = [n for n in names if n not in columns]
        if unknown:
            raise ReleaseError(
                f"project.yaml {key}: {', '.join(unknown)} is not a column of any released "
                f"person-level table. Expected names such as {', '.join(columns[:8])}. Hint: fix "
                f"the spelling or remove it."
            )


def _person_tables(store: StoreContents, options: ReleaseOptions, key: ReleaseKey):
    pairs = []
    for data in store.surveys.values():
        survey = survey_table(data, store.project, key)
        pairs.append((survey, scores_table(data, store.project, key, survey)))
    return pairs


def _anonymise(pair: tuple[Table, Table], project: Project, options: ReleaseOptions):
    survey, scores = pair
    if not options.anonymised:
        k = anonymity.smallest_class(survey.frame, options.quasi_identifiers, "respondent_id")
        outcome = anonymity.Outcome(survey.name, len(survey.frame), len(survey.frame))
        outcome.k_achieved = k
        return outcome
    extra = [c for c in scores.frame.columns if c not in survey.frame.columns]
    joined = pd.concat([survey.frame, scores.frame[extra]], axis=1)
    generalised, keep, outcome = anonymity.anonymise_rows(
        joined, table=survey.name, project=project, person="respondent_id", options=options
    )
    for table in pair:
        anonymity.apply_generalisation(table, generalised, keep)
    return outcome


def assemble(store: StoreContents, options: ReleaseOptions, key: ReleaseKey, names: list[str]):
    """The release's tables (anonymised for a deposit) and what anonymisation did."""
    project = store.project
    pairs = _person_tables(store, options, key)
    tables = [t for pair in pairs for t in pair]
    if project.interviews is not None:
        redactor = Redactor(tuple(names))
        tables.append(document_table(store.documents, project, key))
        tables.append(
            coding_table(store.codings, project, key, text=options.text, redactor=redactor)
        )
    check_columns(options, tables)
    outcomes = [_anonymise(pair, project, options) for pair in pairs]
    if project.indicators:
        tables.append(indicator_table(store.indicators, project))
    if project.outcomes:
        threshold = options.min_cell_size if options.anonymised else None
        tables.append(outcome_table(store.outcomes, project, threshold=threshold))
    return tables, outcomes


def write_release(
    folder: Path,
    store: StoreContents,
    options: ReleaseOptions,
    key: ReleaseKey,
    tables: list[Table],
    outcomes: list[anonymity.Outcome],
    project_dir: Path,
) -> None:
    """Every file of the release, into ``folder``."""
    project, lang = store.project, options.language
    data = folder / "data"
    data.mkdir(parents=True)
    resources = []
    for table in tables:
        csv = writers.write_csv(table, data / f"{table.name}.csv")
        writers.write_parquet(table, data / f"{table.name}.parquet", lang=lang)
        if table.labelled:
            writers.write_sav(table, data / f"{table.name}.sav", lang=lang, date=options.date)
            writers.write_dta(table, data / f"{table.name}.dta", lang=lang, date=options.date)
        resources.append(
            datapackage.resource(
                table, f"data/{csv.name}", manifest.file_sha256(csv), csv.stat().st_size, lang
            )
        )
    creators = front.creators(project)
    datapackage.write_package(
        datapackage.data_package(project, options, resources, creators=creators),
        folder / "datapackage.json",
    )
    notes = [
        f"{o.table}: {'; '.join(o.steps) or 'nothing generalised'}; {o.rows_dropped} rows suppressed; k = {o.k_achieved}"
        for o in outcomes
    ]
    ddi.write_ddi(ddi.ddi_codebook(project, options, tables, notes=notes), folder / "codebook.xml")
    specs = [s.spec for s in store.surveys.values()]
    codebook.write_codebooks(
        folder,
        {
            lg: codebook.codebook_markdown(project, options, tables, specs, outcomes, lg)
            for lg in project.languages
        },
        date=options.date,
    )
    sizes = {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(data.iterdir())}
    front.write_front(
        folder,
        {
            "README.md": front.readme(project, options, tables, outcomes, sizes),
            "CITATION.cff": front.citation_cff(project, options),
            "LICENSE": front.licence_text(project, options),
        },
    )
    spec_files = [_spec_file(project_dir, s.id) for s in specs]
    manifest.write_manifest(
        folder,
        manifest.manifest(
            store, options, key, tables, outcomes, project_dir=project_dir, spec_files=spec_files
        ),
    )
    manifest.write_checksums(folder)


def _spec_file(project_dir: Path, instrument: str) -> Path:
    local = project_dir / "instruments" / instrument / "instrument.yaml"
    return local if local.is_file() else BUILTIN_DIR / instrument / "instrument.yaml"


def _clear_stale(releases: Path, version: str) -> None:
    for stale in releases.glob(f".{version}.*-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _put_in_place(building: Path, target: Path) -> None:
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.rename(target, old)
        os.rename(building, target)
        shutil.rmtree(old)
    else:
        os.rename(building, target)


def make_release(
    project_dir: Path,
    *,
    version: str,
    profile: str = "deposit",
    replace: bool = False,
    link_to: str | None = None,
    date: dt.date | None = None,
) -> ReleaseResult:
    """Build, verify and put in place ``output/releases/<version>``.

    Raises
    ------
    ReleaseError
        For a bad version, profile or setting, an existing release without ``replace``, a k the
        data cannot reach, or a release that fails its own verification.
    """
    paths = ProjectPaths(Path(project_dir))
    project = load_project(paths.root)
    options = release_options(project, version=version, profile=profile, date=date, link_to=link_to)
    releases = paths.output / "releases"
    target = releases / version
    if target.exists() and not replace:
        raise ReleaseError(
            f"output/releases/{version}: release {version} already exists. Hint: give a new "
            f"version, or add --replace to build it again."
        )
    key = release_key(project.id, version, link_to=link_to)
    with project_lock(paths.lock):
        store = read_store(paths.root)
    names = project_names(project, paths.root)
    tables, outcomes = assemble(store, options, key, names)
    releases.mkdir(parents=True, exist_ok=True)
    _clear_stale(releases, version)
    building = releases / f".{version}.building-{os.getpid()}"
    try:
        write_release(building, store, options, key, tables, outcomes, paths.root)
        checks = verify_release(building, project_dir=paths.root)
        failed = [c for c in checks if not c.ok]
        if failed:
            raise ReleaseError(
                f"release {version}: its own verification failed ({failed[0].line()}). "
                f"Nothing was released. Hint: run with --debug and report it."
            )
        save_key(project.id, key)
        _put_in_place(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    files = {
        p.relative_to(target).as_posix(): p.stat().st_size
        for p in sorted(target.rglob("*"))
        if p.is_file()
    }
    return ReleaseResult(target, files, checks, outcomes)
