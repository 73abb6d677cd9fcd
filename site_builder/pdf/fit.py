"""``overflow: fit`` and the preview's over-budget marks: extra styles per render, re-rendered.

A brief that opts in (``overflow: fit`` in its front matter, or ``pdf: overflow: fit`` for
the site) and runs over its budget by a little is laid out again with the steps of
:data:`FIT_STEPS`, tighter each time, until one fits. The step used is reported as a
warning naming it (never silently); a brief still over at the tightest step, or over by
more than :data:`FIT_LIMIT` (no step could save that much), fails as any overflow does.

The steps are the only place the fit's limits live: line-height first (1.55 → 1.45), then
the body's font size (10 → 9.5 pt), never tighter. They set ``html``'s font size and line
height, which the body text inherits (the masthead, summary, headings and footers keep
their own sizes); keep them in step with ``theme/print/brief.css``.

In ``briefs serve`` (``over_budget_style``) a brief past its budget is still rendered, with
the pages past the budget marked, so the author sees where the budget ends.

What a worker runs is :func:`render_author_job`: it wraps
:func:`~site_builder.pdf.render.render_job` and, for a plain job, is the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal

from site_builder.model import Brief
from site_builder.pdf.render import RenderJob, RenderResult, render_job
from site_builder.settings import Settings
from site_builder.templating import templates_for

STYLES_TEMPLATE = "pdf/author-styles.html"
"""Renders the ``<style>`` of a fit step or of the preview's over-budget marks."""


@dataclass(frozen=True)
class FitStep:
    """One tightening of the layout: the font size and line height of the body text."""

    name: str
    """How the warning names it, e.g. ``line-height 1.50``."""
    line_height: float
    font_size_pt: float


FIT_STEPS: tuple[FitStep, ...] = (
    FitStep("line-height 1.50", 1.50, 10.0),
    FitStep("line-height 1.45", 1.45, 10.0),
    FitStep("line-height 1.45, font 9.75 pt", 1.45, 9.75),
    FitStep("line-height 1.45, font 9.5 pt", 1.45, 9.5),
)
"""The steps of ``overflow: fit``, gentlest first (the stylesheet's own: 10 pt, 1.55)."""
FIT_LIMIT = 0.12
"""The most a brief may run over (a fraction of the budget) for the steps to be tried: the
tightest step gains about 15 % of the body's length, less than that of the whole brief."""

OverflowMode = Literal["error", "warn", "fit"]


def overflow_mode(brief: Brief, settings: Settings) -> OverflowMode:
    """Return what a brief over its budget is: its own ``overflow`` field, else the site's."""
    if brief.overflow in ("error", "fit"):
        return brief.overflow  # type: ignore[return-value]
    return settings.pdf.overflow


def fit_in_reach(length: float, budget: int) -> bool:
    """Tell whether a brief of ``length`` pages is close enough to its budget to try the steps."""
    return length <= budget * (1 + FIT_LIMIT)


@dataclass(frozen=True)
class AuthorJob(RenderJob):
    """A render job with the author's-loop extras: fit steps and the preview's marks."""

    fit_styles: tuple[tuple[str, str], ...] = ()
    """(step name, ``<style>`` element) of each fit step to try, gentlest first."""
    over_budget_style: str = ""
    """A ``<style>`` marking the pages past the budget (preview), or empty."""


@dataclass
class FittedResult(RenderResult):
    """A render's result, with the fit step that made it fit (if any)."""

    fit_step: str | None = None
    natural_length: float | None = None
    """The length at the stylesheet's own layout, when a fit step was used."""


def author_job(job: RenderJob, brief: Brief, settings: Settings, *, preview: bool = False) -> RenderJob:
    """Return ``job`` with the fit steps (when the brief opts in) and the preview's marks."""
    fit = overflow_mode(brief, settings) == "fit"
    if not fit and not preview:
        return job
    templates = templates_for(settings.theme, brief.language)
    steps = tuple((step.name, templates.render(STYLES_TEMPLATE, step=step, over_budget=None))
                  for step in FIT_STEPS) if fit else ()
    marks = templates.render(STYLES_TEMPLATE, step=None, over_budget=settings.pdf.pages) \
        if preview else ""
    plain = {f.name: getattr(job, f.name) for f in fields(RenderJob)}
    return AuthorJob(**plain, fit_styles=steps, over_budget_style=marks)


def with_style(html: str, style: str) -> str:
    """Return the document with a (template-rendered) ``<style>`` element closing its head."""
    if not style:
        return html
    head_end = html.find("</head>")
    return html[:head_end] + style + html[head_end:] if head_end >= 0 else style + html


def _plain(job: AuthorJob, html: str, allow_overflow: bool) -> RenderJob:
    values = {f.name: getattr(job, f.name) for f in fields(RenderJob)}
    return RenderJob(**{**values, "html": html, "allow_overflow": allow_overflow})


def render_author_job(job: RenderJob) -> RenderResult:
    """Render a job; fit it with the steps when it opts in; mark its overflow in a preview."""
    if not isinstance(job, AuthorJob):
        return render_job(job)
    preview = bool(job.over_budget_style)
    first = render_job(_plain(job, with_style(job.html, job.over_budget_style),
                              job.allow_overflow or preview))
    result = FittedResult(**{f.name: getattr(first, f.name) for f in fields(RenderResult)})
    if not first.overflow or first.problems or not job.fit_styles \
            or not fit_in_reach(first.length, job.pages):
        return result
    for name, style in job.fit_styles:
        tighter = render_job(_plain(job, with_style(job.html, style), False))
        if tighter.problems:
            return tighter
        if not tighter.overflow:
            values = {f.name: getattr(tighter, f.name) for f in fields(RenderResult)}
            return replace(FittedResult(**values), fit_step=name, natural_length=first.length)
    return result
