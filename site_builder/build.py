"""``briefs build``: validate, build the site with MkDocs into a temporary folder, swap it in.

The previous ``site/`` stays exactly as it was unless the new build succeeds: MkDocs
writes into ``.site-tmp-<pid>-<random>/`` beside it, the output is checked for what the
briefs plugin always writes (so an engine or a mkdocs.yml without the plugin cannot
publish a site without briefs), and only then is it swapped in, in one atomic step where
the system allows it (see "the swap" below). Plain ``mkdocs build`` writes ``site/``
directly, with none of these guarantees: use ``briefs build`` to publish.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from site_builder.corpus import load_corpus
from site_builder.files import umask
from site_builder.findings import BriefsError, Severity, ValidationFailed, sort_findings
from site_builder.mkdocs_plugin import BriefsPlugin
from site_builder.model import Corpus
from site_builder.plugin_io import BuildStats, Preset
from site_builder.project_checks import project_findings
from site_builder.settings import Settings, with_pdf
from site_builder.up_to_date import build_options, forget_build, input_fingerprint, record_build

log = logging.getLogger("site_builder.build")
SITE_DIR = "site"
TMP_PREFIX = ".site-tmp-"
COMPLETE_MARKER = ".briefs-build-complete"
"""Written last into a finished build folder; tells a recovering run the folder is whole."""
_LEGACY_AGE = 3600.0
"""Seconds after which a build folder named by an older version (no pid) counts as left over."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_SYS_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "riscv64": 276, "i686": 353, "i386": 353,
                  "armv7l": 382, "ppc64le": 357, "ppc64": 357, "s390x": 347}
"""System call numbers of renameat2, for a C library without the wrapper (glibc < 2.28)."""


@dataclass(frozen=True)
class BuildReport:
    """A finished build: where the site is and what went into it."""

    site: Path
    stats: BuildStats
    seconds: float
    notes: tuple[str, ...] = ()
    """What the build did to the site folder beyond building it (a restored site, a link kept)."""

    def summary(self) -> str:
        """One line for the terminal, e.g. ``built site/ in 12.1 s: 18 briefs, 13 of 14 themes, ...``."""
        s = self.stats
        parts = [f"{s.briefs} brief{'s' * (s.briefs != 1)}",
                 f"{s.themes} of {s.themes_total} themes", f"{s.countries} countries"]
        if s.conversions_cached:
            parts.append(_from_cache(s.conversions, s.conversions_cached, "brief pages' Markdown",
                                     "converted"))
        if s.pdfs_rendered or s.pdfs_cached:
            parts.append(_from_cache(s.pdfs_rendered + s.pdfs_cached, s.pdfs_cached, "PDFs",
                                     "rendered"))
        if s.packs:
            parts.append(_from_cache(s.packs, s.packs_cached, "print packs", "made"))
        if s.packs_skipped:
            parts.append(f"{s.packs_skipped} automatic packs skipped to keep packs within "
                         "packs_max_ratio × the brief PDFs (the log says which and why)")
        if s.search_pages:
            parts.append(f"{s.search_pages} pages in the search index")
        if s.search_shards_cached:
            parts.append(_from_cache(s.search_shards, s.search_shards_cached,
                                     "search index shards", "indexed"))
        notes = "".join(f"\n{note}" for note in self.notes)
        return f"built {self.site.name}/ in {self.seconds:.1f} s: " + ", ".join(parts) + notes


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
    ours = logging.getLogger("site_builder")  # e.g. a damaged cache entry being rebuilt
    if not quiet:
        logger.addHandler(console)
        ours.addHandler(console)
    logger.addHandler(collect)
    try:
        yield collect
    finally:
        logger.removeHandler(collect)
        logger.removeHandler(console)
        ours.removeHandler(console)
        logger.setLevel(old_level)


def _from_cache(total: int, cached: int, what: str, done: str) -> str:
    """``24 PDFs (1 rendered, 23 from the cache)``: of ``total``, ``cached`` were cached."""
    return f"{total} {what} ({total - cached} {done}, {cached} from the cache)"


