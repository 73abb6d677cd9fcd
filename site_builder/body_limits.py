"""Bounds on the Markdown constructs that make Python-Markdown slow or overflow its stack.

Measured with Python-Markdown 3.11 and the site's extensions (time to render n of each):

======================================  ==========  ===========  ==========
construct                               n = 1,000   n = 4,000    growth
======================================  ==========  ===========  ==========
unmatched ``[`` in one paragraph        0.33 s      4.7 s        quadratic
``[a](`` (unclosed link targets)        0.37 s      6.2 s        quadratic
brackets nested ``[[[...]]]``           0.35 s      4.2 s        quadratic
``<a `` (unclosed tags), any paragraphs 0.28 s      3.3 s        quadratic
references to one footnote ``x[^1]``    1.3 s       (5 s at 2k)  quadratic
footnote definitions                    0.26 s      1.8 s        quadratic
abbreviation definitions ``*[A]: x``    0.96 s      15 s         quadratic
definition lines ``: d`` in one list    0.34 s      5.1 s        quadratic
empty headings ``#``                    0.16 s      1.2 s        quadratic
emphasis nested ``*a *a ... c* c*``     RecursionError from ~500 levels
``<div markdown>`` nested               RecursionError from ~300 levels
lists, quotes, admonitions nested       RecursionError from ~250 levels (``- - - x`` too)
======================================  ==========  ===========  ==========

Plain prose, tables, matched links and emphasis, code and many headings are linear
(1 MB of prose: about 0.6 s). Each construct above gets a bound far beyond what a four-page
brief uses and far below where it costs time; nesting of every kind is bounded by
``MAX_NESTING``. As a last line, a body with much markup or of unusual size is rendered
once in a worker process under a time limit
(:func:`site_builder.markdown_render.render_markdown_bounded`), so a construct not in the
table still fails the brief with a clear error instead of hanging the build.

Every check starts with ``str.count`` gates, so an ordinary brief costs a few microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from site_builder.findings import Finding
from site_builder.mdscan import prose_lines

MAX_NESTING = 20
"""Deepest nesting of any kind: quotes and lists, emphasis, brackets, HTML elements."""
MAX_UNMATCHED = 50
"""Unmatched ``[`` and unclosed ``](`` in one paragraph."""
MAX_UNCLOSED_TAGS = 50
"""``<tag`` starts without their ``>`` in a body."""
MAX_FOOTNOTE_REFS = 200
MAX_FOOTNOTES = 200
MAX_ABBREVIATIONS = 100
MAX_DEFINITIONS = 500
MAX_TABLE_ROWS = 300
"""Rows of one table (Markdown or HTML). A four-page A4 brief holds at most about 200 table
rows (50 a page at the print stylesheet's smallest table text, nothing else on the pages):
WeasyPrint lays a 30,000-row table out for minutes, past the PDF's time limit."""
MAX_TABLE_COLUMNS = 30
"""Columns of one table: wider does not fit across an A4 page at a readable size."""
MAX_TABLE_CELLS = 3_000
"""Cells of one table (rows times columns, the header included)."""
MAX_BODY_TABLE_CELLS = 4_000
"""Cells of all the tables of a body together: more than four pages can print."""
_TABLE_SCAN_LINES = 100
RENDER_CHECK_MARKUP = 1000
"""A body with more ``[ < * _`` than this is rendered under a time limit."""
RENDER_CHECK_CHARS = 50_000
RENDER_CHECK_LINES = 2_000

_DELIMITERS = re.compile(r"\\.|\*+|_+")
_BRACKETS = re.compile(r"\\.|[\[\]()]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>")
_UNCLOSED_TAG = re.compile(r"<[A-Za-z/!?][^<>]*(?=<|\Z)")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\](?!:)")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^[^\]]+\]:", re.M)
_ABBREVIATION = re.compile(r"^ {0,3}\*\[[^\]]+\]:", re.M)
_DEFINITION = re.compile(r"^ {0,3}:[ \t]", re.M)
_TABLE_SEPARATOR = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$",
                              re.M)
_HTML_TABLE = re.compile(r"<(/?)(table|tr|td|th)(?=[\s>/])", re.I)
# Elements without content or with optional end tags do not nest in the count.
_NO_NESTING = frozenset(
    "area base br col embed hr img input link meta source track wbr p li dt dd tr td th "
    "thead tbody tfoot option optgroup colgroup caption rt rp".split())


