"""The small-cell rule and number formatting (reports/disclosure.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reports import disclosure
from reports.disclosure import Column, format_ci, format_number, format_percent, format_table

NBSP = "\u00a0"


def groups() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": ["T0"] * 5 + ["T1"] * 2,
            "group": ["a", "b", "c", "d", "e", "a", "b"],
            "n": [20, 3, 7, 6, 0, 12, 9],
            "mean": [3.1, 4.9, 2.2, 3.3, math.nan, 3.5, 3.9],
            "ci_low": [2.9, 3.0, 1.8, 2.5, math.nan, 3.0, 3.2],
            "ci_high": [3.3, 6.8, 2.6, 4.1, math.nan, 4.0, 4.6],
        }
    )


class TestSuppressSmallGroups:
    def test_primary_blanks_values_and_keeps_input(self):
        df = groups()
        before = df.copy()
        out = disclosure.suppress_small_groups(
            df, value_cols=["mean", "ci_low", "ci_high"], threshold=5
        )
        pd.testing.assert_frame_equal(df, before)  # not mutated
        row = out.loc[out["group"] == "b"].iloc[0]
        assert row["suppressed"]
        assert row["suppression_reason"] == "small_cell"
        assert math.isnan(row["mean"]) and math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
        assert out.loc[out["group"] != "b", "suppressed"].sum() == 0

    def test_zero_n_is_not_a_small_cell(self):
        out = disclosure.suppress_small_groups(groups(), value_cols=["mean"], threshold=5)
        assert not out.loc[out["group"] == "e", "suppressed"].item()

    def test_complementary_suppression_hides_the_smallest_other_group(self):
        out = disclosure.suppress_small_groups(
            groups(), value_cols=["mean"], threshold=5, complement_within=["wave"]
        )
        t0 = out[out["wave"] == "T0"].set_index("group")
        # b (n=3) alone could be recovered from the total: d (n=6, the smallest other) goes too.
        assert t0.loc["b", "suppression_reason"] == "small_cell"
        assert t0.loc["d", "suppression_reason"] == "complementary"
        assert not t0.loc["a", "suppressed"] and not t0.loc["c", "suppressed"]
        assert not out.loc[out["wave"] == "T1", "suppressed"].any()

    def test_no_complement_needed_when_hidden_groups_reach_threshold(self):
        df = pd.DataFrame({"k": ["x"] * 3, "n": [3, 4, 30], "mean": [1.0, 2.0, 3.0]})
        out = disclosure.suppress_small_groups(
            df, value_cols=["mean"], threshold=5, complement_within=["k"]
        )
        assert out["suppressed"].tolist() == [True, True, False]

    @pytest.mark.parametrize("bad", [0, -1, True, 2.5])
    def test_threshold_must_be_a_positive_integer(self, bad):
        with pytest.raises(ValueError):
            disclosure.suppress_small_groups(groups(), value_cols=["mean"], threshold=bad)


class TestFormatting:
    @pytest.mark.parametrize(
        ("x", "decimals", "lang", "expected"),
        [
            (3.14159, 2, "sv", "3,14"),
            (3.14159, 2, "en", "3.14"),
            (2.675, 2, "sv", "2,68"),  # half away from zero, not to even / binary
            (0.125, 2, "en", "0.13"),
            (1234567.891, 1, "sv", f"1{NBSP}234{NBSP}567,9"),
            (1234567.891, 1, "en", "1,234,567.9"),
            (1250, 0, "sv", f"1{NBSP}250"),
            (-0.004, 2, "sv", "0,00"),
            (-1.5, 1, "sv", "\u22121,5"),
            (float("nan"), 2, "sv", ".."),
            (None, 2, "en", ".."),
        ],
    )
    def test_format_number(self, x, decimals, lang, expected):
        assert format_number(x, decimals=decimals, lang=lang) == expected

    def test_percent_and_ci(self):
        assert format_percent(0.4549, lang="sv") == f"45{NBSP}%"
        assert format_percent(0.4551, lang="en") == "46%"
        assert format_ci(3.1234, 3.8567, lang="sv") == "3,12–3,86"
        assert format_ci(-0.05, 0.4, lang="sv") == "\u22120,05 – 0,40"

    def test_unknown_language(self):
        with pytest.raises(ValueError):
            format_number(1.0, decimals=1, lang="de")


class TestFormatTable:
    def columns(self):
        return [
            Column("Grupp", "group", "text"),
            Column("n", "n", "n"),
            Column("M", "mean", "number"),
            Column("95 % KI", ("ci_low", "ci_high"), "ci"),
        ]

    def test_marks_and_notes(self):
        out = format_table(
            groups(), self.columns(), lang="sv", threshold=5, complement_within=["wave"]
        )
        b = out.iloc[1]
        assert b.tolist() == ["b", "<5", "–", "–"]
        d = out.iloc[3]
        assert d.tolist() == ["d", "6", "–", "–"]  # complementary: n shown, values not
        a = out.iloc[0]
        assert a.tolist() == ["a", "20", "3,10", "2,90–3,30"]
        assert any("färre än 5" in n for n in out.attrs["notes"])
        assert out.attrs["align"] == ["left", "right", "right", "right"]
        assert len(out) == len(groups())
        assert "4,90" not in out.to_string()

    def test_without_threshold_nothing_is_hidden(self):
        out = format_table(groups(), self.columns(), lang="en", threshold=None)
        assert out.iloc[1].tolist() == ["b", "3", "4.90", "3.00–6.80"]
        assert out.attrs["notes"] == [disclosure.not_available_note(lang="en")]

    def test_mean_n_cell(self):
        out = format_table(
            groups(), [Column("cell", ("mean", "n"), "mean_n")], lang="sv", threshold=5
        )
        assert out["cell"].tolist()[:3] == ["3,10 (20)", "– (<5)", "2,20 (7)"]


class TestSuppressDistributions:
    def dist(self, counts: dict[str, list[int]]) -> pd.DataFrame:
        rows = []
        for item, (s1, s2, s3, s4, s5, na, miss) in counts.items():
            total = s1 + s2 + s3 + s4 + s5 + na + miss
            scored = s1 + s2 + s3 + s4 + s5
            for code, k in zip("12345", (s1, s2, s3, s4, s5), strict=True):
                rows.append((item, "scored", code, k, k / total, k / scored if scored else None))
            rows.append((item, "not_applicable", "not_relevant_role", na, na / total, None))
            rows.append((item, "missing", "missing", miss, miss / total, None))
        df = pd.DataFrame(
            rows, columns=["item", "response_kind", "response", "n", "share", "share_of_scored"]
        )
        return df.assign(instrument="nomad", wave="T0")

    def test_rules(self):
        df = self.dist(
            {
                "ok": [1, 2, 10, 12, 5, 3, 1],  # a cell of 1 within a base of 34 is shown
                "few_scored": [1, 0, 1, 1, 0, 30, 2],  # 3 scored answers: bars withheld
                "few_asked": [1, 0, 1, 0, 0, 1, 0],  # 3 asked: nothing shown
            }
        )
        out = disclosure.suppress_distributions(df, threshold=5)
        ok = out[out["item"] == "ok"]
        assert not ok["suppressed"].any()
        few = out[out["item"] == "few_scored"]
        assert few.loc[few["response_kind"] == "scored", "suppressed"].all()
        assert few.loc[few["response_kind"] == "scored", "share_of_scored"].isna().all()
        assert not few.loc[few["response_kind"] != "scored", "suppressed"].any()
        asked = out[out["item"] == "few_asked"]
        assert asked["suppressed"].all() and asked["base_suppressed"].all()
        assert asked["share"].isna().all() and asked["n"].isna().all()


class TestPublicFormatting:
    """What the sections used to do with private helpers, now the disclosure module's API."""

    @pytest.mark.parametrize(
        ("p", "sv", "en"),
        [
            (0.04321, "0,043", "0.043"),
            (0.001, "0,001", "0.001"),
            (0.00099, "<0,001", "<0.001"),
            (0.0, "<0,001", "<0.001"),
            (float("nan"), "..", ".."),
        ],
    )
    def test_p_values_one_way(self, p, sv, en):
        assert disclosure.format_p(p, lang="sv") == sv
        assert disclosure.format_p(p, lang="en") == en

    def test_p_column_never_prints_zero(self):
        df = pd.DataFrame({"n": [20, 3], "p": [0.00001, 0.2]})
        out = format_table(df, [Column("p", "p", "p")], lang="sv", threshold=5)
        assert out["p"].tolist() == ["<0,001", "–"]  # the small group's p is withheld too

    def test_values_by_size_and_changes(self):
        assert disclosure.format_value(1712.4, lang="sv") == f"1{NBSP}712"
        assert disclosure.format_value(11.73, lang="en") == "11.7"
        assert disclosure.format_value(0.0583, lang="en") == "0.06"
        assert disclosure.format_change(0.41, lang="sv") == f"−59{NBSP}%"
        assert disclosure.format_percent_ci(0.351, 0.452, lang="en", change=True) == "−65 – −55%"
        assert disclosure.format_percent_ci(0.49, 0.68, lang="sv") == f"49–68{NBSP}%"
        assert disclosure.format_percent_ci(math.nan, 0.68, lang="sv") == ".."

    def test_small_cells_and_counts(self):
        assert disclosure.is_small_cell(4, 5) and not disclosure.is_small_cell(0, 5)
        assert not disclosure.is_small_cell(math.nan, 5) and not disclosure.is_small_cell(2, None)
        assert disclosure.too_small_base(0, 5) and not disclosure.too_small_base(5, 5)
        primary, complementary = disclosure.PRIMARY, disclosure.COMPLEMENTARY
        count = disclosure.format_count
        assert count(3, suppressed=True, reason=primary, threshold=5, lang="sv") == "<5"
        assert count(7, suppressed=True, reason=complementary, threshold=5, lang="sv") == "–"
        assert count(1234, suppressed=False, reason=None, threshold=5, lang="sv") == f"1{NBSP}234"

    def test_count_column_hides_the_complement_and_takes_its_own_note(self):
        df = pd.DataFrame({"group": list("abcd"), "n": [12, 7, 6, 4], "coded": [3, 2, 1, 1]})
        out = format_table(
            df,
            [
                Column("g", "group", "text"),
                Column("n", "n", "count"),
                Column("coded", "coded", "number", decimals=0),
            ],
            lang="sv",
            threshold=5,
            complement_within=[],
            note="<5 och – = färre än 5 intervjuer.",
        )
        assert out["n"].tolist() == ["12", "7", "–", "<5"]
        assert out["coded"].tolist() == ["3", "2", "–", "–"]
        assert out.attrs["notes"] == ["<5 och – = färre än 5 intervjuer."]

    def test_a_sum_over_hidden_cells_on_both_sides_is_withheld(self):
        cells = pd.DataFrame(
            {
                "category": ["a", "b", "c", "__total__"],
                "suppressed": [True, True, False, False],
            }
        )
        members = pd.Series(True, index=cells.index)
        assert disclosure.sum_reveals_hidden(cells, members=members, counted={"a"})
        assert not disclosure.sum_reveals_hidden(cells, members=members, counted={"a", "b"})
        assert not disclosure.sum_reveals_hidden(cells, members=members, counted={"c"})
