"""Render each brief to a print-ready PDF of exactly ``pages`` A4 pages with WeasyPrint.

The stage in modules:

- ``html``    — the HTML document of a brief (masthead, body, back matter, page fillers);
- ``design``  — the body's figures, table captions and pull quotes (a Markdown extension);
- ``branding``— logo, partners and the QR code of the web page, as ``data:`` URLs;
- ``budget``  — the page budget the short way: fill and underfill;
- ``fetcher`` — the only way WeasyPrint reads anything: the brief's folder and the theme;
- ``render``  — one layout, fitted to the page budget, to PDF bytes (what a worker runs);
- ``pool``    — spawned worker processes with a time limit per brief;
- ``dask_backend`` — or a Dask cluster (optional extra), with ``shipping`` (what a render
  carries to a worker without the project) and ``child`` (the render process on a worker);
- ``cache``   — content-hashed PDFs under ``<cache_root>/pdf``;
- ``build``   — :func:`render_all`: cache look-up, parallel rendering, findings, output.

The print stylesheet and its fonts live in the theme folder (``theme/print``, ``theme/fonts``).

The names below load on first use: importing WeasyPrint takes 0.6 s, which a build
without PDFs (it imports ``pdf.meter`` for the page budget) should not wait for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from site_builder.pdf.build import PdfInfo, PdfReport, render_all, render_brief
    from site_builder.pdf.html import brief_html

__all__ = ["PdfInfo", "PdfReport", "brief_html", "render_all", "render_brief"]

_HOMES = {"PdfInfo": "build", "PdfReport": "build", "render_all": "build",
          "render_brief": "build", "brief_html": "html"}


def __getattr__(name: str) -> Any:
    """Import a public name's module when the name is first used (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