def build_site(settings: Settings, *, pdf: bool = True, strict: bool = False,
               jobs: int | None = None, progress: bool = False,
               inputs: str | None = None) -> BuildReport:
    """Validate the briefs, build the site into ``site/`` and report what it made.

    ``pdf=False`` skips the PDFs (and the packs made from them); ``strict`` fails on any
    MkDocs warning, such as a broken link between briefs; ``jobs`` is the number of PDF
    workers (default: one per core); ``progress`` shows MkDocs' and the PDFs' progress;
    ``inputs`` is the fingerprint of the inputs (:func:`~site_builder.up_to_date.input_fingerprint`)
    if the caller took it just before (to see whether anything changed), else taken here.
    Everything, the Pagefind index included, is written into a temporary folder first.
    Raises :class:`ValidationFailed` when briefs have errors and :class:`BriefsError` when
    the build fails; either way the previous ``site/`` is left untouched.
    """
    started = time.perf_counter()
    project = settings.project_dir
    config_file = project / "mkdocs.yml"
    if not config_file.is_file():
        raise BriefsError(f"{config_file} not found: run from the project root")
    notes = recover_site(project / SITE_DIR)  # first: even a failing build restores a lost site
    settings = settings if pdf and settings.pdf.enabled else with_pdf(settings, enabled=False)
    # The inputs as this build is about to read them: one that changes while it runs makes
    # the next build run, not find itself up to date.
    inputs = inputs or input_fingerprint(settings, build_options(settings, pdf, strict))
    corpus, findings = load_corpus(settings.content_root, cache_dir=settings.cache_root / "checks")
    findings = sort_findings(findings + project_findings(project))  # mkdocs.yml, docs/
    if any(f.severity is Severity.ERROR for f in findings):
        raise ValidationFailed(findings, corpus.n_files)
    forget_build(settings)  # until this build succeeds, the site is not known to be current
    tmp = new_build_dir(site_target(project / SITE_DIR))
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
        check_plugin_ran(tmp, corpus, settings, stats)
        target, previous = _swap_in(tmp, project / SITE_DIR)
        with _removed_meanwhile(previous):  # the old site goes while the new one is listed
            record_build(settings, target.path, inputs)
        notes += [target.note] if target.note else []
        return BuildReport(target.path, stats, time.perf_counter() - started, tuple(notes))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_plugin_ran(site: Path, corpus: Corpus, settings: Settings, stats: BuildStats) -> None:
    """Fail unless the built folder holds what the briefs plugin always writes.

    A mkdocs.yml without the plugin, or an engine that reads mkdocs.yml but ignores MkDocs
    plugins, builds a site with no briefs in it; that must not replace the published one.
    Checked: ``feed.xml``, every published brief's page (and its PDF when PDFs are on).
    """
    missing = [] if (site / "feed.xml").is_file() else ["feed.xml"]
    for brief in corpus.published:
        page = site / "briefs" / brief.slug
        if not ((page / "index.html").is_file() or page.with_suffix(".html").is_file()):
            missing.append(f"briefs/{brief.slug}/")
        if settings.pdf.enabled and not (site / "pdf" / f"{brief.slug}.pdf").is_file():
            missing.append(f"pdf/{brief.slug}.pdf")
    if stats.briefs != len(corpus.published):
        missing.append(f"{len(corpus.published) - stats.briefs} of the briefs in its count")
    if not missing:
        return
    listed = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    raise BriefsError(
        f"the briefs plugin did not run in this build: the built site lacks {listed}. "
        "Check that mkdocs.yml lists '- briefs' under 'plugins:' and build with 'briefs build' "
        "(or MkDocs itself: an engine that ignores MkDocs plugins makes a site without "
        "briefs); the previous site/ is unchanged")


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


