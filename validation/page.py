"""A small, self-contained HTML page per ingest: the rules, the counts and the quarantined rows.

great-expectations' Data Docs load Bootstrap, jQuery and Font Awesome from CDNs, so offline they are
unstyled and without their scripts; this page has its CSS inline and no scripts, and opens from a USB
stick. Like the quarantine file it names rows, columns and rules; details are the ≤ 40-character,
redacted ones the quarantine keeps — never answer text or identifiers.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from validation.page_text import PAGE, RULES_SV, STATUS
from validation.quarantine import RULES

MAX_ROWS = 5000

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
color:#1b1b1b;line-height:1.4;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#176117}.bad{color:#9b1c1c}.muted{color:#666}
"""


def render_validation_page(
    *,
    target: str,
    file_name: str,
    sha256: str,
    status: str,
    counts: tuple[int, int, int],
    rules: Mapping[str, int],
    rows: Sequence[Mapping[str, object]],
    lang: str = "en",
) -> str:
    """The page as a string (pure; :func:`write_validation_page` saves it), in ``lang`` (sv, en).

    ``target`` is what the rows went into (``nomad T1``); ``status`` the ingest's status
    (``loaded``, ``dry_run``, …); ``counts`` are the rows read, loaded and quarantined; ``rows``
    are quarantine records (``source_row, column, rule, detail``); ``rules`` counts the rows each
    rule quarantined, with every rule the suite checked (0 when nothing failed it).
    """
    esc = html.escape
    lang = "sv" if lang == "sv" else "en"
    w = PAGE[lang]
    meanings = RULES_SV if lang == "sv" else RULES
    rows_read, rows_loaded, rows_quarantined = counts
    verdict = (
        f'<p class="ok">{w["all_loaded"]}</p>'
        if not rows_quarantined
        else f'<p class="bad">{esc(w["quarantined"].format(n=rows_quarantined))}</p>'
    )
    rule_rows = "".join(
        f"<tr><td><code>{esc(rule)}</code></td><td>{esc(meanings.get(rule, ''))}</td>"
        f'<td class="n">{n}</td></tr>'
        for rule, n in sorted(rules.items())
    )
    shown = list(rows)[:MAX_ROWS]
    row_rows = "".join(
        f'<tr><td class="n">{int(r["source_row"])}</td><td>{esc(str(r["column"]))}</td>'  # type: ignore[call-overload]
        f"<td><code>{esc(str(r['rule']))}</code></td><td>{esc(str(r['detail']))}</td></tr>"
        for r in shown
    )
    more = (
        f'<p class="muted">{esc(w["more"].format(n=len(rows) - MAX_ROWS))}</p>'
        if len(rows) > MAX_ROWS
        else ""
    )
    title = esc(w["title"].format(target=target))
    said = STATUS[lang].get(status, status.replace("_", " "))
    tally = w["counts"].format(read=rows_read, loaded=rows_loaded, quarantined=rows_quarantined)
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{_CSS}</style></head>
<body>
<h1>{title}</h1>
<p>{w["file"]} <code>{esc(file_name)}</code> (sha256 <code>{esc(sha256[:12])}</code>), {esc(said)}.</p>
<p>{tally}</p>
{verdict}
<h2>{w["rules"]}</h2>
<table><thead><tr><th>{w["rule"]}</th><th>{w["meaning"]}</th><th>{w["rows"]}</th></tr></thead>
<tbody>{rule_rows}</tbody></table>
<h2>{w["quarantined_rows"]}</h2>
<p class="muted">{esc(w["row_numbers"])}</p>
<table><thead><tr><th>{w["row"]}</th><th>{w["column"]}</th><th>{w["rule"]}</th><th>{w["detail"]}</th></tr></thead>
<tbody>{row_rows}</tbody></table>
{more}
</body></html>
"""


def write_validation_page(target: Path, page: str) -> Path:
    """Save ``page`` at ``target`` (folders created; written under a temporary name, then renamed,
    so a killed run never leaves half a page)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target
