"""`briefs validate`: every kind of bad input gives its message, file, line and column."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import VALID_BRIEF, CorpusWriter

from site_builder.corpus import load_corpus
from site_builder.findings import Finding, Severity


def errors(corpus: CorpusWriter) -> list[Finding]:
    _, findings = load_corpus(corpus.root)
    return [f for f in findings if f.severity is Severity.ERROR]


def only_error(corpus: CorpusWriter) -> Finding:
    found = errors(corpus)
    assert len(found) == 1, [f.format() for f in found]
    return found[0]


def test_valid_brief_has_no_findings(corpus: CorpusWriter) -> None:
    corpus.write("moz/moz-ok.md", VALID_BRIEF)
    loaded, findings = load_corpus(corpus.root)
    assert findings == []
    brief = loaded.briefs[0]
    assert (brief.slug, brief.country_codes, brief.date.iso, brief.language) == (
        "moz-ok", ("MOZ",), "2016-02-23", "en")
    assert brief.countries[0].name == "Mozambique" and brief.themes[0].title == "Older persons"
    assert brief.body.startswith("## Context")


@pytest.mark.parametrize(
    ("fields", "line", "col", "code", "words"),
    [
        ({"themes": "[older-person]"}, 4, 10, "unknown-theme", "did you mean 'older-persons'"),
        ({"countries": "[Kyrgyztan]"}, 3, 13, "unknown-country", "did you mean Kyrgyzstan (KGZ)"),
        ({"countries": "[MZO]"}, 3, 13, "unknown-country", "did you mean MOZ"),
        ({"regions": "[sahell]"}, 7, 11, "unknown-region", "did you mean 'sahel'"),
        ({"titel": "x"}, 7, 1, "unknown-field", "did you mean 'title'"),
        ({"title": "[a, b]"}, 2, 8, "wrong-type", "'title' must be text, not a list"),
        ({"summary": ""}, 6, 9, "wrong-type", "'summary' must be text, not empty"),
        ({"draft": "maybe"}, 7, 8, "wrong-type", "'draft' must be true or false"),
        ({"date": "2024-02-30"}, 5, 7, "bad-date", "impossible date '2024-02-30'"),
        ({"date": "'2024-13'"}, 5, 7, "bad-date", "impossible date"),
        ({"date": "March 2016"}, 5, 7, "bad-date", "YYYY-MM-DD or YYYY-MM"),
        ({"language": "english"}, 7, 11, "unknown-language", "ISO 639-1"),
        ({"countries": "[]"}, 3, 12, "wrong-type", "non-empty list"),
        ({"themes": None}, 1, 1, "missing-field", "missing required field 'themes'"),
        ({"summary": " ".join(["word"] * 81)}, 6, 10, "summary-too-long", "81 words"),
        ({"translation_of": "nowhere"}, 7, 1, "bad-translation", "'nowhere', which is not a brief"),
    ],
)
def test_front_matter_errors(corpus: CorpusWriter, fields: dict[str, str | None], line: int,
                             col: int, code: str, words: str) -> None:
    corpus.brief("moz/moz-x.md", **fields)
    found = only_error(corpus)
    assert (found.path, found.line, found.col, found.code) == ("briefs/moz/moz-x.md", line, col, code)
    assert words in found.message


def test_codes_are_text_and_names_normalise(corpus: CorpusWriter) -> None:
    corpus.brief("x/x.md", countries="[NO, KH, Viet Nam, \"Lao People's Democratic Republic\", "
                 "Bolivia, Occupied Palestinian Territory, pak]", date="2016-03")
    loaded, findings = load_corpus(corpus.root)
    assert findings == []
    assert loaded.briefs[0].country_codes == ("NOR", "KHM", "VNM", "LAO", "BOL", "PSE", "PAK")
    assert loaded.briefs[0].date.iso == "2016-03" and loaded.briefs[0].date.day is None


def test_quoted_and_unquoted_dates_are_the_same(corpus: CorpusWriter) -> None:
    corpus.brief("a/a.md", date="2016-03-01")
    corpus.brief("b/b.md", date="'2016-03-01'")
    loaded, findings = load_corpus(corpus.root)
    assert findings == [] and {b.date.iso for b in loaded.briefs} == {"2016-03-01"}


@pytest.mark.parametrize(
    ("text", "line", "col", "code", "words"),
    [
        ("---\ntitle: x\ncountries: [MOZ\n---\n", 4, 1, "yaml-syntax", "not valid YAML"),
        ("---\ntitle: x\n", 1, 1, "unclosed-front-matter", "add a line '---'"),
        ("no front matter\n", 1, 1, "no-front-matter", "starts with a line '---'"),
        ("---\ntitle: x\n\tcountries: [MOZ]\n---\n", 3, 1, "tab", "tab character"),
        ("---\ntitle: &t x\nsummary: *t\n---\n", 2, 8, "yaml-anchor", "anchor 't'"),
        ("---\ntitle: !!python/object:os.system x\n---\n", 2, 8, "yaml-tag", "!!python/object"),
        ("---\n- a\n- b\n---\n", 2, 1, "front-matter-not-mapping", "field: value"),
    ],
)
def test_yaml_errors(corpus: CorpusWriter, text: str, line: int, col: int, code: str,
                     words: str) -> None:
    corpus.write("moz/bad.md", text, dedent=False)
    found = [f for f in errors(corpus) if f.code == code]
    assert found, [f.format() for f in errors(corpus)]
    assert (found[0].path, found[0].line, found[0].col) == ("briefs/moz/bad.md", line, col)
    assert words in found[0].message


def test_duplicate_keys_are_detected(corpus: CorpusWriter) -> None:
    path = corpus.brief("moz/dup.md")
    text = path.read_text().replace("date: 2016-02-23", "date: 2016-02-23\ntitle: Again")
    path.write_text(text)
    found = only_error(corpus)
    assert (found.line, found.col, found.code) == (6, 1, "duplicate-key")
    assert "first set on line 2" in found.message


def test_all_problems_reported_at_once_sorted(corpus: CorpusWriter) -> None:
    corpus.brief("b/b.md", themes="[nope]", countries="[Atlantis]")
    corpus.brief("a/a.md", draft="maybe")
    found = errors(corpus)
    assert [(f.path, f.line) for f in found] == [
        ("briefs/a/a.md", 7), ("briefs/b/b.md", 3), ("briefs/b/b.md", 4)]


def test_duplicate_and_bad_slugs(corpus: CorpusWriter) -> None:
    corpus.brief("moz/same.md")
    corpus.brief("pak/same.md")
    corpus.brief("pak/Bad_Slug.md")
    codes = {(f.path, f.code) for f in errors(corpus)}
    assert codes == {("briefs/pak/same.md", "duplicate-slug"), ("briefs/pak/Bad_Slug.md", "bad-slug")}


def test_translation_of_and_draft(corpus: CorpusWriter) -> None:
    corpus.brief("moz/orig.md")
    corpus.brief("moz/orig-fr.md", language="fr", translation_of="orig", draft="true")
    loaded, findings = load_corpus(corpus.root)
    assert findings == []
    assert [b.slug for b in loaded.published] == ["orig"]
    assert loaded.get("orig-fr").translation_of == "orig"


@pytest.mark.parametrize(
    ("body", "line", "col", "code", "words"),
    [
        ("See [x](../nowhere/x.md).\n", 10, 9, "broken-link", "not found"),
        ("![Chart](img/missing.svg)\n", 10, 10, "missing-image", "not found"),
        ("![Chart](../../../etc/passwd)\n", 10, 10, "image-outside", "outside the content folder"),
        ("![Chart](/etc/passwd)\n", 10, 10, "image-outside", "absolute path"),
        ("![Chart](file:///etc/passwd)\n", 10, 10, "image-outside", "absolute path"),
        ("![Chart](http://example.org/a.png)\n", 10, 10, "remote-image", "never fetches"),
        ("<script>alert(1)</script>\n", 10, 1, "unsafe-html", "<script>"),
        ("Text <iframe src=x></iframe>\n", 10, 6, "unsafe-html", "<iframe>"),
        ('<p onclick="x()">hi</p>\n', 10, 4, "unsafe-html", "'onclick'"),
        ("[click](javascript:alert(1))\n", 10, 9, "unsafe-html", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>\n', 10, 4, "unsafe-html", "javascript:"),
    ],
)
def test_body_errors(corpus: CorpusWriter, body: str, line: int, col: int, code: str,
                     words: str) -> None:
    corpus.brief("moz/moz-x.md", body="## Context\n\n" + body)
    found = only_error(corpus)
    assert (found.path, found.line, found.col, found.code) == ("briefs/moz/moz-x.md", line, col, code)
    assert words in found.message


def test_link_text_wrapped_over_two_lines_is_checked(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-x.md", body="## Context\n\nSee [the strategy of\nanother country](../pak/nowhere.md).\n")
    found = only_error(corpus)
    assert (found.code, found.line, found.col) == ("broken-link", 11, 18)


def test_code_blocks_are_not_checked(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-x.md", body="Code:\n\n    <script>x</script> ![a](http://x/y.png)\n\n"
                 "Inline `<script>` is fine.\n")
    assert errors(corpus) == []


def test_backtick_fences_are_no_code_on_this_site(corpus: CorpusWriter) -> None:
    """The site's Markdown has no fenced code: what a fence holds is rendered, so checked."""
    corpus.brief("moz/moz-x.md", body="```\n<script>x</script> ![a](http://x/y.png)\n```\n")
    assert sorted(f.code for f in errors(corpus)) == ["remote-image", "unsafe-html"]


