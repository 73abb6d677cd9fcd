"""Output hardening (issue 11 #5, #9, #11): the atomic swap and the kill test, file modes,
a symbolic-link ``site``, read-only folders, leftovers of killed runs, the engine guard.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from fixtures_site import make_project

from site_builder import build as build_module
from site_builder.build import (
    COMPLETE_MARKER,
    TMP_PREFIX,
    build_site,
    check_plugin_ran,
    exchange,
    recover_site,
)
from site_builder.corpus import load_corpus
from site_builder.files import write_atomic
from site_builder.findings import BriefsError, ValidationFailed
from site_builder.mkdocs_plugin import BriefsPlugin, BuildStats
from site_builder.settings import Settings, load_settings


@pytest.fixture
def umask022() -> Iterator[None]:
    """Run a test under umask 022 (restored afterwards)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _site_project(root: Path) -> CorpusWriter:
    """A full project (mkdocs.yml, docs/, theme/) with two briefs."""
    make_project(root)
    writer = CorpusWriter(root / "briefs")
    writer.brief("moz/moz-a.md", title="Brief A")
    writer.brief("moz/moz-b.md", title="Brief B", themes="[health]")
    return writer


# -- #5 the swap -------------------------------------------------------------------------

def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if not exchange(a, b):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here: the two-rename path is tested below")
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


_KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from site_builder import build
    from site_builder.settings import load_settings

    if sys.argv[2] == "two-renames":  # a system without renameat2(RENAME_EXCHANGE)
        build.exchange = lambda a, b: False
    build._after_first_step = lambda: os.kill(os.getpid(), signal.SIGKILL)
    build.build_site(load_settings(Path(sys.argv[1])), pdf=False)
    print("not killed")
