"""Generate the synthetic interview codings of the discharge-planning example.

SYNTHETIC DATA, NO REAL PERSONS: every sentence, name, e-mail address and phone number written here
is invented by this script from a fixed seed. The phone number is from the range the Swedish Post
and Telecom Authority (PTS) sets aside for use in fiction; the e-mail domain is ``example.org``.

Run from the repository root::

    .venv/bin/python examples/discharge-planning/generate_interviews.py          # writes inbox/
    .venv/bin/python examples/discharge-planning/generate_interviews.py --out DIR --seed 7

Files (the same bytes on every run with the same seed):

* ``codings_interviews.csv`` -- as MAXQDA's "Overview of Coded Segments" exports it (semicolon
  separated, UTF-8 with BOM, CRLF): ``Color; Document group; Document name; Code; Beginning; End;
  Weight score; Segment; Comment; Created by; Created; Area; Coverage %``. One row per code applied
  to a segment; Beginning/End are paragraph numbers; code paths use ``\\``.
* ``codings_interviews.qdpx`` (written to ``exports/``, not the inbox: ``impleval run`` loads the
  CSV; load the ``.qdpx`` instead with ``impleval ingest exports/codings_interviews.qdpx --kind
  codings --replace``) -- the same material as a REFI-QDA project (``project.qde`` and one
  ``Sources/<guid>.txt`` per document; selections by character offsets; fixed zip timestamps).

The material
------------
29 interviews: twelve staff interviews after the pilot (document group "Personal"), steering-group
interviews in spring 2017 (seven: the project owner and six members) and again in autumn 2018
(six), and four interviews with relatives' organisations in autumn 2018. Each interview has 6-10
answer paragraphs; each paragraph is one segment coded to one NPT sub-construct (drawn with
weights that differ by stakeholder group: the steering group talks about initiation, contextual
integration and communal appraisal; staff about workability and skills; relatives about value and
trust), and about one in five also to a second sub-construct or a project code
("Projektkoder\\Hinder\\IT och teknik", "...\\Tid och bemanning", "Projektkoder\\Patientens
delaktighet"), plus a few to "Övrigt\\Att följa upp" (a working code the codebook does not know: it
stays unmapped). Coder "Eva Lind" codes everything; "Omar Haddad" double-codes four staff
interviews and three spring-2017 steering-group interviews: per segment he agrees with probability
0.68, otherwise picks a sibling sub-construct (0.18), drops a second code or adds one (0.09), or
leaves the segment uncoded (0.05). One coding by an undeclared coder ("Gästkodare") is there to be
quarantined. Three segments mention fictional names, one a fake e-mail address and one a fake phone
number, and two document names carry a fictional name, so redaction has something to do.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

HERE = Path(__file__).resolve().parent
SEED = 20181105
CSV_NAME = "codings_interviews.csv"
QDPX_NAME = "codings_interviews.qdpx"
ZIP_TIME = (2019, 1, 15, 12, 0, 0)
NS = "urn:QDA-XML:project:1.0"

CONSTRUCT_SV = {
    "CO": "Begriplighet",
    "CP": "Kognitivt deltagande",
    "CA": "Kollektivt handlande",
    "RM": "Reflexiv uppföljning",
}
SUB_SV = {
    "CODI": "Differentiering", "COCS": "Gemensam förståelse", "COIS": "Individuell förståelse",
    "COIN": "Internalisering", "CPIN": "Initiering", "CPEN": "Anslutning", "CPLE": "Legitimering",
    "CPAC": "Aktivering", "CAIW": "Användbarhet i samspelet", "CARI": "Relationell integrering",
    "CASW": "Kompetensmässig användbarhet", "CACI": "Kontextuell integrering",
    "RMSY": "Systematisering", "RMCA": "Gemensam värdering", "RMIA": "Individuell värdering",
    "RMRC": "Omformning",
}  # fmt: skip
PROJECT_PATHS = {
    "IT": "Projektkoder\\Hinder\\IT och teknik",
    "STAFF": "Projektkoder\\Hinder\\Tid och bemanning",
    "PART": "Projektkoder\\Patientens delaktighet",
    "FOLLOW": "Övrigt\\Att följa upp",
}

SENTENCES = {
    "CODI": [
        "Förut ringde vi runt och letade efter rätt person, nu står allt i planen och det är en helt annan sak.",
        "Skillnaden mot det gamla är att kommunen ser samma uppgifter som vi på avdelningen.",
        "Jag förstod först efter ett tag att det här inte bara var ett nytt formulär utan ett nytt sätt att planera.",
    ],
    "COCS": [
        "Vi satte oss tillsammans på arbetsplatsträffen och gick igenom vad samordnad utskrivning faktiskt betyder för oss.",
        "Det tog tid innan vi hade samma bild av vem som gör vad när patienten är utskrivningsklar.",
        "Vi pratade mycket om syftet i början, att patienten ska slippa ligga kvar i onödan.",
    ],
    "COIS": [
        "Min del är att kalla till planeringsmötet och se till att patienten är med, det vet jag nu.",
        "Jag var länge osäker på vad som förväntades av mig som distriktssköterska i det nya flödet.",
        "När jag fick se min roll i processkartan blev det tydligare vad jag ska göra.",
    ],
    "COIN": [
        "Jag ser verkligen nyttan, patienterna kommer hem tidigare och det känns tryggare för dem.",
        "För de anhöriga betyder det mycket att planen finns och att man vet vem man ska ringa.",
        "Det är värt besväret, även om det var tungt i början.",
    ],
    "CPIN": [
        "Projektledaren var ute på avdelningarna hela tiden och drev på, utan det hade det stannat av.",
        "Det var styrgruppen som tog beslutet och sedan såg till att cheferna tog det vidare.",
        "Några eldsjälar på hälsocentralen såg till att vi kom igång trots att det var mycket annat.",
    ],
    "CPEN": [
        "Vi fick lägga om schemat så att någon alltid kan delta i planeringsmötena på distans.",
        "Alla enheter skulle utse en kontaktperson, och det gjorde att fler blev engagerade.",
        "Det var svårt att få med läkarna från början, de kom in senare.",
    ],
    "CPLE": [
        "Jag tycker att det här är vårt ansvar, det är ju för patientens skull vi gör det.",
        "Det kändes självklart att kommunen skulle vara med, det är vi som tar emot patienten.",
        "Vissa undrade om det verkligen var deras uppgift att skriva i planen.",
    ],
    "CPAC": [
        "Vi har bestämt att ta upp utskrivningarna på varje veckomöte så att det inte glöms bort.",
        "Nu när projektet är slut måste vi själva hålla i det, och det har vi lagt in i rutinerna.",
        "Vi kom överens om att ha en gemensam genomgång varje månad med kommunerna.",
    ],
    "CAIW": [
        "I vardagen fungerar det bra, planeringsmötet via video tar en kvart och alla är med.",
        "Det krånglar fortfarande när patienten skrivs ut en fredag eftermiddag.",
        "Meddelandena kommer fram men ibland blir de inte kvitterade över helgen.",
    ],
    "CARI": [
        "Vi litar mer på varandra nu, jag vet att hemsjukvården läser det jag skriver.",
        "Förut fanns det en misstro mellan sjukhuset och kommunen, den har minskat.",
        "Jag är inte alltid säker på att det som står i planen stämmer med hur det blir hemma.",
    ],
    "CASW": [
        "Utbildningen var för kort, vi hade behövt mer tid att öva i systemet.",
        "Det är biståndshandläggaren som har kunskapen om insatserna, så det föll naturligt på dem.",
        "Nya medarbetare får lära sig av de som varit med länge, det fungerar hyfsat.",
    ],
    "CACI": [
        "Cheferna måste ge utrymme i schemat, annars blir det bara något man gör vid sidan om.",
        "Ledningen har backat upp det hela vägen, och riktlinjerna kom på plats i tid.",
        "Det saknades resurser i början, särskilt i de små kommunerna.",
    ],
    "RMSY": [
        "Vi följer antalet utskrivningsklara dagar varje månad och kan se att det har gått ner.",
        "Vi har inte riktigt fått några siffror tillbaka om hur det går, det efterfrågar jag.",
        "Det vore bra med en enkel uppföljning per enhet så man ser sin egen utveckling.",
    ],
    "RMCA": [
        "I styrgruppen har vi gått igenom resultaten och är överens om att det har blivit bättre.",
        "När vi träffades över gränserna kunde vi se vad som fungerar och vad som inte gör det.",
        "Det finns olika uppfattningar om hur bra det har gått, beroende på vem man frågar.",
    ],
    "RMIA": [
        "För mig personligen har det blivit lugnare, jag slipper jaga information.",
        "Det tar mer tid för mig än förut, men jag tror att det lönar sig för patienten.",
        "Jag märker att jag har bättre koll på mina patienter när de kommer hem.",
    ],
    "RMRC": [
        "Vi ändrade rutinen för helgerna efter första halvåret, det blev mycket bättre.",
        "Mallen för planen har vi förenklat två gånger efter synpunkter från personalen.",
        "Vi har anpassat arbetssättet till de mindre kommunerna där samma person gör allt.",
    ],
    "IT": [
        "Systemet var långsamt och inloggningen krånglade, det tog mycket tid.",
        "Tekniken för videomöten fungerade inte på alla enheter i början.",
    ],
    "STAFF": [
        "När det är underbemanning är det planeringen som får stå tillbaka.",
        "Vi har inte fått någon extra tid för det här, det ska rymmas i det vanliga.",
    ],
    "PART": [
        "Patienten är med på mötet nästan alltid nu, och det märks att de känner sig delaktiga.",
        "Det är inte alltid lätt att få med patienten när hen är trött eller förvirrad.",
    ],
}  # fmt: skip
OPENERS = ["", "", "Ärligt talat: ", "Jag skulle säga så här. ", "För vår del var det så. ",
           "Det jag märker är detta. ", "Om jag ska vara konkret: "]  # fmt: skip
QUESTIONS = [
    "Intervjuare: Hur har arbetet med samordnad utskrivning fungerat?",
    "Intervjuare: Kan du ge ett exempel?",
    "Intervjuare: Hur ser du på det framåt?",
    "Intervjuare: Vad har varit svårast?",
]

WEIGHTS = {
    "staff": {"CODI": 2, "COCS": 2, "COIS": 4, "COIN": 4, "CPIN": 2, "CPEN": 3, "CPLE": 2,
              "CPAC": 2, "CAIW": 7, "CARI": 4, "CASW": 6, "CACI": 3, "RMSY": 2, "RMCA": 1,
              "RMIA": 5, "RMRC": 3},
    "steering": {"CODI": 2, "COCS": 4, "COIS": 1, "COIN": 3, "CPIN": 7, "CPEN": 4, "CPLE": 3,
                 "CPAC": 4, "CAIW": 2, "CARI": 3, "CASW": 1, "CACI": 7, "RMSY": 4, "RMCA": 6,
                 "RMIA": 1, "RMRC": 3},
    "relatives": {"CODI": 2, "COCS": 1, "COIS": 1, "COIN": 7, "CPIN": 1, "CPEN": 1, "CPLE": 2,
                  "CPAC": 1, "CAIW": 3, "CARI": 6, "CASW": 1, "CACI": 2, "RMSY": 1, "RMCA": 2,
                  "RMIA": 5, "RMRC": 1},
}  # fmt: skip
PROJECT_SHARE = {"IT": 0.07, "STAFF": 0.06, "PART": 0.05, "FOLLOW": 0.03}

CODER_A, CODER_B, GUEST = "Eva Lind", "Omar Haddad", "Gästkodare"
# Fictional people mentioned in the interviews (also in the example's redaction list and roster).
NAMES = ["Karin Sjöberg", "Lars Nyström", "Maja Rönnqvist"]
FAKE_EMAIL = "lars.nystrom@example.org"
FAKE_PHONE = "070-174 06 21"  # PTS range for fiction (070-1740605 … 070-1740699)


@dataclass
class Segment:
    paragraph: int  # 1-based paragraph number in the document
    text: str
    codes: dict[str, list[str]] = field(default_factory=dict)  # coder → tool code paths
    start: int = 0  # character offsets in the document text
    end: int = 0


@dataclass
class Document:
    name: str
    group: str  # MAXQDA document group (sv)
    kind: str  # staff | steering | relatives
    paragraphs: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    double_coded: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _path(code: str) -> str:
    if code in PROJECT_PATHS:
        return PROJECT_PATHS[code]
    return f"NPT\\{CONSTRUCT_SV[code[:2]]}\\{SUB_SV[code]}"


def _documents() -> list[Document]:
    docs = [Document(f"Personal {i:02d}", "Personal", "staff") for i in range(1, 13)]
    docs[2].name = "Personal 03 – Karin Sjöberg"
    docs[7].name = "Personal 08 – Maja Rönnqvist"
    docs += [
        Document(f"Styrgrupp omgång 1 – ledamot {i:02d}", "Styrgrupp", "steering")
        for i in range(1, 8)
    ]
    docs += [
        Document(f"Styrgrupp omgång 2 – ledamot {i:02d}", "Styrgrupp", "steering")
        for i in range(1, 7)
    ]
    docs += [
        Document(f"Anhörigorganisation {i:02d}", "Anhörigorganisationer", "relatives")
        for i in range(1, 5)
    ]
    for d in docs[0:4] + docs[12:15]:
        d.double_coded = True
    return docs


def _pick(rng: random.Random, weights: dict[str, int], exclude: set[str] = frozenset()) -> str:
    keys = [k for k in weights if k not in exclude]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _sentence(rng: random.Random, code: str, *, opener: bool = True) -> str:
    text = rng.choice(SENTENCES[code])
    start = rng.choice(OPENERS) if opener else ""
    return start + text


def _second_opinion(rng: random.Random, codes: list[str], weights: dict[str, int]) -> list[str]:
    """The double coder's codes for a segment, given the first coder's."""
    u = rng.random()
    if u < 0.68:
        return list(codes)
    if u < 0.86:
        first = codes[0]
        siblings = [k for k in SUB_SV if k[:2] == first[:2] and k != first]
        return [rng.choice(siblings), *codes[1:]]
    if u < 0.95:
        if len(codes) > 1:
            return codes[:1]
        return [*codes, _pick(rng, weights, set(codes))]
    return []


def build(seed: int = SEED) -> list[Document]:
    rng = random.Random(seed)
    docs = _documents()
    specials = iter(
        [
            f" Det sa {NAMES[0]} också på arbetsplatsträffen.",
            f" {NAMES[1]} på kommunen var den som höll i det.",
            f" Fråga gärna {NAMES[2].split()[0]}, hon vet mer.",
            f" Mejla gärna {FAKE_EMAIL} om ni vill veta mer.",
            f" Ring mig på {FAKE_PHONE} om något är oklart.",
        ]
    )
    special_at = {(1, 2), (5, 1), (13, 3), (20, 2), (26, 1)}  # (document index, segment index)
    for di, doc in enumerate(docs):
        weights = WEIGHTS[doc.kind]
        n = rng.randint(6, 10)
        paragraphs = ["SYNTETISK INTERVJU – fiktiv text, inga verkliga personer."]
        for si in range(n):
            paragraphs.append(rng.choice(QUESTIONS))
            code = _pick(rng, weights)
            text = _sentence(rng, code)
            codes = [code]
            r = rng.random()
            if r < 0.12:
                second = _pick(rng, weights, {code})
                codes.append(second)
                text += " " + _sentence(rng, second, opener=False)
            else:
                for pc, share in PROJECT_SHARE.items():
                    if rng.random() < share:
                        codes.append(pc)
                        if pc != "FOLLOW":
                            text += " " + rng.choice(SENTENCES[pc])
                        break
            if (di, si) in special_at:
                text += next(specials)
            paragraphs.append(text)
            seg = Segment(paragraph=len(paragraphs), text=text)
            seg.codes[CODER_A] = [_path(c) for c in codes]
            if doc.double_coded:
                seg.codes[CODER_B] = [_path(c) for c in _second_opinion(rng, codes, weights)]
            doc.segments.append(seg)
        doc.paragraphs = paragraphs
        offset = 0
        starts = []
        for p in paragraphs:
            starts.append(offset)
            offset += len(p) + 2
        for seg in doc.segments:
            seg.start = starts[seg.paragraph - 1]
            seg.end = seg.start + len(seg.text)
    docs[5].segments[0].codes[GUEST] = [_path("CAIW")]
    return docs


def _coded(docs: list[Document]):
    """(document, segment, coder, code path) in export order: by document, segment, coder."""
    for doc in docs:
        for seg in doc.segments:
            for coder in sorted(seg.codes):
                for path in seg.codes[coder]:
                    yield doc, seg, coder, path


def write_csv(docs: list[Document], target: Path) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["Color", "Document group", "Document name", "Code", "Beginning", "End",
                "Weight score", "Segment", "Comment", "Created by", "Created", "Area",
                "Coverage %"])  # fmt: skip
    for doc, seg, coder, path in _coded(docs):
        day = 5 + (coder != CODER_A) * 7
        w.writerow(
            [
                "#0072B2" if path.startswith("NPT") else "#D55E00",
                doc.group,
                doc.name,
                path,
                seg.paragraph,
                seg.paragraph,
                0,
                seg.text,
                "",
                coder,
                f"2018-11-{day:02d} 10:00",
                len(seg.text),
                f"{100 * len(seg.text) / len(doc.text):.2f}",
            ]
        )
    target.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return target


def write_qdpx(docs: list[Document], target: Path, *, seed: int = SEED) -> Path:
    rng = random.Random(seed + 1)

    def guid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    ET.register_namespace("", NS)

    def el(parent: ET.Element | None, tag: str, **attrs: str) -> ET.Element:
        node = (
            ET.Element(f"{{{NS}}}{tag}", attrs)
            if parent is None
            else ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
        )
        return node

    stamp = "2018-11-05T10:00:00Z"
    users = {name: guid() for name in (CODER_A, CODER_B, GUEST)}
    root = el(None, "Project", name="Samordnad utskrivning – syntetiska intervjuer",
              origin="generate_interviews.py (synthetic)", creatingUserGUID=users[CODER_A],
              creationDateTime=stamp)  # fmt: skip
    users_el = el(root, "Users")
    for name, g in users.items():
        el(users_el, "User", guid=g, name=name)
    codebook = el(el(root, "CodeBook"), "Codes")
    code_guid: dict[str, str] = {}
    nodes: dict[str, ET.Element] = {}

    def ensure(path: str) -> str:
        parts = path.split("\\")
        parent = codebook
        for i in range(len(parts)):
            key = "\\".join(parts[: i + 1])
            if key not in nodes:
                code_guid[key] = guid()
                nodes[key] = el(parent, "Code", guid=code_guid[key], name=parts[i],
                                isCodable="true")  # fmt: skip
            parent = nodes[key]
        return code_guid[path]

    for code in SUB_SV:
        ensure(_path(code))
    for path in PROJECT_PATHS.values():
        ensure(path)
    variables = el(root, "Variables")
    group_var = guid()
    el(variables, "Variable", guid=group_var, name="Dokumentgrupp", typeOfVariable="Text")
    sources = el(root, "Sources")
    files: list[tuple[str, bytes]] = []
    for doc in docs:
        src_guid = guid()
        src = el(sources, "TextSource", guid=src_guid, name=doc.name,
                 plainTextPath=f"internal://{src_guid}.txt", creatingUser=users[CODER_A],
                 creationDateTime=stamp)  # fmt: skip
        for seg in doc.segments:
            for coder in sorted(seg.codes):
                if not seg.codes[coder]:
                    continue
                sel = el(src, "PlainTextSelection", guid=guid(), name=seg.text[:40],
                         startPosition=str(seg.start), endPosition=str(seg.end),
                         creatingUser=users[coder], creationDateTime=stamp)  # fmt: skip
                for path in seg.codes[coder]:
                    coding = el(sel, "Coding", guid=guid(), creatingUser=users[coder],
                                creationDateTime=stamp)  # fmt: skip
                    el(coding, "CodeRef", targetGUID=ensure(path))
        vv = el(src, "VariableValue")
        el(vv, "VariableRef", targetGUID=group_var)
        el(vv, "TextValue").text = doc.group
        files.append((f"Sources/{src_guid}.txt", doc.text.encode("utf-8")))
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in [("project.qde", xml), *files]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return target


def generate(out: Path, *, seed: int = SEED, qdpx_out: Path | None = None) -> dict[str, Path]:
    """Write the CSV into ``out`` and the ``.qdpx`` into ``qdpx_out`` (default: ``out``).

    In the example project the CSV sits in ``inbox/`` (picked up by ``impleval run``) and the
    ``.qdpx`` in ``exports/``: both hold the same material, so only one can be the loaded one.
    """
    out = Path(out)
    qdpx_out = Path(qdpx_out) if qdpx_out is not None else out
    out.mkdir(parents=True, exist_ok=True)
    qdpx_out.mkdir(parents=True, exist_ok=True)
    docs = build(seed)
    return {
        "csv": write_csv(docs, out / CSV_NAME),
        "qdpx": write_qdpx(docs, qdpx_out / QDPX_NAME, seed=seed),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument(
        "--out", type=Path, default=HERE / "inbox", help="CSV folder (default: the inbox/)"
    )
    parser.add_argument(
        "--qdpx-out", type=Path, default=HERE / "exports", help=".qdpx folder (default: exports/)"
    )
    args = parser.parse_args(argv)
    for kind, path in generate(args.out, seed=args.seed, qdpx_out=args.qdpx_out).items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