# -- the swap --------------------------------------------------------------------------
# A build writes into ``.site-tmp-<pid>-<random>/`` beside the site folder, marks it
# complete (COMPLETE_MARKER, written last) and exchanges it with the site folder in one
# ``renameat2(RENAME_EXCHANGE)``. Where the system cannot exchange, the swap is two renames
# (site -> .site-tmp-old-<pid>-<random>, new -> site); a run killed between them leaves no
# site folder, and the next run restores the complete new build (or the old site) before
# anything else. Leftover folders of runs that are no longer alive are removed.


@dataclass(frozen=True)
class SiteTarget:
    """Where a build's site goes: ``path`` as the user names it, ``folder`` replaced in place."""

    path: Path
    folder: Path
    """``path`` itself, or the target of ``path`` when it is a symbolic link."""

    @property
    def note(self) -> str:
        """What happened to a symbolic link ("" when ``path`` is a folder)."""
        if self.folder == self.path:
            return ""
        return (f"{self.path.name}/ is a symbolic link: it was kept, and the new site was put "
                f"at its target {self.folder}")


def site_target(site: Path) -> SiteTarget:
    """Return where the site goes; raise BriefsError when ``site`` cannot hold a site."""
    if site.is_symlink():
        folder = Path(os.path.realpath(site))
        if folder.exists() and not folder.is_dir():
            raise BriefsError(f"{site} is a symbolic link to {folder}, which is not a folder: "
                              "point it at a folder (or remove it), then build again")
        if not folder.parent.is_dir():
            raise BriefsError(f"{site} is a symbolic link to {folder}, whose folder "
                              f"{folder.parent} does not exist: create it or fix the link")
        return SiteTarget(site, folder)
    if site.exists() and not site.is_dir():
        raise BriefsError(f"{site} exists and is not a folder: move it away, then build again")
    return SiteTarget(site, site)


def new_build_dir(target: SiteTarget) -> Path:
    """Create the folder a build writes into, beside the site folder, with normal modes."""
    parent = target.folder.parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=parent))
        os.chmod(tmp, 0o777 & ~umask())
    except OSError as exc:
        raise BriefsError(f"cannot create the build folder in {parent}: {exc.strerror}: "
                          "make the folder writable (or build in a copy)") from exc
    return tmp


def _owner_pid(path: Path) -> int | None:
    """Return the pid in a build folder's name (``.site-tmp-[old-]<pid>-...``), if any."""
    rest = path.name[len(TMP_PREFIX):].removeprefix("old-")
    head, sep, _ = rest.partition("-")
    return int(head) if sep and head.isdigit() else None


def _in_use(path: Path) -> bool:
    """Tell whether a build folder may belong to a running build (then it is left alone)."""
    pid = _owner_pid(path)
    if pid is None:  # named by an older version: only its age tells
        with contextlib.suppress(OSError):
            return time.time() - path.stat().st_mtime < _LEGACY_AGE
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def remove_tree(path: Path) -> bool:
    """Remove a folder, making read-only folders inside it writable first; tell whether it went."""
    def retry(function: Any, name: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o700)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, 0o700)
            function(name)

    with contextlib.suppress(OSError):
        if sys.version_info >= (3, 12):
            shutil.rmtree(path, onexc=retry)
        else:
            shutil.rmtree(path, onerror=retry)
    return not path.exists()


