"""Hardening of the inputs: vocabulary files, special files and links in briefs/,
translation cycles, words hidden by invisible joiners (issue 11 #1, #6, #9, #10)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from conftest import CorpusWriter
from harden_helpers import briefs, errors, findings_of, only_error, where

from site_builder import inputs
from site_builder.corpus import load_corpus, load_vocabulary
from site_builder.findings import Severity

# -- 2. vocabulary files ----------------------------------------------------------

def test_vocabulary_titles_and_descriptions_too(corpus: CorpusWriter) -> None:
    corpus.write("themes.yml", '- id: health\n  title: "Health\\x07"\n'
                 "  description: Care \u202e here.\n- id: older-persons\n  title: Older\n")
    corpus.brief("moz/moz-x.md", themes="[older-persons]")
    found = sorted(where(f) for f in errors(corpus))
    assert found == [("briefs/themes.yml", 2, 17, "control-character"),
                     ("briefs/themes.yml", 3, 21, "control-character")]


@pytest.mark.parametrize(
    ("entry", "line", "col", "code", "words"),
    [
        ('- id: "../../../../tmp/x"\n  title: X\n', 1, 7, "bad-id", "not '../../../../tmp/x'"),
        ("- id: has space\n  title: X\n", 1, 7, "bad-id", "not 'has space'"),
        ("- id: null\n  title: X\n", 1, 7, "bad-id", "not null"),
        ("- id: [a, b]\n  title: X\n", 1, 7, "bad-id", "not a list"),
        ("- id: a/b\n  title: X\n", 1, 7, "bad-id", "not 'a/b'"),
        ("- id: a..b\n  title: X\n", 1, 7, "bad-id", "not 'a..b'"),
        ("- id: Health\n  title: X\n", 1, 7, "bad-id", "not 'Health'"),
        (f"- id: {'a' * 65}\n  title: X\n", 1, 7, "bad-id", "at most 64 characters"),
        ("- title: X\n", 1, 3, "bad-vocabulary", "has no 'id'"),
        ("- id: x\n  title: X\n  descripton: D\n", 3, 3, "unknown-key",
         "unknown key 'descripton' (did you mean 'description'?)"),
        ("- id: x\n  title: X\n  countries: [MOZ]\n", 3, 3, "unknown-key", "a theme has id"),
        ("- id: x\n  title: [a]\n", 2, 10, "wrong-type", "'title' must be text, not a list"),
        ("- id: x\n  title: 2030\n", 2, 10, "wrong-type", "'title' must be text, not '2030'"),
        ("- id: x\n  title: X\n  description: {a: 1}\n", 3, 17, "wrong-type",
         "'description' in several languages takes two-letter language codes"),
        ("- id: x\n  title: X\n  description: {fr: 1}\n", 3, 21, "wrong-type",
         "'description.fr' must be text, not '1'"),
        ("- id: x\n  title: X\n  description: []\n", 3, 16, "wrong-type",
         "'description' must be text, not a list"),
        ("- id: x\n  title: X\n  title: Y\n", 3, 3, "bad-vocabulary", "set twice"),
        ("- just text\n", 1, 3, "bad-vocabulary", "each entry must be a set of 'key: value'"),
        ("- id: x\n  title: X\n- id: x\n  title: Y\n", 3, 7, "bad-vocabulary",
         "duplicate id 'x'"),
        ("title: not a list\n", 1, 1, "bad-vocabulary", "must be a YAML list"),
        ("- id: x\n  title: [unclosed\n", 3, 1, "yaml-syntax", "not valid YAML"),
    ],
)
def test_theme_entries_are_checked_at_their_line(corpus: CorpusWriter, entry: str, line: int,
                                                 col: int, code: str, words: str) -> None:
    corpus.write("themes.yml", entry)
    vocab, found = load_vocabulary(corpus.root, corpus.root.parent)
    assert len(found) == 1, [f.format() for f in found]
    assert where(found[0]) == ("briefs/themes.yml", line, col, code)
    assert words in found[0].message
    assert all(".." not in t and "/" not in t for t in vocab.themes)


@pytest.mark.parametrize(
    ("entry", "line", "col", "code", "words"),
    [
        ("- id: sahel\n  title: Sahel\n  countries: BFA\n", 3, 14, "wrong-type",
         "'countries' must be a list"),
        ("- id: sahel\n  title: Sahel\n  countries: [BFA, Narnia]\n", 3, 20, "unknown-country",
         "unknown country 'Narnia'"),
        ("- id: sahel\n  title: Sahel\n  countries: [[BFA]]\n", 3, 15, "wrong-type",
         "each item of 'countries'"),
        ("- id: ../sahel\n  title: Sahel\n", 1, 7, "bad-id", "region id must be"),
        ("- id: sahel\n  title: Sahel\n  members: [BFA]\n", 3, 3, "unknown-key",
         "a region has id, title, countries, description"),
    ],
)
def test_region_entries_are_checked_at_their_line(corpus: CorpusWriter, entry: str, line: int,
                                                  col: int, code: str, words: str) -> None:
    corpus.write("regions.yml", entry)
    vocab, found = load_vocabulary(corpus.root, corpus.root.parent)
    assert len(found) == 1, [f.format() for f in found]
    assert where(found[0]) == ("briefs/regions.yml", line, col, code)
    assert words in found[0].message
    assert all(".." not in r for r in vocab.regions)


def test_a_bad_entry_does_not_hide_the_good_ones(corpus: CorpusWriter) -> None:
    corpus.write("themes.yml", "- id: bad id\n  title: X\n- id: health\n  title: Health\n")
    vocab, found = load_vocabulary(corpus.root, corpus.root.parent)
    assert list(vocab.themes) == ["health"] and [f.code for f in found] == ["bad-id"]


def test_unreadable_vocabulary_files_are_clear_errors(corpus: CorpusWriter) -> None:
    (corpus.root / "themes.yml").write_bytes("- id: sant\xe9\n  title: Sant\xe9\n".encode("latin-1"))
    (corpus.root / "regions.yml").unlink()
    (corpus.root / "regions.yml").mkdir()
    _, found = load_vocabulary(corpus.root, corpus.root.parent)
    assert sorted((where(f), f.message) for f in found) == [
        (("briefs/regions.yml", 1, 1, "not-a-file"), "is a folder, not a file"),
        (("briefs/themes.yml", 1, 11, "not-utf8"),
         "file is not UTF-8 (byte 0xe9): save it as UTF-8"),
    ]


def test_vocabulary_links_that_loop_or_dangle(corpus: CorpusWriter) -> None:
    (corpus.root / "themes.yml").unlink()
    (corpus.root / "themes.yml").symlink_to("themes.yml")
    (corpus.root / "regions.yml").unlink()
    (corpus.root / "regions.yml").symlink_to("nowhere.yml")
    _, found = load_vocabulary(corpus.root, corpus.root.parent)
    by_path = {f.path: f for f in found}
    assert by_path["briefs/themes.yml"].code == "bad-link"
    assert "loop" in by_path["briefs/themes.yml"].message
    assert "'nowhere.yml', which does not exist" in by_path["briefs/regions.yml"].message


def test_unreadable_vocabulary_file(corpus: CorpusWriter,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(inputs.os, "open", refuse)  # as a file with mode 000 does (not for root)
    _, found = load_vocabulary(corpus.root, corpus.root.parent)
    assert {(f.path, f.code, f.message) for f in found} == {
        (f"briefs/{name}", "unreadable", "cannot be read: permission denied")
        for name in ("themes.yml", "regions.yml")}


def test_validate_cli_on_broken_vocabulary_has_no_traceback(corpus: CorpusWriter,
                                                            tmp_path: Path) -> None:
    (corpus.root / "themes.yml").write_bytes(b"- id: caf\xe9\n")
    (corpus.root / "regions.yml").unlink()
    (corpus.root / "regions.yml").mkdir()
    result = briefs(tmp_path, "validate", "briefs")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "briefs/themes.yml:1:10: error: file is not UTF-8" in result.stdout


# -- 3. special files and links in briefs/ -----------------------------------------

def test_a_fifo_is_skipped_with_a_warning(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md")
    os.mkfifo(corpus.root / "moz" / "moz-pipe.md")
    loaded, found = load_corpus(corpus.root)  # would block forever if the FIFO were opened
    assert [(where(f), f.severity) for f in found] == [
        (("briefs/moz/moz-pipe.md", 1, 1, "special-file"), Severity.WARNING)]
    assert "FIFO" in found[0].message and "skipped" in found[0].message
    assert [b.slug for b in loaded.briefs] == ["moz-a"] and loaded.n_files == 1


def test_a_socket_is_skipped_with_a_warning(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md")
    server = socket.socket(socket.AF_UNIX)
    os.chdir(corpus.root / "moz")  # a short path: socket names are limited to ~100 bytes
    try:
        server.bind("moz-sock.md")
        found = findings_of(corpus)
    finally:
        server.close()
        os.chdir(corpus.root.parent)
    assert [(f.code, f.severity) for f in found] == [("special-file", Severity.WARNING)]
    assert "socket" in found[0].message


def test_a_link_to_a_fifo_is_skipped_too(corpus: CorpusWriter) -> None:
    os.mkfifo(corpus.root / "pipe")
    (corpus.root / "moz").mkdir()
    (corpus.root / "moz" / "moz-link.md").symlink_to("../pipe")
    assert [f.code for f in findings_of(corpus)] == ["special-file"]


def test_link_loops_and_dangling_links_are_errors(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md")
    moz = corpus.root / "moz"
    (moz / "moz-loop1.md").symlink_to("moz-loop2.md")
    (moz / "moz-loop2.md").symlink_to("moz-loop1.md")
    (moz / "moz-gone.md").symlink_to("moz-deleted.md")
    found = {f.path: f for f in errors(corpus)}
    assert sorted(found) == ["briefs/moz/moz-gone.md", "briefs/moz/moz-loop1.md",
                             "briefs/moz/moz-loop2.md"]
    assert all(where(f)[1:] == (1, 1, "bad-link") for f in found.values())
    assert "loop" in found["briefs/moz/moz-loop1.md"].message
    assert "'moz-deleted.md', which does not exist" in found["briefs/moz/moz-gone.md"].message


def test_validate_cli_with_fifo_and_loop_finishes(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md")
    os.mkfifo(corpus.root / "moz" / "moz-pipe.md")
    (corpus.root / "moz" / "moz-loop.md").symlink_to("moz-loop.md")
    result = briefs(tmp_path, "validate", "briefs")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines()[-1] == "1 brief, 1 error, 1 warning"


# -- 5. smaller holes -----------------------------------------------------------------

def test_translation_cycles_are_errors_at_the_field(corpus: CorpusWriter) -> None:
    corpus.brief("moz/a.md", translation_of="b")
    corpus.brief("moz/b.md", translation_of="a", language="fr")
    corpus.brief("moz/c.md", translation_of="d")
    corpus.brief("moz/d.md", translation_of="e")
    corpus.brief("moz/e.md", translation_of="c")
    corpus.brief("moz/f.md", translation_of="a")  # leads into a cycle, is not on it
    found = {f.path: f for f in errors(corpus)}
    assert sorted(found) == [f"briefs/moz/{s}.md" for s in "abcde"]
    assert all(where(f)[1:] == (7, 1, "bad-translation") for f in found.values())
    assert "goes round in a circle (a -> b -> a)" in found["briefs/moz/a.md"].message
    assert "(d -> e -> c -> d)" in found["briefs/moz/d.md"].message


@pytest.mark.parametrize("glue", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_joiners_do_not_hide_words(corpus: CorpusWriter, glue: str) -> None:
    corpus.brief("moz/moz-x.md", summary=glue.join(["word"] * 81))
    found = only_error(corpus)
    assert (found.code, found.message.split(";")[0]) == (
        "summary-too-long", "'summary' has 81 words")


def test_joiners_inside_the_limit_pass(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-x.md", summary="\u200b".join(["word"] * 80))
    assert errors(corpus) == []
