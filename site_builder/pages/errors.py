"""Pages shown by ``briefs serve`` while briefs have problems (the preview must not crash)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from site_builder import urls
from site_builder.findings import Finding, Severity, summary_line
from site_builder.pages.base import GeneratedPage, SiteContext


def _split(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Return (errors, warnings)."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    return errors, [f for f in findings if f.severity is not Severity.ERROR]


def render_errors_page(findings: list[Finding], n_briefs: int, site: SiteContext) -> GeneratedPage:
    """Return the page listing every finding of the last build ("No problems" when none)."""
    errors, warnings = _split(findings)
    return site.page("briefs/errors.html", urls.errors(), site.templates.gettext("Errors"),
                     summary=summary_line(n_briefs, findings), errors=errors, warnings=warnings)


def failing_briefs(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Return the errors of each brief file that failed, by slug (the file name's stem)."""
    by_slug: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.severity is Severity.ERROR and finding.path.endswith(".md"):
            by_slug[PurePosixPath(finding.path).stem].append(finding)
    return dict(by_slug)


def render_brief_error_page(slug: str, findings: list[Finding], site: SiteContext) -> GeneratedPage:
    """Return the page shown at a failing brief's URL, listing its errors."""
    title = site.templates.gettext("Errors in %(slug)s", slug=slug)
    errors, warnings = _split(findings)
    return site.page("briefs/brief-error.html", urls.brief(slug), title, slug=slug,
                     errors=errors, warnings=warnings)