def recover_site(site: Path) -> list[str]:
    """Finish what an interrupted build left: restore a missing site folder, remove leftovers.

    When the site folder is missing and an earlier build was stopped during its swap, the
    complete new build (marked) or else the old site is moved back into place. Then every
    ``.site-tmp-*`` folder of a run that is no longer alive is removed. Return what was done.
    """
    target = site_target(site)
    folder = target.folder
    notes: list[str] = []
    try:
        leftovers = sorted((p for p in folder.parent.iterdir()
                            if p.name.startswith(TMP_PREFIX) and p.is_dir() and not p.is_symlink()
                            and not _in_use(p)), key=_mtime, reverse=True)
    except OSError:
        return notes
    if not folder.exists():
        complete = [p for p in leftovers if (p / COMPLETE_MARKER).is_file()]
        old = [p for p in leftovers if p.name.startswith(TMP_PREFIX + "old-")]
        for candidate in complete[:1] or old[:1]:
            try:
                os.rename(candidate, folder)
            except OSError as exc:
                raise BriefsError(f"{site} is missing and cannot be restored from {candidate}: "
                                  f"{exc.strerror}: move it to {folder} by hand") from exc
            leftovers.remove(candidate)
            notes.append(f"restored {site.name}/ from {candidate.name}, left by a build "
                         "stopped during its swap")
    with contextlib.suppress(OSError):
        (folder / COMPLETE_MARKER).unlink(missing_ok=True)
    for path in leftovers:
        if remove_tree(path):
            log.info("removed %s, left by an earlier build", path.name)
    for note in notes:
        log.info("%s", note)
    return notes


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _renameat2() -> Any:
    """Return a callable ``(old, new, flags) -> errno`` for renameat2, or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                             ctypes.c_uint]
        function.restype = ctypes.c_int

        def call(old: bytes, new: bytes, flags: int) -> int:
            return 0 if function(_AT_FDCWD, old, _AT_FDCWD, new, flags) == 0 else ctypes.get_errno()
        return call
    number = _SYS_RENAMEAT2.get(platform.machine())
    if number is None:
        return None
    syscall = libc.syscall
    syscall.restype = ctypes.c_long

    def call_syscall(old: bytes, new: bytes, flags: int) -> int:
        result = syscall(ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(old),
                         ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(new), ctypes.c_uint(flags))
        return 0 if result == 0 else ctypes.get_errno()
    return call_syscall


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot.

    Raise OSError for a real failure (permissions, read-only file system).
    """
    call = _renameat2()
    if call is None:
        return False
    error = call(os.fsencode(a), os.fsencode(b), _RENAME_EXCHANGE)
    if error == 0:
        return True
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(b))


def _after_first_step() -> None:
    """Test hook: runs between the two steps of a swap (a kill test stops the build here)."""


def _swap_in(new: Path, site: Path) -> tuple[SiteTarget, Path | None]:
    """Put the complete build ``new`` in place of the site folder in one atomic step;
    return the site's target and where the old site now is, to be removed (or None).

    With ``renameat2(RENAME_EXCHANGE)`` the site folder is never missing; elsewhere it is two
    renames that the next run completes (:func:`recover_site`) if this one is killed between
    them. A symbolic link ``site`` keeps pointing where it did: its target is replaced.
    """
    target = site_target(site)
    folder = target.folder
    previous: Path | None = None
    try:
        (new / COMPLETE_MARKER).write_text(f"{os.getpid()}\n", encoding="utf-8")
        if not folder.exists():
            os.rename(new, folder)
        elif exchange(new, folder):
            _after_first_step()
            previous = new  # now the old site
        else:
            previous = _two_step_swap(new, folder)
        (folder / COMPLETE_MARKER).unlink(missing_ok=True)
    except OSError as exc:
        raise BriefsError(f"could not move the new site into {folder}: {exc.strerror or exc}: "
                          f"make {folder} and {folder.parent} writable; the previous site "
                          "is unchanged") from exc
    return target, previous


@contextlib.contextmanager
def _removed_meanwhile(path: Path | None) -> Iterator[None]:
    """Remove ``path`` (the previous site) in a thread while the block runs; wait for it.

    Removing tens of thousands of files is the file system's work, not Python's: it goes on
    while the new site's files are listed. A folder that cannot be removed is left for the
    next build (:func:`recover_site`).
    """
    if path is None:
        yield
        return
    remover = threading.Thread(target=remove_tree, args=(path,), name="briefs-old-site")
    remover.start()
    try:
        yield
    finally:
        remover.join()


def _two_step_swap(new: Path, folder: Path) -> Path:
    """Swap with two renames (no exchange here); restore the old site if the second fails.
    Return where the old site now is."""
    old = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}old-{os.getpid()}-", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    _after_first_step()
    try:
        os.rename(new, folder)
    except OSError:
        os.rename(old, folder)
        raise
    return old
