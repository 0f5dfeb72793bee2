"""Hostile text from data and configuration reaches every format as characters, and rendering
makes no network access (a local HTTP server records any request; there must be none)."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
import yaml

from instruments.spec import InstrumentSpec
from project.config import Project, load_project
from project.errors import RenderError
from reports import disclosure
from reports.build import ReportOutputs, ReportRequest, build_report
from reports.content import Heading, Quote, ReportContext, SectionBuilder, SectionContent, Table
from reports.disclosure import Column
from reports.escaping import Markdown, escape
from reports.sections import SECTION_BUILDERS
from tests.reports.conftest import REPORT_DATE, make_project_dir
from tests.reports.test_render import pdf_text


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets."""
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    httpd.shutdown()


def _hostile(url: str) -> dict[str, str]:
    return {
        "org": "Hälsocentral <script>alert('x')</script>",
        "staff": f"Läkare <img src={url}/label>",
        "wave": "T1 $x$ @z # * |",
        "name": "Projekt @z <b>fet</b>",
        "quote": f"Citat <img src={url}/quote> $x$ @z # * | slut",
        "code": "Kod @z #rubrik *fet*",
    }


def _hostile_builder(h: dict[str, str]) -> SectionBuilder:
    def build(context: ReportContext) -> list[SectionContent]:
        frame = pd.DataFrame({"label": [h["org"], h["wave"]], "n": [12, 30]})
        cols = [Column("Grupp <i>", "label", "text"), Column("n", "n", "integer")]
        table = disclosure.format_table(frame, cols, lang=context.lang, threshold=None)
        blocks = (
            Heading(h["code"], 3),
            Quote(h["quote"], h["org"]),
            Table(table, Markdown("Tabell med {}").format(h["staff"])),
        )
        return [SectionContent("n2_key_persons", blocks)]

    return SectionBuilder("hostile", lambda _p: True, build)


def _request(root: Path, project: Project, spec: InstrumentSpec) -> ReportRequest:
    return ReportRequest(
        project=project,
        project_dir=root,
        specs=[spec],
        lang="sv",
        formats=["html", "docx", "pdf"],
        report_date=REPORT_DATE,
    )


def _hostile_project(root: Path, url: str) -> Project:
    h = _hostile(url)
    make_project_dir(root)
    data = yaml.safe_load((root / "project.yaml").read_text(encoding="utf-8"))
    data["name"]["sv"] = h["name"]
    data["report"]["evaluator"] = "Utvärdering $x$ @z"
    data["organisations"][3]["labels"]["sv"] = h["org"]
    data["staff_groups"][2]["labels"]["sv"] = h["staff"]
    data["waves"][1]["labels"]["sv"] = h["wave"]
    (root / "project.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "narrative" / "n2_key_persons.md").write_text(
        f'Berättelse med <img src="{url}/narrative"> och @z och $5 och $10.\n', encoding="utf-8"
    )
    return load_project(root)


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, server: tuple[str, list[str]], spec: InstrumentSpec
) -> ReportOutputs:
    url, _requests = server
    root = tmp_path_factory.mktemp("hostile") / "project"
    project = _hostile_project(root, url)
    builders = (*SECTION_BUILDERS, _hostile_builder(_hostile(url)))
    return build_report(_request(root, project, spec), builders=builders)


def test_rendering_makes_no_network_access(hostile, server):
    assert hostile.html and hostile.docx and hostile.pdf
    assert server[1] == []


def test_html_shows_the_characters_and_runs_nothing(hostile, server):
    html = " ".join(hostile.html.read_text(encoding="utf-8").split())  # pandoc wraps lines
    assert "<script" not in html and "<img src=" + server[0] not in html
    assert "<b>fet</b>" not in html
    for literal in (
        "Hälsocentral &lt;script&gt;alert(",
        f"&lt;img src={server[0]}/label&gt;",
        "T1 $x$ @z # * |",
        "Kod @z #rubrik *fet*",
        "Projekt @z &lt;b&gt;fet&lt;/b&gt;",
        # the narrative is Markdown (smart quotes), its raw HTML shown as text
        f"&lt;img src=“{server[0]}/narrative”&gt; och @z och $5 och $10.",
    ):
        assert literal in html, literal


def test_pdf_and_docx_show_the_characters(hostile, server):
    pdf = " ".join(pdf_text(hostile.pdf).split())
    with zipfile.ZipFile(hostile.docx) as z:
        docx_xml = z.read("word/document.xml").decode("utf-8")
    for literal in ("$x$ @z # * |", "Kod @z #rubrik *fet*", "alert("):
        assert literal in pdf, literal
    for literal in ("T1 $x$ @z # * |", "Kod @z #rubrik *fet*", "&lt;script&gt;alert("):
        assert literal in docx_xml, literal
    assert f"&lt;img src={server[0]}/quote&gt;" in docx_xml


def test_the_markdown_escapes_data_once(hostile):
    markdown = hostile.markdown.read_text(encoding="utf-8")
    assert "\\\\" not in markdown  # no data text escaped twice (the data hold no backslash)
    assert "\\<script\\>alert(\\'x\\')\\</script\\>" in markdown


def test_a_remote_image_in_the_narrative_is_refused_with_one_line(
    tmp_path: Path, server: tuple[str, list[str]], spec: InstrumentSpec
):
    url, requests = server
    before = len(requests)
    root = tmp_path / "project"
    project = _hostile_project(root, url)
    (root / "narrative" / "p2_process.md").write_text(
        f"Se bilden: ![karta]({url}/map.png)\n", encoding="utf-8"
    )
    with pytest.raises(RenderError) as caught:
        build_report(_request(root, project, spec))
    message = str(caught.value)
    assert message.startswith(f"p2_process.md: a remote resource is not allowed in a report: {url}")
    assert "\n" not in message
    assert len(requests) == before
    assert not (root / "output" / "reports" / "report_sv.html").exists()


def test_escape_is_the_only_way_data_enters_markdown():
    assert escape("@z") == "\\@z" and isinstance(escape("x"), Markdown)
    assert Markdown("*{}*").format("<b>") == "*\\<b\\>*"
    assert "- " + Markdown("x") == "\\- x"  # plain text added to Markdown is escaped
