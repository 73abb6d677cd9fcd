"""Render a bundle's cover and contents pages with WeasyPrint (from our own HTML only)."""

from __future__ import annotations

import html
import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.findings import BriefsError
from site_builder.model import Brief, Corpus
from site_builder.vocabulary import get_country


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents page."""

    brief: Brief
    start_label: int  # the page label (arabic) on which the brief starts


@dataclass(frozen=True)
class Cover:
    """The texts of a bundle's cover."""

    title: str
    subtitle: str = ""
    event: str = ""
    date: str = ""
    series: str = ""


def _theme_only_fetcher(theme_dir: Path):  # type: ignore[no-untyped-def]
    """Return a WeasyPrint URL fetcher that serves files under ``theme_dir`` and nothing else."""
    from weasyprint import URLFetcher

    root = theme_dir.resolve()

    class ThemeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> object:
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"refused (bundles load theme files only): {url}")
            path = Path(os.path.realpath(unquote(parts.path)))
            if not path.is_relative_to(root) or not path.is_file():
                raise ValueError(f"refused (outside the theme folder): {url}")
            return super().fetch(url, headers)

    return ThemeFetcher(allowed_protocols={"file"}, allow_redirects=False)


def _list(items: list[str]) -> str:
    return ", ".join(items)


def front_html(cover: Cover, entries: list[ContentsEntry], corpus: Corpus, lang: str = "en") -> str:
    """Return the HTML of the cover page and the contents page(s)."""
    esc = html.escape
    themes = sorted({t for e in entries for t in e.brief.themes},
                    key=lambda t: list(corpus.themes).index(t) if t in corpus.themes else 999)
    countries = sorted({get_country(c).name for e in entries for c in e.brief.countries})
    theme_names = [corpus.themes[t].title if t in corpus.themes else t for t in themes]
    rows = []
    for number, entry in enumerate(entries, start=1):
        brief = entry.brief
        meta = f"{_list([get_country(c).name for c in brief.countries])} · {brief.date}"
        rows.append(
            f'<tr><td class="contents__num">{number}</td><td class="contents__text">'
            f'<span class="contents__title">{esc(brief.title)}</span>'
            f'<span class="contents__meta">{esc(meta)}</span></td>'
            f'<td class="contents__page">{entry.start_label}</td></tr>'
        )
    n = len(entries)
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(cover.title)}</title>
<link rel="stylesheet" href="bundle/bundle.css"></head><body>
<section class="cover">
<div class="cover__band">
<p class="cover__series">{esc(cover.series)}</p>
<h1>{esc(cover.title)}</h1>
{f'<p class="cover__subtitle">{esc(cover.subtitle)}</p>' if cover.subtitle else ''}
</div>
<div class="cover__body">
{f'<p class="cover__event">{esc(cover.event)}</p>' if cover.event else ''}
{f'<p class="cover__date">{esc(cover.date)}</p>' if cover.date else ''}
<dl class="cover__facts">
<dt>Briefs</dt><dd>{n} brief{'s' if n != 1 else ''}</dd>
<dt>Themes</dt><dd>{esc(_list(theme_names))}</dd>
<dt>Countries</dt><dd>{esc(_list(countries))}</dd>
</dl>
</div>
<p class="cover__foot">Each brief starts on a right-hand page; print double-sided.</p>
</section>
<section class="contents">
<h1>Contents</h1>
<table class="contents__table">
<thead><tr><th scope="col">No.</th><th scope="col">Brief</th><th scope="col">Page</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody>
</table>
</section>
</body></html>"""


def render_front(cover: Cover, entries: list[ContentsEntry], corpus: Corpus,
                 theme_dir: Path) -> bytes:
    """Render cover and contents to PDF bytes (deterministic for the same input).

    Like the briefs, the front pages use the theme's fonts only (never the machine's), so
    a character those fonts lack (say, in a bundle file's title) is an error, not a hole.
    """
    from weasyprint import HTML

    from site_builder.pdf.fonts import describe_characters, missing_characters, theme_font_config

    source = front_html(cover, entries, corpus)
    missing = missing_characters(source, theme_dir / "fonts")
    if missing:
        raise BriefsError(
            f"cannot bundle '{cover.title}': {describe_characters(missing)} not in the theme's "
            f"fonts ({theme_dir / 'fonts'}); change the cover text or add a font that has them"
        )
    document = HTML(string=source, base_url=theme_dir.resolve().as_uri() + "/",
                    url_fetcher=_theme_only_fetcher(theme_dir)).render(
                        font_config=theme_font_config())
    out = io.BytesIO()
    document.write_pdf(out, pdf_identifier=b"country-briefs-bundle-front", custom_metadata=False)
    return out.getvalue()
