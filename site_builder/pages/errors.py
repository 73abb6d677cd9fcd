"""Pages shown by ``briefs serve`` while briefs have errors (the preview must not crash)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from site_builder.citation import brief_path
from site_builder.findings import Finding, Severity, summary_line
from site_builder.pages.markup import GeneratedPage, Linker, esc, front_matter, html_page

ERRORS_PATH = "errors/"


def _finding_list(findings: list[Finding]) -> str:
    items = "".join(
        f'<li class="finding {f.severity.value}"><code>{esc(f.format())}</code></li>'
        for f in findings)
    return f'<ul class="findings">{items}</ul>'


def render_errors_page(findings: list[Finding], n_briefs: int) -> GeneratedPage:
    """Return the page listing every finding of the last build."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    head = ('<header class="page-header"><h1>The briefs have errors</h1>'
            f'<p class="lead">{esc(summary_line(n_briefs, findings))}. Fix them and save: '
            "this page reloads by itself.</p></header>")
    return html_page(
        front_matter("Errors", hide=["navigation", "toc"]),
        head, _finding_list(errors), _finding_list([f for f in findings if f not in errors]))


def failing_briefs(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Return the errors of each brief file that failed, by slug (the file name's stem)."""
    by_slug: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.severity is Severity.ERROR and finding.path.endswith(".md"):
            by_slug[PurePosixPath(finding.path).stem].append(finding)
    return dict(by_slug)


def render_brief_error_page(slug: str, findings: list[Finding]) -> GeneratedPage:
    """Return the Markdown shown at a failing brief's URL, listing its errors."""
    url = Linker(brief_path(slug))
    head = ('<header class="page-header"><p class="kicker">Preview</p>'
            f"<h1>This brief has errors: {esc(slug)}</h1>"
            '<p class="lead">It is left out of the site until they are fixed. '
            f'<a href="{url(ERRORS_PATH)}">All errors</a>.</p></header>')
    return html_page(
        front_matter(f"Errors in {slug}", hide=["navigation", "toc"]),
        head, _finding_list(findings))