class _Report:
    """Findings of one body, at file lines and columns."""

    def __init__(self, path: str, body_line: int, text: str) -> None:
        self.path, self.body_line, self.text = path, body_line, text
        self.findings: list[Finding] = []

    def at(self, index: int, message: str, code: str = "too-complex") -> None:
        line = self.text.count("\n", 0, index) + self.body_line
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        self.findings.append(Finding(self.path, line, col, message, code))

    def too_deep(self, index: int, what: str) -> None:
        self.at(index, f"{what} nested more than {MAX_NESTING} levels deep; at most "
                f"{MAX_NESTING} allowed: flatten it", "too-deep")

    def too_many(self, index: int, count: int, what: str, limit: int, fix: str) -> None:
        self.at(index, f"{count} {what}; at most {limit} allowed (Markdown slows down "
                f"sharply on them): {fix}")


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """Yield (start index, text) of the blank-line-separated paragraphs of masked text."""
    start = 0
    for match in re.finditer(r"\n[ \t]*\n", text):
        yield start, text[start:match.start()]
        start = match.end()
    yield start, text[start:]


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Return whether a delimiter run can open and can close emphasis (CommonMark rules)."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    before_punct = not before.isspace() and not before.isalnum()
    after_punct = not after.isspace() and not after.isalnum()
    opens = not after.isspace() and (not after_punct or before.isspace() or before_punct)
    closes = not before.isspace() and (not before_punct or after.isspace() or after_punct)
    return opens, closes


def _emphasis_too_deep(text: str) -> int | None:
    """Return the index where emphasis first nests past ``MAX_NESTING``, or None."""
    stack: list[list[str | int]] = []  # [char, open count]
    for match in _DELIMITERS.finditer(text):
        run, start = match.group(), match.start()
        if run[0] == "\\" or (run == "*" and text.startswith("[", match.end())
                               and (start == 0 or text[start - 1] == "\n")):
            continue  # an escape, or an abbreviation definition '*[HTML]: ...'
        opens, closes = _flanking(text, start, match.end())
        has_open = any(entry[0] == run[0] for entry in stack)
        if opens and closes:  # inside a word: closes if it can, underscores never open
            opens = not has_open and run[0] == "*"
            closes = has_open
        if closes and has_open:
            _close(stack, run[0], len(run))
        elif opens:
            stack.append([run[0], len(run)])
            if sum(int(entry[1]) for entry in stack) > MAX_NESTING:
                return start
    return None


def _close(stack: list[list[str | int]], char: str, count: int) -> None:
    while count and any(entry[0] == char for entry in stack):
        while stack[-1][0] != char:
            stack.pop()  # openers of the other kind left open inside are unmatched
        take = min(count, int(stack[-1][1]))
        stack[-1][1] = int(stack[-1][1]) - take
        count -= take
        if stack[-1][1] == 0:
            stack.pop()


def _check_brackets(report: _Report, start: int, text: str) -> None:
    """Unmatched ``[`` and unclosed ``](`` of one paragraph, else the nesting of the matched
    brackets (one finding per paragraph)."""
    brackets: list[int] = []
    pairs: list[tuple[int, int]] = []
    parens: list[tuple[int, bool]] = []
    for match in _BRACKETS.finditer(text):
        char, index = match.group(), match.start()
        if char == "[":
            brackets.append(index)
        elif char == "]":
            if brackets:
                pairs.append((brackets.pop(), index))
        elif char == "(":
            parens.append((index, text[index - 1:index] == "]"))
        elif char == ")" and parens:
            parens.pop()
    unmatched = brackets + [index for index, is_link in parens if is_link]
    if len(unmatched) > MAX_UNMATCHED:
        report.too_many(start + min(unmatched), len(unmatched),
                        "unmatched '[' or unclosed '](' in this paragraph", MAX_UNMATCHED,
                        "close them, or write a literal bracket as '\\['")
        return
    deep = _deepest(pairs)
    if deep is not None:
        report.too_deep(start + deep, "brackets '['")


