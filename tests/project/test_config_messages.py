"""project.yaml errors that guide: the place by id, the expected format with an example, the nearest
valid key, and for a YAML syntax error the line with its number and a caret. No names echoed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from project.config import load_project
from project.errors import ConfigError
from tests.conftest import EXAMPLE


def _error_after(tmp_path: Path, change) -> str:
    data = yaml.safe_load((EXAMPLE / "project.yaml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    return str(info.value)


def _error_in(tmp_path: Path, text: str) -> str:
    (tmp_path / "project.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    return str(info.value)


def _set(path: str, value):
    """A change that sets data[a][b]… (list entries by their id) to value."""

    def change(data: dict) -> None:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            if isinstance(node, list):
                node = next(entry for entry in node if entry.get("id") == key)
            else:
                node = node[key]
        node[last] = value

    return change


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "waves.T1.closes",
            "2019-03-32",
            "waves[T1].closes: expected a date as YYYY-MM-DD, e.g. 2018-03-01; found "
            "'2019-03-32' (day value is outside expected range)",
        ),
        (
            "waves.T0.invited",
            "many",
            "waves[T0].invited: expected a whole number, e.g. 5; found 'many'",
        ),
        ("waves.T0.invited", 0, "waves[T0].invited: expected a number ≥ 1; found 0"),
        (
            "report.language",
            "svenska",
            "report.language: expected one of sv, en; found 'svenska'.",
        ),
        (
            "report.kind",
            "interm",
            "report.kind: expected one of interim, final, followup; found 'interm'. Did you mean `interim`?",
        ),
        (
            "name",
            "Samordnad utskrivning",
            "name: expected a text in Swedish and English, e.g. {sv: Sjukhus A, en: Hospital A}",
        ),
        (
            "privacy.free_text",
            "redacted",
            "privacy.free_text: expected one of redact, quarantine; found 'redacted'. Did you "
            "mean `redact`?",
        ),
        (
            "synthetic",
            "maybe",
            "synthetic: expected true or false; found 'maybe'",
        ),
    ],
)
def test_a_wrong_value_names_the_place_and_the_format(tmp_path, path, value, expected) -> None:
    assert _error_after(tmp_path, _set(path, value)) == f"project.yaml: {expected}"


def test_an_unknown_key_in_a_wave_names_the_nearest(tmp_path) -> None:
    message = _error_after(tmp_path, _set("waves.T1.invted_by", []))
    assert message == (
        "project.yaml: waves[T1].invted_by: unknown key. Expected one of id, instrument, opens, "
        "closes, labels, short, invited, invited_by, profile, reminders, survey_url, parts. Did you mean "
        "`invited_by`?"
    )


def test_an_unknown_key_deep_down_names_the_nearest(tmp_path) -> None:
    def change(data: dict) -> None:
        data["waves"][2]["invited_by"] = [{"organisation": "ch_bjorkgarden", "invted": 40}]

    message = _error_after(tmp_path, change)
    assert "waves[VT2018].invited_by[#1].invited: required key is missing" in message
    assert (
        "waves[VT2018].invited_by[#1].invted: unknown key. Expected one of organisation, "
        "staff_group, invited. Did you mean `invited`?"
    ) in message


def test_an_unknown_key_without_a_near_one(tmp_path) -> None:
    message = _error_after(tmp_path, _set("privacy.colour", "blue"))
    assert message == (
        "project.yaml: privacy.colour: unknown key. Expected one of min_cell_size, small_group_quotes, "
        "free_text, "
        "roster, quasi_identifiers, k_anonymity, sensitive_columns, l_diversity. Hint: check its "
        "spelling, or remove it."
    )


def test_a_bad_id_is_described_not_repeated(tmp_path) -> None:
    """A coder's id typed as the coder's name: the message says what is wrong with it (a space)
    and names the entry by its number, so the name is not repeated."""

    def change(data: dict) -> None:
        data["interviews"]["coders"][0]["id"] = "Eva Lind"

    message = _error_after(tmp_path, change)
    assert message == (
        "project.yaml: interviews.coders[#1].id: expected an id of letters, digits, _ . or - that "
        "starts with a letter or digit, e.g. T0; found a space"
    )
    assert "Eva" not in message


def test_an_impossible_date_written_without_quotes(tmp_path) -> None:
    """YAML itself cannot build 2019-13-04; the model's message still names the wave."""
    text = (EXAMPLE / "project.yaml").read_text(encoding="utf-8")
    message = _error_in(tmp_path, text.replace("opens: 2019-02-04", "opens: 2019-13-04"))
    assert message.startswith("project.yaml: waves[T1].opens: expected a date as YYYY-MM-DD")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: x\nname: {sv: Mitt projekt, en: My project\nwaves: []\n",
            "project.yaml line 2, column 7: not valid YAML: the { opened here is not closed. "
            "Hint: close it with } on the same line, or write the entries as indented lines.\n"
            "  2 | name: {sv: Mitt projekt, en: My project\n"
            "    |       ^",
        ),
        (
            "id: x\nlanguages: [sv, en\nwaves: []\n",
            "project.yaml line 2, column 12: not valid YAML: the [ opened here is not closed. "
            "Hint: close it with ] on the same line, or write the entries as indented lines.\n"
            "  2 | languages: [sv, en\n"
            "    |            ^",
        ),
        (
            'id: x\nfunder: "Fonden\nreport: {}\n',
            "project.yaml line 2, column 9: not valid YAML: the quote opened here is not closed. "
            "Hint: end the text with the same kind of quote it starts with.\n"
            '  2 | funder: "Fonden\n'
            "    |         ^",
        ),
        (
            "id: x\nprivacy:\n\tmin_cell_size: 5\n",
            "project.yaml line 3, column 1: not valid YAML: a tab character. Hint: YAML indents "
            "with spaces, not tabs.\n"
            "  3 | \tmin_cell_size: 5\n"
            "    | ^",
        ),
        (
            "id: x\nfunder: Fonden: del 2\n",
            "project.yaml line 2, column 15: not valid YAML: a ': ' where no key can start. "
            'Hint: put quotes around a value that holds ": " (e.g. funder: "Fonden: del 2"), or '
            "line up this key with the keys above it.\n"
            "  2 | funder: Fonden: del 2\n"
            "    |               ^",
        ),
        (
            "waves:\n  - id: T0\n  opens: 2018-03-01\n",
            "project.yaml line 3, column 3: not valid YAML: the indentation does not match the "
            "lines above. Hint: keys of one mapping start in the same column; list entries start "
            "with '- '.\n"
            "  3 |   opens: 2018-03-01\n"
            "    |   ^",
        ),
    ],
    ids=["brace", "bracket", "quote", "tab", "colon", "indentation"],
)
def test_a_yaml_syntax_error_quotes_the_line_with_a_caret(tmp_path, text, expected) -> None:
    assert _error_in(tmp_path, text) == expected


def test_a_quoted_line_hides_names(tmp_path) -> None:
    """Names to redact stay out of the message; the caret still points at the right column."""
    message = _error_in(
        tmp_path, "interviews:\n  redact_names: [Karin Sjöberg, Lars Nyström\n  roster: x\n"
    )
    assert message.splitlines()[1:] == [
        "  2 |   redact_names: [xxxxx xxxxxxx, xxxx xxxxxxx",
        "    |                 ^",
    ]
