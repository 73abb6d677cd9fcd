"""country-briefs: validate, cross-index, publish and print policy country briefs.

The pipeline, one module or package per stage:

- ``frontmatter``  — split a brief into YAML front matter and body, with line numbers;
- ``vocabulary``   — themes, regions (from ``briefs/*.yml``) and ISO 3166 countries;
- ``validate``     — check briefs against the format and the vocabularies;
- ``corpus``       — load every brief of a folder into :class:`Corpus` plus findings;
- ``index``        — cross-index the corpus: themes, countries, regions, related briefs;
- ``pages``        — render the site's generated pages (no MkDocs import);
- ``pdf``          — render each brief to a four-page PDF with WeasyPrint;
- ``bundle``       — merge brief PDFs into printable packs;
- ``mkdocs_plugin``, ``cli`` — thin adapters.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