def _deepest(pairs: list[tuple[int, int]]) -> int | None:
    """Return where matched bracket pairs first nest past ``MAX_NESTING``, or None."""
    events = sorted([(open_, 1) for open_, _ in pairs] + [(close, -1) for _, close in pairs])
    depth = 0
    for index, step in events:
        depth += step
        if depth > MAX_NESTING:
            return index
    return None


def _check_html(report: _Report, text: str) -> None:
    """Nesting depth of raw HTML elements, and tags left without their '>'."""
    stack: list[str] = []
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if name in _NO_NESTING or match.group(0).endswith("/>"):
            continue
        if not match.group(1):
            stack.append(name)
            if len(stack) > MAX_NESTING:
                report.too_deep(match.start(), "HTML elements")
                break
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name):]
    unclosed = [m.start() for m in _UNCLOSED_TAG.finditer(text)]
    if len(unclosed) > MAX_UNCLOSED_TAGS:
        report.too_many(unclosed[0], len(unclosed), "HTML tags without their closing '>'",
                        MAX_UNCLOSED_TAGS, "finish each tag with '>', or write '<' as '&lt;'")


def _check_counts(report: _Report, text: str) -> None:
    """Footnotes, abbreviations and definition lines: each costs more the more there are."""
    for pattern, limit, what, fix in (
            (_FOOTNOTE_REF, MAX_FOOTNOTE_REFS, "footnote references", "use fewer footnotes"),
            (_FOOTNOTE_DEF, MAX_FOOTNOTES, "footnotes", "use fewer footnotes"),
            (_ABBREVIATION, MAX_ABBREVIATIONS, "abbreviation definitions", "define fewer"),
            (_DEFINITION, MAX_DEFINITIONS, "definition lines (': ...')", "shorten the list")):
        found = [m.start() for m in pattern.finditer(text)]
        if len(found) > limit:
            report.too_many(found[limit], len(found), what, limit, fix)


class _Tables:
    """Rows, columns and cells of each table of a body, and of all of them."""

    def __init__(self, report: _Report) -> None:
        self.report = report
        self.total = 0
        self.reported_total = False

    def table(self, index: int, rows: int, columns: int, kind: str) -> None:
        """Count one table whose first line is at ``index``; report what is over a bound."""
        cells = rows * columns
        self.total += cells
        for count, limit, what in ((rows, MAX_TABLE_ROWS, "rows"),
                                   (columns, MAX_TABLE_COLUMNS, "columns"),
                                   (cells, MAX_TABLE_CELLS, "cells")):
            if count > limit:
                self._report(index, f"{count} {what} in this {kind}table; at most {limit} "
                             "allowed")
                return
        if self.total > MAX_BODY_TABLE_CELLS and not self.reported_total:
            self.reported_total = True
            self._report(index, f"{self.total} table cells in this body up to this table; at "
                         f"most {MAX_BODY_TABLE_CELLS} allowed in all")

    def _report(self, index: int, what: str) -> None:
        self.report.at(index, f"{what} (four pages print about 200 table rows, and laying out "
                       "a larger table takes the PDF renderer minutes): split or summarise it, "
                       "or attach the data as a CSV or XLSX file", "table-too-large")


def _check_tables(report: _Report, text: str) -> None:
    """Bound the rows, columns and cells of Markdown and HTML tables (see
    :data:`MAX_TABLE_ROWS`): Python-Markdown renders them fast, WeasyPrint does not."""
    tables = _Tables(report)
    if "|" in text and "-" in text:
        for match in _TABLE_SEPARATOR.finditer(text):
            header_end = match.start() - 1
            header_start = text.rfind("\n", 0, max(header_end, 0)) + 1
            header = text[header_start:max(header_end, header_start)]
            separator = match.group()
            if match.start() == 0 or not header.strip() or "|" not in header + separator:
                continue
            end = re.compile(r"\n[ \t]*(?:\n|\Z)").search(text, match.end())
            stop = end.start() if end else len(text)
            rows = text.count("\n", match.end(), stop) + 1  # the header row
            columns = separator.strip().strip("|").count("|") + 1
            tables.table(header_start, rows, columns, "")
    if "<t" in text or "<T" in text:
        _check_html_tables(tables, text)


