"""The cross-index: briefs by theme and country, translations, related-brief scoring."""

from __future__ import annotations

import random
from typing import Any

from conftest import CorpusWriter

from site_builder.corpus import load_corpus
from site_builder.index import RELATED_WEIGHTS, build_index


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


def test_related_briefs_are_the_highest_weighted_counts_newest_first(corpus: CorpusWriter) -> None:
    """Related briefs, scored with whole sets at once, are those counting shared terms one
    by one finds: highest score first, ties to the newer brief, then the slug."""
    rng = random.Random(7)
    countries = ["MOZ", "CPV", "IND", "SEN", "MLI", "NER", "BFA"]
    themes = ["older-persons", "maternity", "health", "children"]
    for n in range(140):
        code = rng.choice(countries)
        picked = rng.sample(countries, rng.choice((1, 1, 2)))
        fields = {"countries": "[" + ", ".join(dict.fromkeys([code, *picked])) + "]",
                  "themes": "[" + ", ".join(rng.sample(themes, rng.randint(1, 3))) + "]",
                  "date": f"{rng.randint(2010, 2016)}-{rng.randint(1, 12):02d}"}
        if n % 4 == 0:
            fields["regions"] = "[sahel]"
        if n % 9 == 0 and n:
            fields |= {"language": "fr", "translation_of": f"b{n - 1:03d}"}
        corpus.brief(f"{code.lower()}/b{n:03d}.md", **fields)
    loaded, findings = load_corpus(corpus.root)
    assert not [f for f in findings if f.severity.name == "ERROR"]
    index = build_index(loaded)
    rank = {s: i for i, s in enumerate(sorted(
        index.by_slug, key=lambda s: (tuple(-p for p in index.by_slug[s].date.sort_key), s)))}
    members = {("countries", k): {b.slug for b in v} for k, v in index.by_country.items()}
    members |= {("themes", k): {b.slug for b in v} for k, v in index.by_theme.items()}
    members |= {("regions", r): {b.slug for b in index.briefs if r in b.region_ids}
                for b in index.briefs for r in b.region_ids}

    def expected(brief: Any, limit: int) -> list[str]:
        terms = [("countries", c) for c in brief.country_codes] \
            + [("themes", t) for t in brief.theme_ids] + [("regions", r) for r in brief.region_ids]
        scores: dict[str, int] = {}
        for term in terms:
            for slug in members.get(term, ()):
                scores[slug] = scores.get(slug, 0) + RELATED_WEIGHTS[term[0]]
        for slug in [brief.slug, *(b.slug for b in index.translations.get(brief.slug, ()))]:
            scores.pop(slug, None)
        return sorted(scores, key=lambda s: (-scores[s], rank[s]))[:limit]

    assert any(b.region_ids for b in index.briefs) and index.translations
    for slug, brief in index.by_slug.items():
        for limit in (1, 3, 5, 12):
            assert [b.slug for b in index.related(slug, limit)] == expected(brief, limit), slug
