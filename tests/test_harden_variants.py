"""Issue 11, tried again with more inputs of each kind: the variants that got past the first
fixes. Each test is one class of attack, parametrised over its variants; each variant passed
``briefs validate`` (or hung, or replaced a file) before its root rule was fixed."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CorpusWriter
from harden_helpers import HANG_GUARD, briefs
from test_rendered_refs import BODY_LINE, errors, png, real_pdf

from site_builder.pages.links import published_files

SCRIPT = b"<script>fetch('http://127.0.0.1:9/')</script>"

# -- files published from references Markdown never renders -----------------------------
# The site copies every local file the publisher's scan (pages/links.py) finds, rendered or
# not; validation used to check only what Markdown rendered, so these shipped annex.html.

UNRENDERED = {
    "escaped-bracket": ("\\[x](annex.html)", 0),
    "html-comment": ('<!-- <a href="annex.html">x</a> -->', 0),
    "indented-code": ("Para.\n\n    [x](annex.html)", 2),
    "unused-reference-definition": ("[unused]: annex.html", 0),
    "inside-pre": ("<pre>\n[x](annex.html)\n</pre>", 1),
    "fence-in-a-list": ("- item\n\n    ```\n    [x](annex.html)\n    ```", 3),
    "markdown-off-block": ('<div markdown="0">[x](annex.html)</div>', 0),
    "abbreviation-definition": ("*[ABC]: [x](annex.html)", 0),
    "tail-without-bracket": ("text](annex.html) and more", 0),
    "attribute-in-prose": ('See <b title=x src="annex.html">', 0),
}


@pytest.mark.parametrize(("body", "offset"), UNRENDERED.values(), ids=UNRENDERED.keys())
def test_every_published_file_is_checked_rendered_or_not(corpus: CorpusWriter, body: str,
                                                         offset: int) -> None:
    found = errors(corpus, f"## Context\n\n{body}\n", {"moz/annex.html": SCRIPT})
    assert [(f.line, f.code) for f in found] == [(BODY_LINE + 2 + offset, "runnable-file")], \
        [f.format() for f in found]
    # the check and the publisher read one list: the file is on it
    assert any(p.name == "annex.html" for _, _, p in published_files(
        body, corpus.root / "moz", corpus.root))


@pytest.mark.parametrize("body", ["Para.\n\n    [x](pw.csv)", "[u]: pw.csv", "\\[x](pw.csv)"],
                         ids=["indented-code", "unused-definition", "escaped-bracket"])
def test_unrendered_symlink_out_of_the_content_folder(corpus: CorpusWriter, tmp_path: Path,
                                                      body: str) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n", encoding="utf-8")
    (corpus.root / "moz").mkdir(parents=True)
    (corpus.root / "moz" / "pw.csv").symlink_to(secret)
    found = errors(corpus, f"## Context\n\n{body}\n")
    assert [f.code for f in found] == ["link-outside"], [f.format() for f in found]


# -- attachments whose content is not what a reader should get ---------------------------

def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = {"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
        "word/document.xml": "<w:document/>", "word/media/image1.png": png()}
XLSX = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
        "xl/printerSettings/printerSettings1.bin": b"\0\1"}


def _pdf_with(key: str, value: str) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.Root[key] = pikepdf.Dictionary(S=pikepdf.Name(value), JS=pikepdf.String("x"),
                                           F=pikepdf.String("calc.exe"))
        pdf.save(out)
    return out.getvalue()


def _big_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in DOCX.items():
            archive.writestr(name, data)
        for n in range(3):  # 3 × 80 MB of zeros: a few hundred kB zipped
            archive.writestr(f"word/media/pad{n}.bin", b"\0" * 80_000_000)
    return out.getvalue()


BAD_ATTACHMENTS = {
    "pdf-that-is-html-after-its-magic": ("r.pdf", b"%PDF-1.4\n<html>" + SCRIPT + b"</html>"),
    "pdf-truncated": ("r.pdf", real_pdf()[:300]),
    "pdf-open-action-javascript": ("r.pdf", _pdf_with("/OpenAction", "/JavaScript")),
    "pdf-launch": ("r.pdf", _pdf_with("/OpenAction", "/Launch")),
    "csv-with-a-script-line": ("t.csv", b"a,b\n" + SCRIPT + b",c\n"),
    "csv-with-a-body-tag": ("t.csv", b"hello <body onload=alert(1)>\n"),
    "csv-with-a-comment": ("t.csv", b"a,b\n<!-- x -->\n"),
    "docx-with-macros": ("d.docx", _zip({**DOCX, "word/vbaProject.bin": b"x"})),
    "docx-with-a-web-page": ("d.docx", _zip({**DOCX, "word/index.html": SCRIPT})),
    "docx-macro-content-type": ("d.docx", _zip({**DOCX, "[Content_Types].xml":
                                "<Types><Override ContentType='application/vnd.ms-word."
                                "document.macroEnabled.main+xml'/></Types>"})),
    "docx-with-activex": ("d.docx", _zip({**DOCX, "word/activeX/activeX1.xml": "<a/>"})),
    "docx-with-embedded-object": ("d.docx", _zip({**DOCX, "word/embeddings/oleObject1.bin": b"x"})),
    "docx-part-leaving-the-archive": ("d.docx", _zip({**DOCX, "../../evil.xml": "<x/>"})),
    "docx-zip-bomb": ("d.docx", _big_zip()),
    "xlsx-with-macros": ("x.xlsx", _zip({**XLSX, "xl/vbaProject.bin": b"x"})),
}


@pytest.mark.parametrize(("name", "data"), BAD_ATTACHMENTS.values(), ids=BAD_ATTACHMENTS.keys())
def test_attachments_are_checked_for_what_they_carry(corpus: CorpusWriter, name: str,
                                                     data: bytes) -> None:
    found = errors(corpus, f"## Context\n\n[the file](files/{name})\n", {f"moz/files/{name}": data})
    assert [(f.line, f.code) for f in found] == [(BODY_LINE + 2, "unsafe-attachment")], \
        [f.format() for f in found]


def test_plain_attachments_still_pass(corpus: CorpusWriter) -> None:
    files = {"moz/files/r.pdf": real_pdf(), "moz/files/d.docx": _zip(DOCX),
             "moz/files/x.xlsx": _zip(XLSX), "moz/files/t.csv": b"share,value\n<5%,3\na < b,4\n"}
    body = "## Context\n\n" + " ".join(f"[f]({rel[4:]})" for rel in files) + "\n"
    assert errors(corpus, body, files) == []


@pytest.mark.parametrize("markup", ["![A report](files/r.pdf)", '<img alt="r" src="files/r.pdf">',
                                    "![A table](files/t.csv)"])
def test_only_images_are_shown_as_images(corpus: CorpusWriter, markup: str) -> None:
    files = {"moz/files/r.pdf": real_pdf(), "moz/files/t.csv": b"a,b\n"}
    found = errors(corpus, f"## Context\n\n{markup}\n", files)
    assert [(f.line, f.code) for f in found] == [(BODY_LINE + 2, "attachment-type")], \
        [f.format() for f in found]
    assert "only PNG, JPEG, WebP, GIF and SVG files are images" in found[0].message


# -- special files that a build reads -----------------------------------------------------

def test_a_fifo_among_the_briefs_files_does_not_hang_the_build_fingerprint(
        corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md")
    (corpus.root / "moz" / "img").mkdir()
    os.mkfifo(corpus.root / "moz" / "img" / "chart.png")  # not a brief: never skipped before
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - briefs\n", encoding="utf-8")
    code = ("from site_builder.settings import load_settings; "
            "from site_builder.up_to_date import input_fingerprint; "
            "print(input_fingerprint(load_settings(), {}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=HANG_GUARD, check=False)
    assert done.returncode == 0 and len(done.stdout.strip()) == 64, done.stderr


# -- briefs bundle -o: what it may replace -------------------------------------------------

def _bundle(tmp_path: Path, output: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - briefs\n", encoding="utf-8")
    return briefs(tmp_path, "bundle", "--country", "MOZ", "-o", output)


@pytest.mark.parametrize(("output", "words"), [
    ("bundles/other.yml", "it is inside the folder bundles/"),
    ("bundles/pack.pdf", "it is inside the folder bundles/"),
    ("notes.txt", "a pack is a PDF, so its name must end in .pdf"),
    ("README.md", "a pack is a PDF, so its name must end in .pdf"),
    ("pipe.pdf", "it exists and is not a regular file"),
    ("null.pdf", "it exists and is not a regular file"),  # a symbolic link to /dev/null
])
def test_bundle_output_replaces_only_a_pdf(corpus: CorpusWriter, tmp_path: Path, output: str,
                                           words: str) -> None:
    corpus.brief("moz/moz-a.md")
    (tmp_path / "bundles").mkdir()
    (tmp_path / "bundles" / "other.yml").write_text("title: X\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Read me\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.pdf")
    (tmp_path / "null.pdf").symlink_to("/dev/null")
    result = _bundle(tmp_path, output)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: refusing to write the pack to {output}: {words}" in result.stderr
    assert (tmp_path / "bundles" / "other.yml").read_text(encoding="utf-8") == "title: X\n"
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# Read me\n"
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe.pdf").st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize(("line", "where_", "words"), [
    ("order: [theme]", "4:8", "'order' must be text, not a list"),
    ("order: 5", "4:8", "'order' must be text, not '5'"),
    ("language: [en]", "4:11", "'language' must be text, not a list"),
    ("language: true", "4:11", "'language' must be text, not 'true'"),
    ("title: 123", "3:8", "'title' must be text, not '123'"),
])
def test_bundle_file_fields_of_the_wrong_type(corpus: CorpusWriter, tmp_path: Path, line: str,
                                              where_: str, words: str) -> None:
    corpus.brief("moz/moz-a.md")
    head = "" if line.startswith("title") else "title: Event\n"
    text = head + "select:\n  themes: [older-persons]\n" + line + "\n"
    if line.startswith("title"):
        text = "select:\n  themes: [older-persons]\n" + line + "\n"
    (tmp_path / "event.yml").write_text(text, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - briefs\n", encoding="utf-8")
    result = briefs(tmp_path, "bundle", "event.yml", "-o", "out.pdf")
    assert result.returncode == 1 and "['" not in result.stderr and "True" not in result.stderr
    assert f"error: event.yml:{where_}: {words}" in result.stderr, result.stderr


@pytest.mark.parametrize(("select", "words"), [
    ("{from: true, themes: [older-persons]}", "'from' must be a date as YYYY, YYYY-MM or "
     "YYYY-MM-DD, not 'true'"),
    ("{to: [2016], themes: [older-persons]}", "'to' must be a date as YYYY, YYYY-MM or "
     "YYYY-MM-DD, not a list"),
])
def test_bundle_file_dates_of_the_wrong_type(corpus: CorpusWriter, tmp_path: Path, select: str,
                                             words: str) -> None:
    corpus.brief("moz/moz-a.md")
    (tmp_path / "event.yml").write_text(f"title: Event\nselect: {select}\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - briefs\n", encoding="utf-8")
    result = briefs(tmp_path, "bundle", "event.yml", "-o", "out.pdf")
    assert result.returncode == 1 and "True" not in result.stderr
    assert words in result.stderr, result.stderr


# -- the check's reused renderer writes what a fresh one writes -----------------------------

STATEFUL_BODIES = [
    "*[ILO]: International Labour Organization\n\nThe ILO.[^1]\n\n[^1]: A note.\n",
    "No abbreviation here: ILO, and no footnote.\n\n## Context\n\n## Context\n",
    "[a][r] and ![b](img/a.png){: width=10 }\n\n[r]: https://example.org\n",
    "Term\n:   Definition\n\n!!! note\n    Text with <abbr title=\"x\">X</abbr>\n",
    "## Context\n\nText[^1] again[^2].\n\n[^1]: One.\n[^2]: Two.\n",
]


def test_the_checks_renderer_matches_a_fresh_render() -> None:
    from site_builder.markdown_render import render_unsanitised
    from site_builder.rendered_checks import render_for_check

    briefs_dir = Path(__file__).resolve().parent.parent / "briefs"
    bodies = [p.read_text(encoding="utf-8").split("\n---\n", 1)[1]
              for p in sorted(briefs_dir.rglob("*.md"))] + STATEFUL_BODIES
    for body in bodies + bodies[::-1]:  # each body after a different one: no state carried
        assert render_for_check(body) == render_unsanitised(body)