""")


@pytest.mark.parametrize("way", ["exchange", "two-renames"])
def test_a_build_killed_between_the_two_steps_of_the_swap_loses_no_site(tmp_path: Path,
                                                                         way: str) -> None:
    project = tmp_path / "project"
    writer = _site_project(project)
    build_site(load_settings(project), pdf=False)
    site = project / "site"
    assert (site / "briefs" / "moz-a" / "index.html").is_file()
    writer.brief("moz/moz-c.md", title="Brief C, new in this build")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(project), way], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr
    leftovers = sorted(p.name for p in project.iterdir() if p.name.startswith(TMP_PREFIX))
    assert leftovers, "the kill came before the swap"
    if way == "exchange":  # one step: the new site is already in place, whole
        assert (site / "briefs" / "moz-c" / "index.html").is_file()
        assert (site / "feed.xml").is_file() and (site / "search" / "index.html").is_file()
    else:  # killed between the two renames: the next run puts the complete new build back
        assert not site.exists()
    notes = recover_site(site)
    assert (site / "briefs" / "moz-c" / "index.html").is_file()
    assert (site / "feed.xml").is_file() and (site / "pagefind").is_dir()
    assert not (site / COMPLETE_MARKER).exists()
    assert [p.name for p in project.iterdir() if p.name.startswith(TMP_PREFIX)] == []
    assert bool(notes) == (way == "two-renames")
    # And a whole build after the kill is a normal build.
    report = build_site(load_settings(project), pdf=False)
    assert report.stats.briefs == 3 and not report.notes
    assert [p.name for p in project.iterdir() if p.name.startswith(TMP_PREFIX)] == []


def test_the_next_run_restores_the_old_site_when_the_new_build_was_not_complete(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old = tmp_path / f"{TMP_PREFIX}old-{_dead_pid()}-abc"
    old.mkdir()
    (old / "index.html").write_text("old")
    half = tmp_path / f"{TMP_PREFIX}{_dead_pid()}-def"  # a build stopped before it was complete
    half.mkdir()
    (half / "index.html").write_text("half")
    recover_site(site)
    assert (site / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_even_a_failing_build_first_restores_a_site_lost_in_a_swap(tmp_path: Path) -> None:
    project = tmp_path / "project"
    writer = _site_project(project)
    complete = project / f"{TMP_PREFIX}{_dead_pid()}-new"
    complete.mkdir()
    (complete / "index.html").write_text("new")
    (complete / COMPLETE_MARKER).write_text("1")
    writer.brief("moz/moz-bad.md", themes="[no-such-theme]")
    with pytest.raises(ValidationFailed):
        build_site(load_settings(project), pdf=False)
    assert (project / "site" / "index.html").read_text() == "new"
    assert not (project / "site" / COMPLETE_MARKER).exists() and not complete.exists()


def _dead_pid() -> int:
    """Return a pid no process has (above the kernel's maximum)."""
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    except OSError:
        return 2**22 + 1


def test_leftover_build_folders_of_dead_runs_are_removed_live_ones_kept(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    dead = tmp_path / f"{TMP_PREFIX}{_dead_pid()}-x1"
    dead_old = tmp_path / f"{TMP_PREFIX}old-{_dead_pid()}-x2"
    alive = tmp_path / f"{TMP_PREFIX}{os.getppid()}-x3"  # a build running in our parent
    legacy_fresh = tmp_path / f"{TMP_PREFIX}k2j4h5l6"  # named by an older version
    legacy_stale = tmp_path / f"{TMP_PREFIX}a9s8d7f6"
    for folder in (dead, dead_old, alive, legacy_fresh, legacy_stale):
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "f").write_text("x")
    (dead / "sub").chmod(0o555)  # read-only inside: removed all the same
    hours_ago = time.time() - 3 * 3600
    os.utime(legacy_stale, (hours_ago, hours_ago))
    recover_site(tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["site", alive.name, legacy_fresh.name])


def test_site_and_its_files_have_normal_modes(tmp_path: Path, umask022: None) -> None:
    project = tmp_path / "project"
    _site_project(project)
    site = build_site(load_settings(project), pdf=False).site
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    for path in site.rglob("*"):
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    packed = tmp_path / "pack.pdf"
    write_atomic(packed, b"%PDF-")  # packs, brief copies and cache entries
    assert stat.S_IMODE(packed.stat().st_mode) == 0o644
    os.umask(0o027)
    write_atomic(packed, b"%PDF-1")
    assert stat.S_IMODE(packed.stat().st_mode) == 0o640
    site = build_site(load_settings(project), pdf=False).site
    assert stat.S_IMODE(site.stat().st_mode) == 0o750


def test_a_symlinked_site_keeps_its_link_and_gets_a_new_target(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _site_project(project)
    published = tmp_path / "www" / "briefs-site"
    published.mkdir(parents=True)
    (published / "stale.html").write_text("old")
    (project / "site").symlink_to(published, target_is_directory=True)
    report = build_site(load_settings(project), pdf=False)
    link = project / "site"
    assert link.is_symlink() and Path(os.readlink(link)) == published
    assert (published / "briefs" / "moz-a" / "index.html").is_file()
    assert not (published / "stale.html").exists()
    assert any("symbolic link" in n and str(published) in n for n in report.notes)
    assert "symbolic link" in report.summary()
    assert sorted(p.name for p in published.parent.iterdir()) == ["briefs-site"]
    # A dangling link whose folder exists: the target is created.
    shutil.rmtree(published)
    build_site(load_settings(project), pdf=False)
    assert link.is_symlink() and (published / "feed.xml").is_file()
    # A link to a file is refused, clearly.
    link.unlink()
    (tmp_path / "file").write_text("x")
    link.symlink_to(tmp_path / "file")
    with pytest.raises(BriefsError, match="not a folder"):
        build_site(load_settings(project), pdf=False)
    assert (tmp_path / "file").read_text() == "x"


def test_a_site_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _site_project(project)
    (project / "site").write_text("not a folder")
    with pytest.raises(BriefsError, match="is not a folder"):
        build_site(load_settings(project), pdf=False)
    assert (project / "site").read_text() == "not a folder"


# -- #9 read-only folders ----------------------------------------------------------------

def test_a_read_only_project_or_site_is_a_clear_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    _site_project(project)
    settings = load_settings(project)
    build_site(settings, pdf=False)
    before = sorted(p.name for p in project.iterdir())

    def read_only(*_args: object, **_kwargs: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(project))

    with monkeypatch.context() as patch:  # root ignores modes: simulate a read-only project
        patch.setattr(build_module.tempfile, "mkdtemp", read_only)
        with pytest.raises(BriefsError, match=r"cannot create the build folder in .*writable"):
            build_site(settings, pdf=False)

    def read_only_fs(a: Path, b: Path) -> bool:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(b))

    with monkeypatch.context() as patch:
        patch.setattr(build_module, "exchange", read_only_fs)
        with pytest.raises(BriefsError, match=r"could not move the new site into .*site.*"
                                               r"Read-only file system.*unchanged"):
            build_site(settings, pdf=False)
    assert sorted(p.name for p in project.iterdir()) == before
    assert (project / "site" / "briefs" / "moz-a" / "index.html").is_file()


def test_a_read_only_site_folder_is_replaced(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _site_project(project)
    site = build_site(load_settings(project), pdf=False).site
    for path in [*site.rglob("*"), site]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    again = build_site(load_settings(project), pdf=False).site
    assert (again / "feed.xml").is_file()
    assert [p.name for p in project.iterdir() if p.name.startswith(TMP_PREFIX)] == []


# -- #11 engine guard --------------------------------------------------------------------

def test_a_mkdocs_yml_without_the_plugin_fails_and_keeps_the_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _site_project(project)
    build_site(load_settings(project), pdf=False)
    config = project / "mkdocs.yml"
    text = config.read_text()
    start, end = text.index("plugins:"), text.index("markdown_extensions:")
    config.write_text(text[:start] + "plugins: []\n\n" + text[end:])
    with pytest.raises(BriefsError, match="briefs' plugin"):
        build_site(load_settings(project), pdf=False)
    assert (project / "site" / "briefs" / "moz-a" / "index.html").is_file()


def test_a_build_in_which_the_plugin_did_not_run_fails_and_keeps_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    _site_project(project)
    build_site(load_settings(project), pdf=False)
    before = (project / "site" / "index.html").read_bytes()
    # An engine that ignores MkDocs plugins: the plugin's events never fire.
    monkeypatch.setattr(BriefsPlugin, "on_files", lambda self, files, *, config: files)
    monkeypatch.setattr(BriefsPlugin, "on_page_content", lambda self, html, **kw: html)
    with pytest.raises(BriefsError, match=r"the briefs plugin did not run.*feed\.xml.*briefs/moz-a/"):
        build_site(load_settings(project), pdf=False)
    assert (project / "site" / "index.html").read_bytes() == before
    assert [p.name for p in project.iterdir() if p.name.startswith(TMP_PREFIX)] == []


def test_check_plugin_ran_names_what_is_missing(tmp_path: Path, corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md")
    loaded, _ = load_corpus(corpus.root)
    settings = Settings(project_dir=corpus.root.parent)
    (tmp_path / "built" / "briefs" / "moz-a").mkdir(parents=True)
    (tmp_path / "built" / "feed.xml").write_text("<feed/>")
    with pytest.raises(BriefsError, match=r"pdf/moz-a\.pdf"):
        check_plugin_ran(tmp_path / "built", loaded, settings, BuildStats(briefs=1))
    (tmp_path / "built" / "briefs" / "moz-a" / "index.html").write_text("x")
    (tmp_path / "built" / "pdf").mkdir()
    (tmp_path / "built" / "pdf" / "moz-a.pdf").write_bytes(b"%PDF-")
    check_plugin_ran(tmp_path / "built", loaded, settings, BuildStats(briefs=1))
    with pytest.raises(BriefsError, match="count"):
        check_plugin_ran(tmp_path / "built", loaded, settings, BuildStats(briefs=0))
