"""The cross-index: briefs by theme and country, translations, related-brief scoring."""

from __future__ import annotations

from conftest import CorpusWriter

from site_builder.corpus import load_corpus
from site_builder.index import build_index


def test_index_and_related(corpus: CorpusWriter) -> None:
    corpus.brief("moz/a.md", countries="[MOZ]", themes="[older-persons, children]", date="2016-01")
    corpus.brief("moz/b.md", countries="[MOZ]", themes="[older-persons]", date="2015-01")
    corpus.brief("cpv/c.md", countries="[CPV]", themes="[older-persons, children]", date="2016-05")
    corpus.brief("ind/d.md", countries="[IND]", themes="[maternity]", date="2016-08")
    corpus.brief("moz/a-fr.md", countries="[MOZ]", themes="[older-persons, children]",
                 date="2016-02", language="fr", translation_of="a")
    corpus.brief("moz/draft.md", countries="[MOZ]", themes="[older-persons]", draft="true")
    loaded, findings = load_corpus(corpus.root)
    assert findings == []
    index = build_index(loaded)
    assert [b.slug for b in index.briefs] == ["d", "c", "a-fr", "a", "b"]
    assert [b.slug for b in index.by_theme["older-persons"]] == ["c", "a-fr", "a", "b"]
    assert index.by_theme["health"] == []
    assert [b.slug for b in index.by_country["MOZ"]] == ["a-fr", "a", "b"]
    assert [b.slug for b in index.translations["a"]] == ["a-fr"]
    # b shares a country (3) and a theme (2) with a: 5; c shares two themes: 4; d nothing.
    assert [b.slug for b in index.related("a")] == ["b", "c"]
    assert [b.slug for b in index.related("a", limit=1)] == ["b"]
    assert "a" not in [b.slug for b in index.related("a-fr")]
    assert index.related("d") == []
