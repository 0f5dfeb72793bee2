"""The floor's report stage (see bench/floor.py): the figures, one Markdown, and HTML, DOCX and PDF.

As many figures as the pipeline draws: per instrument the scale means by wave and one answer
distribution per wave, one per ITS series, one per participant outcome, the interview codes by
stakeholder group and the project logic. Rendered one after another, as a plain script would:
pandoc (self-contained HTML, DOCX) and pandoc → typst → PDF.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pypandoc
import typst

DPI = 150


def pipe_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A Markdown pipe table, numbers rounded for reading (the CSV keeps them unrounded)."""
    text = frame.map(lambda v: f"{v:.{digits}f}" if isinstance(v, float) else str(v))
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in text.itertuples(index=False)]
    return "\n".join(lines)


def _save(fig: plt.Figure, path: Path) -> str:
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path.name


def survey_figures(results: Path, figures: Path, specs: dict) -> list[tuple[str, str]]:
    scores = pd.read_csv(results / "scale_scores.csv")
    dist = pd.read_csv(results / "item_distributions.csv")
    out = []
    for iid in specs:
        means = scores[scores["instrument"] == iid].pivot(
            index="scale", columns="wave", values="mean"
        )
        fig, ax = plt.subplots(figsize=(7.5, 4.4))
        means.plot.barh(ax=ax)
        ax.set_xlabel("Medelvärde")
        out.append(
            (
                _save(fig, figures / f"{iid}_construct_means.png"),
                f"{iid}: skalornas medelvärden per mätning",
            )
        )
        for wave, part in dist[dist["instrument"] == iid].groupby("wave", sort=True):
            shares = part.pivot(index="item", columns="code", values="share").fillna(0)
            fig, ax = plt.subplots(figsize=(7.5, 0.3 * len(shares) + 1.5))
            shares.plot.barh(stacked=True, ax=ax, colormap="RdYlGn", width=0.8)
            ax.set_xlim(0, 1)
            out.append(
                (
                    _save(fig, figures / f"{iid}_item_distributions_{wave}.png"),
                    f"{iid} {wave}: svarsfördelning per fråga",
                )
            )
    return out


def indicator_figures(results: Path, clean: Path, figures: Path) -> list[tuple[str, str]]:
    out = []
    series = pd.read_csv(results / "its_series.csv", parse_dates=["period"])
    for (indicator, unit), part in series.groupby(["indicator", "unit"], sort=True):
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        ax.plot(part["period"], part["observed"], "o", ms=3, label="observerat")
        ax.plot(part["period"], part["fitted"], "-", label="modell")
        ax.plot(part["period"], part["counterfactual"], "--", label="utan insatsen")
        ax.legend()
        out.append(
            (
                _save(fig, figures / f"its_{indicator}_{unit}.png"),
                f"{indicator} ({unit}): avbruten tidsserie",
            )
        )
    outcomes = pd.read_csv(clean / "outcomes.csv", keep_default_na=False)
    if not outcomes.empty:
        totals = outcomes[outcomes["disaggregation"] == ""]
        for outcome, part in totals.groupby("indicator", sort=True):
            fig, ax = plt.subplots(figsize=(7.5, 3.7))
            part.pivot_table(
                index="category", columns="period", values="value", aggfunc="sum"
            ).plot.barh(ax=ax)
            out.append(
                (
                    _save(fig, figures / f"outcome_{outcome}.png"),
                    f"{outcome}: deltagare per kategori",
                )
            )
    return out


def other_figures(results: Path, figures: Path, project: dict) -> list[tuple[str, str]]:
    out = []
    counts = pd.read_csv(results / "code_counts.csv")
    matrix = counts.pivot(index="code", columns="stakeholder_group", values="n").fillna(0)
    fig, ax = plt.subplots(figsize=(8.6, 8.7))
    ax.imshow(matrix.to_numpy(), cmap="Blues", aspect="auto")
    ax.set_yticks(range(len(matrix.index)), matrix.index)
    ax.set_xticks(range(len(matrix.columns)), matrix.columns)
    for (i, j), n in np.ndenumerate(matrix.to_numpy()):
        ax.text(j, i, int(n), ha="center", va="center", fontsize=8)
    out.append(
        (
            _save(fig, figures / "interviews_npt_heatmap.png"),
            "Intervjuer: koder per intressentgrupp",
        )
    )
    goals = [g["id"] for g in project.get("goals", [])]
    activities = project.get("activities", [])
    links = np.array([[g in a.get("goals", []) for g in goals] for a in activities], dtype=float)
    fig, ax = plt.subplots(figsize=(10, 6.8))
    ax.imshow(links.reshape(len(activities), len(goals)), cmap="Greens", aspect="auto")
    ax.set_yticks(range(len(activities)), [a["id"] for a in activities])
    ax.set_xticks(range(len(goals)), goals, rotation=60, ha="right")
    fig.tight_layout()
    out.append((_save(fig, figures / "project_logic.png"), "Projektlogik: aktiviteter och mål"))
    return out


def markdown(project: dict, results: Path, figures: list[tuple[str, str]]) -> str:
    reliability = pd.read_csv(results / "reliability.csv")
    its = pd.read_csv(results / "its.csv")
    kappa = pd.read_csv(results / "agreement.csv")
    parts = [
        "---",
        f'title: "{project["name"]["sv"]}"',
        "lang: sv",
        "---",
        "",
        "# Enkäter",
        "",
        pipe_table(reliability),
        "",
        ": Cronbachs alfa med Feldts intervall",
        "",
        "# Nyckeltal",
        "",
        pipe_table(its[["indicator", "unit", "term", "estimate", "ci_low", "ci_high", "p_value"]]),
        "",
        ": Avbrutna tidsserier (kvasi-Poisson)",
        "",
        "# Intervjuer",
        "",
        pipe_table(kappa[["code", "estimate", "ci_low", "ci_high", "n_units"]]),
        "",
        ": Cohens kappa per kod",
        "",
        "# Figurer",
        "",
    ]
    parts += [f"![{caption}](figures/{name}){{width=100%}}\n" for name, caption in figures]
    return "\n".join(parts)


def stage_report(project: dict, out: Path, specs: dict) -> None:
    results, report = out / "results", out / "report"
    figures = report / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    drawn = survey_figures(results, figures, specs)
    drawn += indicator_figures(results, out / "clean", figures)
    drawn += other_figures(results, figures, project)
    source = report / "report.md"
    source.write_text(markdown(project, results, drawn), encoding="utf-8")
    resources = [f"--resource-path={report}", "--metadata=lang:sv"]
    pypandoc.convert_file(
        str(source),
        "html5",
        outputfile=str(report / "report.html"),
        extra_args=["--standalone", "--embed-resources", *resources],
    )
    pypandoc.convert_file(
        str(source), "docx", outputfile=str(report / "report.docx"), extra_args=resources
    )
    typ = pypandoc.convert_file(
        str(source), "typst", extra_args=["--standalone", "-V", "papersize=a4", *resources]
    )
    (report / "report.typ").write_text(typ, encoding="utf-8")
    typst.compile(str(report / "report.typ"), output=str(report / "report.pdf"), root=str(report))
