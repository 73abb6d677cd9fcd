"""``briefs build``: validate, build the site with MkDocs into a temporary folder, swap it in.

The previous ``site/`` stays exactly as it was unless the new build succeeds: MkDocs
writes into ``.site-tmp-<random>/`` beside it, and only a complete build replaces it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError, Severity, ValidationFailed
from site_builder.mkdocs_plugin import BriefsPlugin, BuildStats, Preset
from site_builder.settings import Settings, with_pdf

log = logging.getLogger("site_builder.build")
SITE_DIR = "site"
TMP_PREFIX = ".site-tmp-"


@dataclass(frozen=True)
class BuildReport:
    """A finished build: where the site is and what went into it."""

    site: Path
    stats: BuildStats
    seconds: float

    def summary(self) -> str:
        """One line for the terminal, e.g. ``built site/ in 12.1 s: 18 briefs, 13 of 14 themes, ...``."""
        s = self.stats
        parts = [f"{s.briefs} brief{'s' * (s.briefs != 1)}",
                 f"{s.themes} of {s.themes_total} themes", f"{s.countries} countries"]
        if s.pdfs_rendered or s.pdfs_cached:
            parts.append(f"{s.pdfs_rendered + s.pdfs_cached} PDFs ({s.pdfs_rendered} rendered, "
                         f"{s.pdfs_cached} from the cache)")
        if s.packs:
            parts.append(f"{s.packs} print packs")
        if s.search_pages:
            parts.append(f"{s.search_pages} pages in the search index")
        return f"built {self.site.name}/ in {self.seconds:.1f} s: " + ", ".join(parts)


class _Collect(logging.Handler):
    """Keep the warnings and errors MkDocs logs, to say why a build failed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        (self.errors if record.levelno >= logging.ERROR else self.messages).append(
            record.getMessage())


def _below_error(record: logging.LogRecord) -> bool:
    """Let through what is below an error."""
    return record.levelno < logging.ERROR


@contextlib.contextmanager
def mkdocs_logging(progress: bool, hold_errors: bool = False) -> Iterator[_Collect]:
    """Show MkDocs' warnings (and its progress with ``progress``) while building.

    With ``hold_errors``, errors are collected but not printed: the build's failure
    message carries them, once. A preview prints them as they come.
    """
    logger = logging.getLogger("mkdocs")
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.INFO if progress else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    if hold_errors:
        console.addFilter(_below_error)
    collect = _Collect()
    old_level = logger.level
    logger.setLevel(logging.INFO if progress else logging.WARNING)
    quiet = any(isinstance(h, logging.StreamHandler) for h in logger.handlers)
    if not quiet:
        logger.addHandler(console)
    logger.addHandler(collect)
    try:
        yield collect
    finally:
        logger.removeHandler(collect)
        logger.removeHandler(console)
        logger.setLevel(old_level)


def build_site(settings: Settings, *, pdf: bool = True, strict: bool = False,
               jobs: int | None = None, progress: bool = False) -> BuildReport:
    """Validate the briefs, build the site into ``site/`` and report what it made.

    ``pdf=False`` skips the PDFs (and the packs made from them); ``strict`` fails on any
    MkDocs warning, such as a broken link between briefs; ``jobs`` is the number of PDF
    workers (default: one per core); ``progress`` shows MkDocs' and the PDFs' progress.
    Everything, the Pagefind index included, is written into a temporary folder first.
    Raises :class:`ValidationFailed` when briefs have errors and :class:`BriefsError` when
    the build fails; either way the previous ``site/`` is left untouched.
    """
    started = time.perf_counter()
    project = settings.project_dir
    config_file = project / "mkdocs.yml"
    if not config_file.is_file():
        raise BriefsError(f"{config_file} not found: run from the project root")
    settings = settings if pdf and settings.pdf.enabled else with_pdf(settings, enabled=False)
    corpus, findings = load_corpus(settings.content_root)
    if any(f.severity is Severity.ERROR for f in findings):
        raise ValidationFailed(findings, corpus.n_files)
    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=project))
    try:
        with mkdocs_logging(progress, hold_errors=True) as collected:
            try:
                config = load_config(config_file=str(config_file), site_dir=str(tmp),
                                     strict=strict)
                plugin = config.plugins.get("briefs")
                if not isinstance(plugin, BriefsPlugin):
                    raise BriefsError("mkdocs.yml must list the 'briefs' plugin under 'plugins'")
                plugin.preset = Preset(settings, corpus, findings, jobs, progress)
                config.plugins.on_startup(command="build", dirty=False)
                try:
                    mkdocs_build(config)
                    stats = plugin.stats
                finally:
                    config.plugins.on_shutdown()  # also clears the preset
            except BriefsError:
                raise
            except Exception as exc:  # MkDocs' Abort, PluginError, ConfigurationError, OSError
                raise BriefsError(_failure_message(exc, collected, strict)) from exc
        site = _swap_in(tmp, project / SITE_DIR)
        return BuildReport(site, stats, time.perf_counter() - started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _failure_message(exc: Exception, collected: _Collect, strict: bool) -> str:
    text = str(exc).strip() or type(exc).__name__
    # A plugin's error reaches us as MkDocs' bare "Aborted with a BuildError!": say what
    # was logged instead, each message once (a message may quote an earlier one whole).
    errors = [e for i, e in enumerate(collected.errors)
              if not any(e in later for later in collected.errors[i + 1:])]
    if errors:
        return "the site build failed:\n" + "\n".join(errors)
    warnings = collected.messages
    if strict and warnings:
        listed = "\n".join(f"  - {w}" for w in warnings[:20])
        more = f"\n  ... and {len(warnings) - 20} more" if len(warnings) > 20 else ""
        return f"the site build failed in strict mode ({text}):\n{listed}{more}"
    return f"the site build failed: {text}"


def _swap_in(new: Path, site: Path) -> Path:
    """Replace ``site`` by ``new`` with two renames; restore the old site if the second fails."""
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + "old-", dir=site.parent))
        os.rmdir(old)
        os.replace(site, old)
    try:
        os.replace(new, site)
    except OSError as exc:
        if old is not None:
            os.replace(old, site)
        raise BriefsError(f"could not move the new site into {site}: {exc}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return site