def test_links_and_images_that_resolve(corpus: CorpusWriter) -> None:
    corpus.write("moz/img/chart.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    corpus.brief("pak/other.md")
    corpus.brief("moz/moz-x.md", body="![Chart](img/chart.svg)\n\nSee [other](../pak/other.md#context)"
                 " and [site](https://www.social-protection.org).\n")
    assert errors(corpus) == []


def test_symlink_pointing_out_is_refused(corpus: CorpusWriter, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"png")
    (corpus.root / "moz").mkdir(parents=True)
    os.symlink(outside, corpus.root / "moz" / "evil.png")
    corpus.brief("moz/moz-x.md", body="![Evil](evil.png)\n")
    assert only_error(corpus).code == "image-outside"


def test_file_level_errors(corpus: CorpusWriter) -> None:
    corpus.write("moz/latin1.md", VALID_BRIEF.replace("Some text.", "Caf\xe9.").encode("latin-1"))
    corpus.write("moz/huge.md", VALID_BRIEF + "x" * 1_000_001)
    found = {f.path: f for f in errors(corpus)}
    assert found["briefs/moz/latin1.md"].code == "not-utf8"
    assert found["briefs/moz/latin1.md"].line == 10
    assert "save it as UTF-8" in found["briefs/moz/latin1.md"].message
    assert found["briefs/moz/huge.md"].code == "too-large"


def test_bom_and_crlf_are_fine(corpus: CorpusWriter) -> None:
    corpus.write("moz/crlf.md", ("\ufeff" + VALID_BRIEF).replace("\n", "\r\n").encode("utf-8"))
    loaded, findings = load_corpus(corpus.root)
    assert findings == [] and loaded.briefs[0].title == "A valid brief"


def test_deep_nesting_is_refused_quickly(corpus: CorpusWriter) -> None:
    corpus.brief("moz/deep.md", body="> " * 5000 + "deep\n")
    found = only_error(corpus)
    assert (found.code, found.line) == ("too-deep", 8)


def test_level_one_heading_is_a_warning(corpus: CorpusWriter) -> None:
    corpus.brief("moz/h1.md", body="# Title again\n")
    _, findings = load_corpus(corpus.root)
    assert [(f.code, f.severity) for f in findings] == [("heading-level", Severity.WARNING)]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_cli_text_and_json(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/enssb.md", themes="[older-person]")
    corpus.brief("moz/ok.md")
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "briefs/moz/enssb.md:4:10: error: unknown theme 'older-person' (did you mean "
        "'older-persons'?); themes are defined in briefs/themes.yml [unknown-theme]",
        "2 briefs, 1 error, 0 warnings",
    ]
    data = json.loads(run_cli("validate", "--format", "json", cwd=tmp_path).stdout)
    assert data["errors"] == 1 and data["findings"][0]["line"] == 4
    assert "Traceback" not in result.stderr


def test_cli_clean_exit_zero(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/ok.md")
    result = run_cli("validate", "briefs", cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "1 brief, 0 errors, 0 warnings")


def test_cli_checks_the_bundle_files_too(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/ok.md")
    (tmp_path / "bundles").mkdir()
    (tmp_path / "bundles" / "event.yml").write_text(
        "title: Event\nselect:\n  themes: [older-persons]\n  regions: [sahell]\n", encoding="utf-8")
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "bundles/event.yml:4:13: error: unknown region 'sahell' (did you mean 'sahel'?) [bundle-file]",
        "1 brief, 1 error, 0 warnings",
    ]
    # Given a folder, validate checks that folder's briefs only.
    assert run_cli("validate", "briefs", cwd=tmp_path).returncode == 0


def test_example_corpus_validates_clean(project_root: Path) -> None:
    result = run_cli("validate", cwd=project_root)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("0 errors, 0 warnings")
    loaded, _ = load_corpus(project_root / "briefs", cwd=project_root)
    assert len(loaded.briefs) >= 15
    assert len({c for b in loaded.briefs for c in b.countries}) >= 15
    assert len({t for b in loaded.briefs for t in b.themes}) >= 10
    assert any(b.translation_of and b.language in ("fr", "es") for b in loaded.briefs)
