"""Issue 11, points 2 and 3: references are checked in the rendered, sanitised HTML, and no
published file runs script. Each attack is a brief that passed ``briefs validate`` before."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import CorpusWriter
from PIL import Image
from test_images import huge_png

from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError, Finding, Severity
from site_builder.markdown_render import render_markdown
from site_builder.pdf import render_brief
from site_builder.settings import Settings

BODY_LINE = 8  # a brief from CorpusWriter.brief: 5 fields, two '---' lines, then the body


def png(width: int = 4, height: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 80, 110)).save(out, "PNG")
    return out.getvalue()


SVG_OK = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect fill="url(#g)"/></svg>'


def errors(corpus: CorpusWriter, body: str, files: dict[str, bytes] | None = None
           ) -> list[Finding]:
    """Write moz/moz-a.md with ``body`` (and files beside it); return its error findings."""
    corpus.write("moz/img/a.png", png())
    corpus.write("moz/img/a.svg", SVG_OK)
    for rel, data in (files or {}).items():
        corpus.write(rel, data)
    corpus.brief("moz/moz-a.md", body=body)
    _, findings = load_corpus(corpus.root)
    return [f for f in findings if f.severity is Severity.ERROR]


def only(found: list[Finding]) -> tuple[int, str, str]:
    assert len(found) == 1, [f.format() for f in found]
    return found[0].line, found[0].code, found[0].message


def test_clean_references_pass(corpus: CorpusWriter) -> None:
    body = ("## Context\n\n![A chart](img/a.png)\n\n![A map](img/a.svg)\n\n"
            "| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n[The law](https://example.org/law) and "
            "[a table](data/t.csv), [mail](mailto:a@example.org), [here](#context).\n")
    assert errors(corpus, body, {"moz/data/t.csv": b"a,b\n1,2\n"}) == []
    html = render_markdown("| a |\n|:-:|\n| 1 |\n")
    assert 'style="text-align:center"' in html  # alignment kept: the one style property left


def test_attribute_list_src_is_checked_at_its_line(corpus: CorpusWriter) -> None:
    body = '## Context\n\nText.\n\n![x](img/a.png){: src="http://evil.example/p.png" }\n'
    line, code, message = only(errors(corpus, body))
    assert (line, code) == (BODY_LINE + 4, "remote-image")
    assert "http://evil.example/p.png" in message and "network" in message


@pytest.mark.parametrize("style", [r"background: u\72l(http://evil.example/a)",
                                   "background:url(http://evil.example/a)",
                                   "background-image: image-set('http://evil.example/a' 1x)",
                                   r"background: /* x */ \75 rl(//evil.example/a)"])
def test_css_urls_in_styles_are_refused_in_any_spelling(corpus: CorpusWriter, style: str) -> None:
    body = f'## Context\n\nText.\n\nA paragraph.\n{{: style="{style}" }}\n'
    line, code, message = only(errors(corpus, body))
    assert (line, code) == (BODY_LINE + 5, "unsafe-html")
    assert "style attributes may not load URLs" in message
    shipped = render_markdown(body)
    assert "evil" not in shipped and "style" not in shipped  # and the sanitiser drops it too


def test_srcset_poster_and_link_are_resources(corpus: CorpusWriter) -> None:
    body = ('## Context\n\n![x](img/a.png){: srcset="img/a.png 1x, http://evil.example/b.png 2x" }\n\n'
            '<video poster="../tls/img/p.png"></video>\n\n'
            '<div markdown="1">\n<link rel="stylesheet" href="https://evil.example/s.css">\n</div>\n')
    found = errors(corpus, body, {"tls/img/p.png": png()})
    got = sorted((f.line, f.code) for f in found)
    assert (BODY_LINE + 2, "remote-image") in got
    assert (BODY_LINE + 4, "image-outside") in got
    assert any(f.line == BODY_LINE + 7 and f.code in ("remote-image", "unsafe-html") for f in found)
    poster = next(f for f in found if f.line == BODY_LINE + 4)
    assert "outside the brief's folder" in poster.message


@pytest.mark.parametrize("href", ["&#106;avascript:alert(1)", "java&#x09;script:alert(1)",
                                  "JaVaScRiPt:alert(1)", " &#x6A;&#x61;vascript&colon;alert(1)",
                                  "data:text/html;base64,PHNjcmlwdD4=", "VBScript:msgbox(1)",
                                  "java%0ascript:alert(1)"])
def test_script_links_are_refused_in_any_encoding(corpus: CorpusWriter, href: str) -> None:
    body = f'## Context\n\nText.\n\n<a href="{href}">click</a>\n'
    found = [f for f in errors(corpus, body) if f.code == "unsafe-html"]
    assert found and found[0].line == BODY_LINE + 4, [f.format() for f in found]
    assert "links are not allowed" in found[0].message


def test_attribute_list_href_on_a_link_is_checked(corpus: CorpusWriter) -> None:
    body = '## Context\n\nText.\n\n[x](https://example.org){: href="&#106;avascript:alert(1)" }\n'
    line, code, message = only(errors(corpus, body))
    assert (line, code, message) == (BODY_LINE + 4, "unsafe-html", "'javascript:' links are not allowed")


def test_an_image_in_a_sibling_folder_is_refused(corpus: CorpusWriter) -> None:
    body = "## Context\n\nText.\n\n![Map](../tls/img/map.png)\n"
    line, code, message = only(errors(corpus, body, {"tls/img/map.png": png()}))
    assert (line, code) == (BODY_LINE + 4, "image-outside")
    assert "'../tls/img/map.png' is outside the brief's folder" in message


@pytest.mark.slow
def test_validate_and_the_pdf_agree_on_a_sibling_folder_image(corpus: CorpusWriter, tmp_path: Path) -> None:
    """The PDF renderer reads only the brief's folder and the theme; validation says the same."""
    corpus.write("tls/img/map.png", png(40, 40))
    corpus.write("moz/img/map.png", png(40, 40))
    corpus.brief("moz/moz-a.md", body="## Context\n\n![Map](img/map.png)\n")
    loaded, findings = load_corpus(corpus.root)
    assert not [f for f in findings if f.severity is Severity.ERROR]
    brief = loaded.briefs[0]
    assert render_brief(brief, loaded, Settings(project_dir=tmp_path)).startswith(b"%PDF-")
    sibling = dataclasses.replace(brief, body="## Context\n\n![Map](../tls/img/map.png)\n")
    with pytest.raises(BriefsError):
        render_brief(sibling, loaded, Settings(project_dir=tmp_path))
    corpus.brief("moz/moz-a.md", body=sibling.body)
    assert [f.code for f in load_corpus(corpus.root)[1]] == ["image-outside"]