def _check_html_tables(tables: _Tables, text: str) -> None:
    start, depth, rows, cells, widest, row_cells = 0, 0, 0, 0, 0, 0
    for match in _HTML_TABLE.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if name == "table":
            if not closing:
                depth += 1
                if depth == 1:
                    start, rows, cells, widest, row_cells = match.start(), 0, 0, 0, 0
            elif depth:
                depth -= 1
                if depth == 0:
                    tables.table(start, rows, max(widest, row_cells, 1), "HTML ")
        elif closing:
            continue
        elif name == "tr":
            rows += 1
            widest, row_cells = max(widest, row_cells), 0
        else:
            cells += 1
            row_cells += 1
    if depth:  # a table never closed: what it holds still renders
        tables.table(start, rows, max(widest, row_cells, 1), "HTML ")


def _dense_paragraph(body: str, chars: str, limit: int) -> bool:
    return any(sum(par.count(c) for c in chars) > limit for par in body.split("\n\n"))


def check_limits(body: str, path: str, body_line: int) -> tuple[list[Finding], bool]:
    """Return findings for constructs past the bounds above, at their line and column, and
    whether the body is big or dense enough to be rendered under the time limit
    (:func:`render_checked`)."""
    n_brackets, n_tags = body.count("["), body.count("<")
    n_emphasis = body.count("*") + body.count("_")
    heavy = n_brackets + n_tags + n_emphasis > RENDER_CHECK_MARKUP \
        or len(body) > RENDER_CHECK_CHARS or body.count("\n") > RENDER_CHECK_LINES
    brackets = n_brackets > MAX_NESTING and _dense_paragraph(body, "[", MAX_NESTING)
    emphasis = n_emphasis > MAX_NESTING and _dense_paragraph(body, "*_", MAX_NESTING)
    counts = n_brackets > MAX_ABBREVIATIONS or body.count(":") > MAX_DEFINITIONS
    masked = brackets or emphasis or counts or n_tags > MAX_NESTING
    text = "\n".join(prose_lines(body)) if masked else body
    report = _Report(path, body_line, text)
    if brackets or emphasis:
        for start, paragraph in _paragraphs(text):
            if brackets:
                _check_brackets(report, start, paragraph)
            index = _emphasis_too_deep(paragraph) if emphasis else None
            if index is not None:
                report.too_deep(start + index, "emphasis ('*' and '_')")
    if n_tags > MAX_NESTING:
        _check_html(report, text)
    if counts:
        _check_counts(report, text)
    # Under these counts no table can pass a bound: a header and its separator hold
    # 2 (columns - 1) pipes, and each row is a line.
    pipes = body.count("|")
    if (pipes and (pipes > MAX_TABLE_COLUMNS or body.count("\n") > _TABLE_SCAN_LINES)) \
            or body.count("<t") + body.count("<T") > MAX_TABLE_COLUMNS:
        _check_tables(report, text)
    return report.findings, heavy


def render_checked(body: str, path: str, body_line: int, heavy: bool
                   ) -> tuple[str | None, list[Finding]]:
    """Render a body for the rendered-HTML check; return its unsanitised HTML, or None and a
    finding at its densest line if that fails. Only the bodies :func:`check_limits` calls
    ``heavy`` (and one too deep for this process) go to the time-limited worker."""
    if not heavy:
        from site_builder import rendered_checks

        try:
            return rendered_checks.render_for_check(body), []
        except RecursionError:
            pass
    report = _Report(path, body_line, body)
    html = _render_check(report, body)
    return html, report.findings


def _render_check(report: _Report, body: str) -> str | None:
    """Render the body once under the time limit; report a failure at its densest line."""
    from site_builder import markdown_render  # imports Markdown: only for the rare big body

    try:
        return markdown_render.render_markdown_bounded(body, sanitize=False)
    except markdown_render.MarkdownTooComplex as exc:
        lines = body.split("\n")
        densest = max(range(len(lines)), key=lambda i: sum(map(lines[i].count, "[<*_")))
        index = sum(len(line) + 1 for line in lines[:densest])
        what = {"timeout": f"takes more than {markdown_render.RENDER_TIMEOUT:g} s to render",
                "recursion": "is nested too deeply to render"}.get(
                    exc.reason, f"made the Markdown renderer fail ({exc})")
        report.at(index, f"this body {what}: simplify the markup (long runs of brackets, "
                  "emphasis or HTML tags; this line has the most)")
        return None
