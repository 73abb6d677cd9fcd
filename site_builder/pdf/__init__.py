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
"""

from __future__ import annotations

from site_builder.pdf.build import PdfInfo, PdfReport, render_all, render_brief
from site_builder.pdf.html import brief_html

__all__ = ["PdfInfo", "PdfReport", "brief_html", "render_all", "render_brief"]
