"""The Jinja2 environment every page, feed, PDF and pack is rendered with.

Autoescape is on for every template (HTML, XML and SVG alike): a value from a brief,
a vocabulary, a bundle file or a file name is escaped by the engine, never by hand, and
Python code hands templates data, never markup. Words go through gettext
(``jinja2.ext.i18n``, new-style: ``{{ _("%(n)d briefs", n=3) }}``) with the
catalogue of the page's language.

The one Markdown template, the brief ``briefs new`` writes, turns autoescape off around
its text and quotes each value for where it goes instead (:func:`yaml_string` in the
front matter, :func:`html_comment` in the author's guidance).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from site_builder import i18n, urls
from site_builder.model import BriefDate
from site_builder.theme_files import LOCALES, ThemeFiles


def format_size(size: int, language: str) -> str:
    """Return a byte count as people read it: ``812 bytes``, ``312 kB``, ``4.2 MB``."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{i18n.format_number(round(size / 1_000_000, 1), language)} MB"


def css_string(text: object) -> Markup:
    """Quote text as a CSS string that is also safe inside a ``<style>`` element."""
    out = []
    for char in str(text):
        out.append(f"\\{ord(char):x} " if char in "\"'\\<>&" or ord(char) < 0x20 else char)
    return Markup('"' + "".join(out) + '"')


def json_script(value: Any) -> Markup:
    """Dump JSON for a ``<script type="application/json">``: ``<``, ``>``, ``&``, U+2028/9 escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return Markup(text)


def yaml_string(text: object) -> str:
    """Quote text as a double-quoted YAML scalar (a front-matter value of a Markdown template)."""
    return yaml.safe_dump(str(text), default_style='"', allow_unicode=True, width=1000).strip()


def html_comment(text: object) -> str:
    """Keep text inside an HTML comment: nothing in it opens or ends one early."""
    return str(text).replace("-->", "- ->").replace("<!--", "<! --")


def rendered_once() -> Callable[..., str]:
    """Return a ``reuse`` for a template's ``{% call reuse(*key) %}…{% endcall %}`` blocks:
    each block is rendered once for each ``key``, then its output is reused.

    For pieces that many pages of one render show alike (a brief's card on its theme,
    country and region pages). The key must name everything the block shows: its values
    and whatever else it reads (``url()``'s result, the page's language). Made afresh for
    each render of the site, so nothing outlives the inputs it came from.
    """
    done: dict[tuple[Any, ...], str] = {}

    def reuse(*key: Any, caller: Callable[[], str]) -> str:
        text = done.get(key)
        if text is None:
            text = done[key] = caller()
        return text

    return reuse


def _render_always(*key: Any, caller: Callable[[], str]) -> str:
    """``reuse`` where nothing is kept: the block is rendered each time."""
    return caller()


class Templates:
    """Render the theme's templates in one language."""

    renders = True
    """False for words without templates (a page's source made before its HTML)."""

    def __init__(self, theme: ThemeFiles, language: str = "en") -> None:
        self.theme = theme
        self.language = language
        extra = (theme.override / LOCALES,) if theme.override is not None else ()
        self.translations = i18n.translations(language, extra)
        self._dates: dict[tuple[int, int, int | None], str] = {}
        self.env = _environment(tuple(theme.template_dirs))
        self.env.install_gettext_translations(self.translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.globals.update(language=language, urls=urls.LanguageUrls(),
                                reuse=_render_always)
        self.env.filters.update(
            date=self.format_date,
            size=lambda n: format_size(int(n), language),
            number=lambda n: i18n.format_number(n, language),
            language_name=lambda code: i18n.language_name(code, language),
            css_string=css_string,
            json_script=json_script,
            yaml_string=yaml_string,
            html_comment=html_comment,
        )

    def gettext(self, message: str, **values: object) -> str:
        """Translate a message from Python code (``%(name)s`` placeholders)."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Translate a message with plural forms (``%(num)d`` is ``n``)."""
        text = self.translations.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def format_date(self, date: BriefDate) -> str:
        """Return a brief's date in the page's language."""
        key = (date.year, date.month, date.day)
        text = self._dates.get(key)
        if text is None:  # Babel takes ~20 µs a date; a listing shows each brief's many times
            text = i18n.format_day(date.first_day, self.language, month_only=date.day is None)
            self._dates[key] = text
        return text

    def render(self, name: str, page_path: str | None = None, **context: Any) -> str:
        """Render template ``name``; ``page_path`` (a site path) makes ``url()`` relative to it."""
        if page_path is not None:
            context.setdefault("url", urls.Linker(page_path))
            context.setdefault("page_path", page_path)
        return self.env.get_template(name).render(**context)


class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between builds, used only while they check out.

    Jinja compares each entry with its template's source (a checksum) and its own and
    Python's versions; an entry it cannot read at all (truncated, garbage) is compiled
    again too, never a failed build.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # any damage: compile the template again
            bucket.reset()


class _SharedCode(jinja2.BytecodeCache):
    """Compiled templates shared by the environments of every language.

    Each language has its own environment (its own words), all made with the same options,
    so a template compiles to the same code in each: it is compiled once. A template whose
    source changed (a preview) does not match its checksum and is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, Any]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_SHARED_CODE = _SharedCode()


def _environment(dirs: tuple[Any, ...]) -> jinja2.Environment:
    """Return a new environment over ``dirs`` (each Templates installs its own words)."""
    return jinja2.Environment(
        bytecode_cache=_SHARED_CODE,
        loader=_loader(dirs),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )


@lru_cache(maxsize=8)
def _loader(dirs: tuple[Any, ...]) -> jinja2.BaseLoader:
    return jinja2.FileSystemLoader([str(d) for d in dirs])


@lru_cache(maxsize=16)
def templates_for(theme: ThemeFiles, language: str) -> Templates:
    """Return the (cached) templates of a theme in one language."""
    return Templates(theme, language)
