"""Check one brief's front matter against the format and the vocabularies.

Every check appends to a list instead of raising, so one run reports every problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from site_builder.fields import DATE_PATTERN, FIELDS, SLUG_RULE, SUMMARY_MAX_WORDS, is_slug
from site_builder.findings import Finding, Severity
from site_builder.frontmatter import FrontMatter, Value
from site_builder.model import Region, Theme
from site_builder.vocabulary import close_match, is_language, resolve_country, suggest_country

_DATE_RE = re.compile(DATE_PATTERN)
# Invisible characters that separate words as a space would (zero-width space, joiners,
# word joiner, BOM, soft hyphen, Mongolian vowel separator): a summary cannot hide words
# from the word limit by gluing them together with one of these.
_WORD_SEPARATORS = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff]")


def count_words(text: str) -> int:
    """Count the words of a text, splitting on whitespace and on invisible separators."""
    return len(_WORD_SEPARATORS.sub(" ", text).split())


@dataclass(frozen=True)
class Vocabulary:
    """The controlled vocabularies a brief is checked against."""

    themes: dict[str, Theme]
    regions: dict[str, Region]


@dataclass
class _Checker:
    path: str
    fm: FrontMatter
    vocab: Vocabulary
    findings: list[Finding] = field(default_factory=list)
    out: dict[str, Any] = field(default_factory=dict)

    def error(self, at: Value | tuple[int, int], message: str, code: str,
              severity: Severity = Severity.ERROR) -> None:
        line, col = (at.line, at.col) if isinstance(at, Value) else at
        self.findings.append(Finding(self.path, line, col, message, code, severity))

    def _hint(self, word: str, choices: list[str]) -> str:
        match = close_match(word, choices)
        return f" (did you mean '{match}'?)" if match else ""

    def check(self) -> None:
        fields = self.fm.fields
        for name in fields:
            if name not in FIELDS:
                self.error(self.fm.key_marks[name], f"unknown field '{name}'"
                           f"{self._hint(name, list(FIELDS))}; allowed fields: "
                           f"{', '.join(FIELDS)}", "unknown-field")
        for name, spec in FIELDS.items():
            if name not in fields:
                if spec.required:
                    self.error((1, 1), f"missing required field '{name}': {spec.description}",
                               "missing-field")
                continue
            getattr(self, f"_{spec.kind.replace('-', '_')}")(name, fields[name])

    # -- kinds ---------------------------------------------------------------
    def _text(self, name: str, value: Value) -> None:
        if not isinstance(value.value, str) or not value.value.strip():
            what = "empty" if value.value in (None, "") else f"a {_kind_name(value)}"
            self.error(value, f"'{name}' must be text, not {what}", "wrong-type")
            return
        text = " ".join(value.value.split())
        if name == "summary":
            self._summary(value, value.value)
        self.out[name] = text

    def _summary(self, value: Value, text: str) -> None:
        if re.search(r"\n\s*\n", text.strip()):
            self.error(value, "'summary' must be one paragraph: remove the blank line",
                       "summary-paragraphs")
        words = count_words(text)
        if words > SUMMARY_MAX_WORDS:
            self.error(value, f"'summary' has {words} words; at most {SUMMARY_MAX_WORDS} "
                       f"allowed: cut {words - SUMMARY_MAX_WORDS}", "summary-too-long")

    def _text_or_list(self, name: str, value: Value) -> None:
        if isinstance(value.value, str) and value.value.strip():
            self.out[name] = (" ".join(value.value.split()),)
            return
        items = self._list_of_text(name, value)
        if items is not None:
            self.out[name] = tuple(text for text, _ in items)

    def _list_of_text(self, name: str, value: Value) -> list[tuple[str, Value]] | None:
        if not isinstance(value.value, list) or not value.value:
            what = "empty" if value.value in (None, "", []) else f"a {_kind_name(value)}"
            self.error(value, f"'{name}' must be a non-empty list, not {what}", "wrong-type")
            return None
        items = []
        for item in value.value:
            # Plain scalars like 2016 or NO are text here: codes are read as written.
            if isinstance(item.value, (list, dict)) or item.value is None or item.value == "":
                self.error(item, f"each item of '{name}' must be text", "wrong-type")
                continue
            text = item.value if isinstance(item.value, str) else _source_text(item)
            items.append((text.strip(), item))
        return items

    def _list(self, name: str, value: Value) -> None:
        items = self._list_of_text(name, value)
        if items is None:
            return
        resolved: list[str] = []
        for text, item in items:
            code = self._resolve_item(name, text, item)
            if code is None:
                continue
            if code in resolved:
                self.error(item, f"'{text}' is listed twice in '{name}'", "duplicate-item",
                           Severity.WARNING)
                continue
            resolved.append(code)
        self.out[name] = tuple(resolved)

    def _resolve_item(self, name: str, text: str, item: Value) -> str | None:
        if name == "countries":
            code = resolve_country(text)
            if code is None:
                hint = suggest_country(text)
                self.error(item, f"unknown country '{text}'"
                           + (f" (did you mean {hint}?)" if hint else "")
                           + ": use an ISO 3166-1 code or English name", "unknown-country")
            return code
        table: dict[str, Any] = self.vocab.themes if name == "themes" else self.vocab.regions
        if text in table:
            return text
        kind, source = ("theme", "themes.yml") if name == "themes" else ("region", "regions.yml")
        self.error(item, f"unknown {kind} '{text}'{self._hint(text, list(table))}; "
                   f"{kind}s are defined in briefs/{source}", f"unknown-{kind}")
        return None

    def _date(self, name: str, value: Value) -> None:
        text = value.value if isinstance(value.value, str) else _source_text(value)
        if not _DATE_RE.match(text):
            self.error(value, f"'date' must be YYYY-MM-DD or YYYY-MM, not '{text}'", "bad-date")
            return
        parts = [int(p) for p in text.split("-")]
        try:
            dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
        except ValueError as exc:
            self.error(value, f"impossible date '{text}': {exc}", "bad-date")
            return
        self.out[name] = text

    def _bool(self, name: str, value: Value) -> None:
        if not isinstance(value.value, bool):
            self.error(value, f"'{name}' must be true or false, not '{_source_text(value)}'",
                       "wrong-type")
            return
        self.out[name] = value.value

    def _language(self, name: str, value: Value) -> None:
        text = value.value if isinstance(value.value, str) else _source_text(value)
        if not is_language(text):
            self.error(value, f"unknown language '{text}': use a two-letter ISO 639-1 code "
                       "such as en, fr or es", "unknown-language")
            return
        self.out[name] = text

    def _choice(self, name: str, value: Value) -> None:
        choices = FIELDS[name].choices
        if value.value not in choices:
            self.error(value, f"'{name}' must be one of {', '.join(choices)}, not "
                       f"'{_source_text(value)}'{self._hint(_source_text(value), list(choices))}",
                       "wrong-type")
            return
        self.out[name] = value.value

    def _slug(self, name: str, value: Value) -> None:
        if not is_slug(value.value):
            self.error(value, f"'{name}' must be the slug of another brief (its file name "
                       "without .md)", "wrong-type")
            return
        self.out[name] = value.value


def _kind_name(value: Value) -> str:
    if isinstance(value.value, list):
        return "list"
    if isinstance(value.value, dict):
        return "mapping"
    if isinstance(value.value, bool):
        return "true/false value"
    if isinstance(value.value, (int, float)):
        return "number"
    return "value"


def _source_text(value: Value) -> str:
    if isinstance(value.value, bool):
        return "true" if value.value else "false"
    return "" if value.value is None else str(value.value)


def check_front_matter(fm: FrontMatter, path: str, vocab: Vocabulary
                       ) -> tuple[dict[str, Any], list[Finding]]:
    """Return the normalised fields of a brief and every problem found in them."""
    checker = _Checker(path, fm, vocab)
    checker.check()
    return checker.out, checker.findings


def check_slug(slug: str, path: str) -> list[Finding]:
    """Check a brief's slug (its file stem)."""
    if is_slug(slug):
        return []
    return [Finding(path, 1, 1, f"bad slug '{slug}': the file name must be {SLUG_RULE} "
                    "(e.g. moz-social-security.md)", "bad-slug")]