@pytest.mark.parametrize(("svg", "what"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
     "has a <script> element"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler (onload=)"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
     b'x</div></foreignObject></svg>', "<foreignobject>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<image xlink:href="https://evil.example/t.png"/></svg>', "refers to another file"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
     "script URL"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
     "DTD"),
])
@pytest.mark.parametrize("use", ["![A map](img/evil.svg)", "[the map](img/evil.svg)"])
def test_svgs_that_run_script_are_refused_at_their_line(corpus: CorpusWriter, svg: bytes,
                                                         what: str, use: str) -> None:
    body = f"## Context\n\nText.\n\n{use}\n"
    line, code, message = only(errors(corpus, body, {"moz/img/evil.svg": svg}))
    assert (line, code) == (BODY_LINE + 4, "unsafe-svg")
    assert what in message and "img/evil.svg" in message


@pytest.mark.parametrize("name", ["annex.html", "annex.htm", "tool.js", "tool.mjs", "page.xhtml",
                                  "feed.xml"])
def test_linked_files_a_browser_runs_are_refused(corpus: CorpusWriter, name: str) -> None:
    body = f"## Context\n\nText.\n\nSee [the annex](files/{name}).\n"
    found = errors(corpus, body, {f"moz/files/{name}": b"<script>alert(1)</script>"})
    line, code, message = only(found)
    assert (line, code) == (BODY_LINE + 4, "runnable-file")
    assert name in message and "a browser would run" in message


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "held"), [
    ("report.pdf", b"<html><script>alert(1)</script></html>", "holds an HTML file"),
    ("data.xlsx", docx(), "holds a DOCX file"),
    ("table.csv", b"<svg onload=alert(1)>", "holds an SVG file"),
    ("notes.pdf", b"\x00\x01binary", "not a file of any type"),
])
def test_attachments_are_checked_by_content(corpus: CorpusWriter, name: str, data: bytes,
                                            held: str) -> None:
    body = f"## Context\n\nText.\n\nSee [this](files/{name}).\n"
    line, code, message = only(errors(corpus, body, {f"moz/files/{name}": data}))
    assert (line, code) == (BODY_LINE + 4, "attachment-type")
    assert held in message, message


def real_pdf() -> bytes:
    """A one-page PDF with nothing active in it."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(out)
    return out.getvalue()


def test_good_attachments_and_unknown_types(corpus: CorpusWriter) -> None:
    files = {"moz/files/r.pdf": real_pdf(), "moz/files/d.docx": docx(),
             "moz/files/t.csv": "région,valeur\n".encode(), "moz/files/x.zip": b"PK\x03\x04"}
    body = ("## Context\n\n[r](files/r.pdf) [d](files/d.docx) [t](files/t.csv)\n\n"
            "[z](files/x.zip)\n")
    line, code, message = only(errors(corpus, body, files))
    assert (line, code) == (BODY_LINE + 4, "attachment-type")
    assert ".zip files cannot be published" in message


@pytest.mark.parametrize(("data", "code"), [
    (huge_png(20_000, 20_000), "image-bomb"),
    (png(300, 300)[:200], "image-corrupt"),
    (b"<html><body>not an image</body></html>", "image-mislabelled"),
], ids=["bomb", "truncated", "html-named-png"])
def test_bad_images_fail_validation_at_their_line(corpus: CorpusWriter, data: bytes, code: str) -> None:
    body = "## Context\n\nText.\n\n![A chart](img/chart.png)\n\n[the chart](img/chart.png)\n"
    found = errors(corpus, body, {"moz/img/chart.png": data})
    assert [f.line for f in found] == [BODY_LINE + 4, BODY_LINE + 6], [f.format() for f in found]
    assert all(f.code == code for f in found), [f.format() for f in found]


def test_briefs_validate_reports_a_bomb(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.write("moz/img/bomb.png", huge_png(20_000, 20_000))
    corpus.brief("moz/moz-a.md", body="## Context\n\n![Bomb](img/bomb.png)\n")
    done = subprocess.run(["briefs", "validate"], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert f"briefs/moz/moz-a.md:{BODY_LINE + 2}:" in output and "[image-bomb]" in output, output
    assert "Traceback" not in output and "DecompressionBomb" not in output
