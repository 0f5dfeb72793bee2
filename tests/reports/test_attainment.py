"""A final report's goal attainment by level (reports.sections.indicator_tables.attainment_table):
each goal counted once, by the status the goals table shows (its own, or rolled up from its
sub-goals when it has no data of its own), per level and for all levels together; the counts are
worked out by hand below."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.sections.indicator_tables import attainment_table, effective_status
from reports.strings import report_strings

GOALS = pd.DataFrame(
    {
        "goal": ["imp1", "pg1", "pg2", "sg1", "sg2", "sg3", "a1"],
        "level": ["impact", "project", "project", "sub_goal", "sub_goal", "sub_goal", "activity"],
        "status": [
            "not_measured",  # rolled up: partly_reached
            "reached",
            "not_measured",  # rolled up: not_measured (no data below either)
            "reached",
            "not_reached",
            "partly_reached",
            "not_measured",  # no logic row
        ],
    }
)
LOGIC = pd.DataFrame(
    {
        "node": ["imp1", "pg1", "pg2", "sg1"],
        "status": ["partly_reached", "reached", "not_measured", "reached"],
    }
)


def test_a_goal_without_data_takes_its_rolled_up_status() -> None:
    rolled = dict(zip(LOGIC["node"], LOGIC["status"], strict=True))
    got = [effective_status(g, rolled) for _, g in GOALS.iterrows()]
    assert got == [
        "partly_reached",
        "reached",
        "not_measured",
        "reached",
        "not_reached",
        "partly_reached",
        "not_measured",
    ]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_counts_per_level_and_for_all_goals(lang: str) -> None:
    s = report_strings(lang)
    table = attainment_table(GOALS, s, LOGIC)
    frame = table.frame
    assert list(frame.columns) == [
        s("indicators.headers.level"),
        *(s(f"indicators.status.{k}") for k in ("reached", "partly_reached", "not_reached")),
        s("indicators.status.not_measured"),
        s("indicators.total"),
    ]
    rows = {r[0]: list(r[1:]) for r in frame.itertuples(index=False)}
    level = {k: s(f"indicators.levels.{k}") for k in ("impact", "project", "sub_goal", "activity")}
    # reached, partly, not reached, not measured, total
    assert rows[level["impact"]] == ["0", "1", "0", "0", "1"]
    assert rows[level["project"]] == ["1", "0", "0", "1", "2"]
    assert rows[level["sub_goal"]] == ["1", "1", "1", "0", "3"]
    assert rows[level["activity"]] == ["0", "0", "0", "1", "1"]
    assert rows[s("indicators.all_goals")] == ["2", "2", "1", "2", "7"]
    assert list(rows)[:4] == [level[k] for k in ("impact", "project", "sub_goal", "activity")]
