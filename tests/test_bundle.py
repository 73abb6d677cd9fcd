"""`briefs bundle`: selection, layout, bookmarks, contents, links, errors (real PDFs via pypdf)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CorpusWriter
from pypdf import PdfReader

from site_builder.bundle import Cover, Selection, make_bundle, read_bundle_file, select_briefs
from site_builder.bundle.merge import link_targets
from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError
from site_builder.index import Index, build_index
from site_builder.settings import Settings

BODY = """\
## Context

See [what was achieved](#what-was-achieved) below.

## What was achieved

Some text about the achievement.

## Next steps

More text.
"""


def _corpus(corpus: CorpusWriter) -> Index:
    corpus.brief("moz/moz-pensions.md", title="Mozambique pensions", countries="[MOZ]",
                 themes="[older-persons, children]", date="2016-02-23", body=BODY)
    corpus.brief("cpv/cpv-pensions.md", title="Cabo Verde pensions", countries="[Cabo Verde]",
                 themes="[older-persons]", date="2015-06", body=BODY)
    corpus.brief("ind/ind-maternity.md", title="India maternity", countries="[IND]",
                 themes="[maternity]", date="2016-08-11", body=BODY)
    corpus.brief("sahel/sahel-climate.md", title="Sahel climate", countries="[NER, MLI]",
                 regions="[sahel]", themes="[climate-change]", date="2016-05", body=BODY)
    corpus.brief("moz/moz-draft.md", title="Draft", themes="[older-persons]", draft="true")
    loaded, findings = load_corpus(corpus.root)
    assert [f for f in findings if f.severity.value == "error"] == []
    return build_index(loaded)


def slugs(selection: Selection, index: Index) -> list[str]:
    return [b.slug for b in select_briefs(selection, index)]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection(themes=("older-persons",)), ["moz-pensions", "cpv-pensions"]),
        (Selection(themes=("older-persons", "maternity")), ["ind-maternity", "moz-pensions", "cpv-pensions"]),
        (Selection(countries=("Mozambique",)), ["moz-pensions"]),
        (Selection(countries=("CV", "IND")), ["ind-maternity", "cpv-pensions"]),
        (Selection(regions=("sahel",)), ["sahel-climate"]),
        (Selection(date_from="2016-03", date_to="2016-12"), ["ind-maternity", "sahel-climate"]),
        (Selection(date_to="2015"), ["cpv-pensions"]),
        (Selection(themes=("older-persons",), countries=("CPV",)), ["cpv-pensions"]),
        (Selection(slugs=("sahel-climate", "cpv-pensions"), order="listed"), ["sahel-climate", "cpv-pensions"]),
        (Selection(themes=("maternity",), slugs=("sahel-climate",)), ["ind-maternity", "sahel-climate"]),
        (Selection(themes=("older-persons", "climate-change"), order="country"),
         ["cpv-pensions", "moz-pensions", "sahel-climate"]),
        (Selection(languages=("en",), order="theme"),
         ["moz-pensions", "cpv-pensions", "ind-maternity", "sahel-climate"]),
    ],
)
def test_selection(corpus: CorpusWriter, selection: Selection, expected: list[str]) -> None:
    assert slugs(selection, _corpus(corpus)) == expected


@pytest.mark.parametrize(
    ("selection", "words"),
    [
        (Selection(themes=("older-person",)), "unknown theme 'older-person' (did you mean 'older-persons'?)"),
        (Selection(countries=("Kyrgyztan",)), "did you mean Kyrgyzstan (KGZ)?"),
        (Selection(slugs=("moz-pension",)), "unknown brief 'moz-pension' (did you mean 'moz-pensions'?)"),
        (Selection(regions=("sahell",)), "did you mean 'sahel'"),
        (Selection(themes=("health",)), "the selection is empty"),
        (Selection(slugs=("moz-draft",)), "unknown brief 'moz-draft'"),
        (Selection(date_from="2016-13"), "--from must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not '2016-13'"),
        (Selection(date_to="2016-02-30"), "--to must be a date"),
        (Selection(date_to="16"), "--to must be a date"),
    ],
)
def test_selection_errors(corpus: CorpusWriter, selection: Selection, words: str) -> None:
    with pytest.raises(BriefsError, match=re.escape(words)):
        select_briefs(selection, _corpus(corpus))


def test_bundle_file(corpus: CorpusWriter, tmp_path: Path) -> None:
    index = _corpus(corpus)
    path = tmp_path / "bundles" / "beijing.yml"
    path.parent.mkdir()
    path.write_text("title: South-South exchange\nevent: Beijing\ndate: 2016-09-06\n"
                    "select:\n  slugs: [ind-maternity, moz-pensions]\n")
    spec = read_bundle_file(path)
    assert (spec.name, spec.title, spec.event) == ("beijing", "South-South exchange", "Beijing")
    assert slugs(spec.selection, index) == ["ind-maternity", "moz-pensions"]
    path.write_text("title: x\nselect:\n  themez: [a]\n")
    with pytest.raises(BriefsError, match=r"unknown key.*themez"):
        read_bundle_file(path)


@pytest.fixture
def pack(corpus: CorpusWriter, tmp_path: Path) -> tuple[Index, Settings, Path, bytes]:
    index = _corpus(corpus)
    settings = Settings(project_dir=Path(__file__).resolve().parent.parent,
                        cache_dir=str(tmp_path / "cache"), site_url="https://briefs.example.org/")
    out = tmp_path / "out" / "older.pdf"
    info = make_bundle(index, settings, Selection(themes=("older-persons", "maternity"), order="theme"),
                       Cover("Older persons and maternity", "Briefs", "Conference", "2016-09-06"),
                       out, jobs=1)
    assert info.path == out and info.slugs == ("moz-pensions", "cpv-pensions", "ind-maternity")
    return index, settings, out, out.read_bytes()


@pytest.mark.slow
def test_pack_pages_outline_contents_links(pack: tuple[Index, Settings, Path, bytes]) -> None:
    _, _, out, data = pack
    reader = PdfReader(io.BytesIO(data))
    titles = ["Mozambique pensions", "Cabo Verde pensions", "India maternity"]
    # cover + contents, padded to an even count so every brief starts on a right-hand page
    assert len(reader.pages) == 2 + 4 * 3
    labels = reader.page_labels
    assert labels[:3] == ["i", "ii", "1"] and labels[-1] == "12"
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == ["Cover", "Contents", *titles]
    nested = reader.outline[3]
    assert isinstance(nested, list) and "What was achieved" in [i.title for i in nested if not isinstance(i, list)]
    contents = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(out), "-"],
                              capture_output=True, text=True, check=True).stdout
    for title, start in zip(titles, (1, 5, 9), strict=True):
        line = next(line for line in contents.splitlines() if title in line)
        assert line.rstrip().endswith(str(start)), line
    for title, start in zip(titles, (2, 6, 10), strict=True):  # physical index of each start
        first_page = reader.pages[start].extract_text()
        assert title in first_page
    targets = link_targets(data)
    internal = [(s, t) for s, t in targets if s >= 2]
    assert len(internal) >= 3
    for source, target in internal:
        assert (source - 2) // 4 == (target - 2) // 4, (source, target)
    names = reader.named_destinations
    assert "moz-pensions/what-was-achieved" in names and "ind-maternity/what-was-achieved" in names
    subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)


@pytest.mark.slow
def test_pack_is_deterministic_and_reuses_cache(pack: tuple[Index, Settings, Path, bytes],
                                                tmp_path: Path) -> None:
    index, settings, _, data = pack
    from site_builder.pdf import render_all

    report = render_all(index.corpus, settings, None, jobs=1,
                        slugs=["moz-pensions", "cpv-pensions", "ind-maternity"])
    assert report.rendered == [] and len(report.cached) == 3  # the pack rendered them once; nothing is rendered again
    again = tmp_path / "again.pdf"
    make_bundle(index, settings, Selection(themes=("older-persons", "maternity"), order="theme"),
                Cover("Older persons and maternity", "Briefs", "Conference", "2016-09-06"), again, jobs=1)
    assert again.read_bytes() == data


@pytest.mark.slow
def test_failure_keeps_existing_bundle(pack: tuple[Index, Settings, Path, bytes]) -> None:
    index, settings, out, data = pack
    with pytest.raises(BriefsError):
        make_bundle(index, settings, Selection(themes=("nothing",)), Cover("x"), out)
    assert out.read_bytes() == data
    assert [p.name for p in out.parent.iterdir()] == ["older.pdf"]


def test_cli_errors_write_nothing(corpus: CorpusWriter, tmp_path: Path) -> None:
    _corpus(corpus)
    result = subprocess.run([sys.executable, "-m", "site_builder", "bundle", "--theme", "older-person",
                             "--output", "x.pdf"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "did you mean 'older-persons'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.slow
def test_front_pages_use_the_theme_fonts_only(pack: tuple[Index, Settings, Path, bytes]) -> None:
    index, settings, out, data = pack
    fonts = subprocess.run(["pdffonts", "-f", "1", "-l", "2", str(out)],
                           capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    names = {line.split()[0].split("+", 1)[-1] for line in fonts}
    assert names and all(name.startswith("Noto") for name in names), names
    assert all(" yes yes " in line for line in fonts), fonts  # embedded and subset
    # A cover text the theme's fonts cannot draw is an error naming it; the pack stays as it was.
    with pytest.raises(BriefsError, match=r"U\+4F1A.*theme's fonts"):
        make_bundle(index, settings, Selection(themes=("maternity",)), Cover("会議 pack"), out)
    assert out.read_bytes() == data


def test_bundle_file_problems_name_file_line_and_column(corpus: CorpusWriter, tmp_path: Path) -> None:
    from site_builder.bundle import check_bundle_spec, located

    index = _corpus(corpus)
    path = tmp_path / "bad.yml"
    path.write_text("title: Bad pack\n"
                    "select:\n"
                    "  themes: [older-person, maternity]\n"
                    "  countries:\n"
                    "    - MOZ\n"
                    "    - Kyrgyztan\n"
                    "  from: 2016-13\n", encoding="utf-8")
    spec = read_bundle_file(path, "bundles/bad.yml")
    assert [located(f) for f in check_bundle_spec(spec, index)] == [
        "bundles/bad.yml:3:12: unknown theme 'older-person' (did you mean 'older-persons'?)",
        "bundles/bad.yml:6:7: unknown country 'Kyrgyztan' (did you mean Kyrgyzstan (KGZ)?)",
        "bundles/bad.yml:7:9: 'from' must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not '2016-13'",
    ]
    path.write_text("title: x\nselect:\n  themes: [maternity]\n  countriez: [MOZ]\n", encoding="utf-8")
    with pytest.raises(BriefsError, match=re.escape(
            "bundles/bad.yml:4:3: unknown key 'countriez' under select (did you mean 'countries'?)")):
        read_bundle_file(path, "bundles/bad.yml")
    path.write_text("titel: x\nselect:\n  themes: [maternity]\n", encoding="utf-8")
    with pytest.raises(BriefsError, match=re.escape("bundles/bad.yml:1:1: unknown key 'titel' "
                                                    "(did you mean 'title'?)")):
        read_bundle_file(path, "bundles/bad.yml")


def test_site_packs_report_every_bad_bundle_file(corpus: CorpusWriter, tmp_path: Path) -> None:
    from site_builder.bundle import site_bundle_specs

    index = _corpus(corpus)
    project = corpus.root.parent
    (project / "bundles").mkdir()
    (project / "bundles" / "a.yml").write_text("title: A\nselect:\n  themes: [helth]\n", encoding="utf-8")
    (project / "bundles" / "b.yml").write_text("title: B\nselect:\n  themes: [health]\n", encoding="utf-8")
    (project / "bundles" / "c.yml").write_text("title: C\nselect: [\n", encoding="utf-8")
    (project / "bundles" / "ok.yml").write_text("title: OK\nselect:\n  themes: [maternity]\n",
                                                encoding="utf-8")
    with pytest.raises(BriefsError) as caught:
        site_bundle_specs(index, Settings(project_dir=project))
    lines = str(caught.value).splitlines()
    assert lines[0] == "bundles/a.yml:3:12: unknown theme 'helth' (did you mean 'health'?)"
    assert lines[1] == "bundles/b.yml:2:1: the selection is empty: no published brief matches it"
    assert lines[2].startswith("bundles/c.yml:") and "not valid YAML" in lines[2]
    assert len(lines) == 3
