"""The checks of a project beyond its briefs: mkdocs.yml's Markdown and ``docs_dir``.

``briefs validate`` (without a PATH) and ``briefs build`` run them with the briefs' checks,
so their problems are reported with the rest, GCC style; the plugin's ``on_config`` runs
them for a plain ``mkdocs build`` (see :func:`config_findings`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from site_builder.docs_checks import docs_findings, docs_settings
from site_builder.findings import Finding
from site_builder.markdown_config import align_mkdocs_config, mkdocs_yml_findings


def project_findings(project_dir: Path, cwd: Path | None = None) -> list[Finding]:
    """Return the problems of a project's mkdocs.yml ``markdown_extensions`` and of every
    file MkDocs would publish from its ``docs_dir``."""
    config_file = project_dir / "mkdocs.yml"
    if not config_file.is_file():
        return []
    cwd = cwd or Path.cwd()
    findings = mkdocs_yml_findings(config_file, _shown(config_file, cwd))
    docs_dir, exclude = docs_settings(config_file)
    return findings + docs_findings(docs_dir, exclude, cwd)


def align_config(config: Any, *, docs: bool) -> list[Finding]:
    """Make MkDocs' loaded config render Markdown as validation does (see
    :func:`site_builder.markdown_config.align_mkdocs_config`, which raises
    :class:`ValueError` when it cannot) and, with ``docs``, return the problems of its
    ``docs_dir`` (for a build the ``briefs`` command did not check first)."""
    config_file = Path(config.config_file_path) if config.config_file_path else None
    config.markdown_extensions, config.mdx_configs = align_mkdocs_config(
        list(config.markdown_extensions), config.mdx_configs or {}, config_file)
    return docs_findings(Path(config.docs_dir), config.exclude_docs) if docs else []


def _shown(path: Path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd)
    except ValueError:
        return str(path)
