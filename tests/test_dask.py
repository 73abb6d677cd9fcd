"""Brief PDFs on a Dask cluster: a local build's bytes, time limit, crashes, lost workers, versions.

Every cluster test runs on two real clusters on 127.0.0.1: a ``distributed.LocalCluster``
(process workers under nannies) and ``dask scheduler`` with two ``dask worker`` processes
started here. The workers share nothing with the client but the machine: each job carries
its files, and the bytes must be those of a local build (a raster image's name in the PDF
is a hash of its URL, so a worker path reaching WeasyPrint would change them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dask_targets
import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from distributed import Client, LocalCluster
from PIL import Image

from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError, Severity
from site_builder.model import Corpus
from site_builder.pdf import brief_html, render_all
from site_builder.pdf.build import make_job
from site_builder.pdf.dask_backend import CRASH_RETRIES, run_on_cluster
from site_builder.pdf.render import RenderJob, RenderResult, render_job
from site_builder.settings import Settings, load_settings, with_pdf


def _problems(report: object) -> list[object]:
    """The findings of a render, short briefs' underfill warnings aside (these briefs are small)."""
    return [f for f in report.findings if f.code != "pdf-underfill"]  # type: ignore[attr-defined]

TESTS = Path(__file__).resolve().parent
SITE = "https://briefs.example.org/"
WORKERS = 2
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
       '<rect x="10" y="10" width="120" height="180" fill="#0b4f6c"/></svg>')
FIGURES = ("## Context\n\nA photograph and a chart.\n\n![A photograph](img/photo.png)\n\n"
           "*The photograph.*\n\n![A bar chart](img/chart.svg)\n\n## Results\n\nThe end.\n")


def _png(colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (90, 60), colour).save(data, "PNG")
    return data.getvalue()


def _body(n_words: int, seed: int) -> str:
    words = "social protection floor coverage pension health benefit workers rural law".split()
    text = " ".join(words[(i * 7 + seed) % len(words)] for i in range(n_words))
    return f"## Context\n\n{text.capitalize()}.\n\n## Results\n\nShort closing paragraph.\n"


# -- the corpus and its local build ------------------------------------------------------

@dataclass(frozen=True)
class Project:
    """A corpus and the bytes a local build gives it."""

    settings: Settings
    corpus: Corpus
    local: dict[str, bytes]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Eight briefs (one with a PNG and an SVG figure), rendered by the local pool."""
    root = tmp_path_factory.mktemp("dask-project")
    writer = CorpusWriter(root / "briefs")
    writer.write("moz/img/photo.png", _png())
    writer.write("moz/img/chart.svg", SVG)
    writer.brief("moz/moz-figures.md", title="Figures", body=FIGURES)
    for i in range(7):
        writer.brief(f"zmb/zmb-{i}.md", title=f"Brief number {i}", countries="[ZMB]",
                     body=_body(300 + 40 * i, i))
    settings = Settings(project_dir=root, site_url=SITE)
    corpus, findings = load_corpus(settings.content_root, cwd=root)
    assert not [f for f in findings if f.severity is Severity.ERROR], findings
    report = render_all(corpus, dataclasses.replace(settings, cache_dir=".cache/local"), None, jobs=2)
    assert not _problems(report) and len(report.results) == 8
    return Project(settings, corpus, {s: i.cache_path.read_bytes() for s, i in report.results.items()})


def _settings(project: Project, tmp_path: Path, address: str) -> Settings:
    return with_pdf(dataclasses.replace(project.settings, cache_dir=str(tmp_path / "cache")),
                    scheduler=address)


def _jobs(project: Project, slugs: list[str]) -> list[RenderJob]:
    """Jobs of one real brief (zmb-0) under other slugs (the slug does not reach the PDF)."""
    brief = project.corpus.get("zmb-0")
    job = make_job(brief, brief_html(brief, project.corpus, project.settings), project.settings)
    return [dataclasses.replace(job, slug=slug) for slug in slugs]


# -- the clusters ------------------------------------------------------------------------

@dataclass
class Cluster:
    """A running cluster, a client of the test's own, and how to lose a worker."""

    address: str
    client: Client
    crash_log: Path
    kill: Callable[[str], None]
    """Kill the worker at this address outright (its machine is gone)."""
    restore: Callable[[], None]
    """Bring the cluster back to two workers."""

    def worker_pids(self) -> dict[str, int]:
        """Return each worker's process id, by address."""
        return self.client.run(os.getpid)

    def executed(self) -> int:
        """Return how many tasks the workers have run."""
        counts = self.client.run(lambda dask_worker: dask_worker.state.executed_count)
        return sum(counts.values())


@contextlib.contextmanager
def dask_processes(folder: Path, workers: int, pythonpath: list[Path]) -> Iterator[tuple[str, Callable[[], None], dict[str, subprocess.Popen[bytes]]]]:
    """Run ``dask scheduler`` and ``dask worker`` processes; yield (address, add a worker, workers by name)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in pythonpath),
           dask_targets.CRASH_LOG: str(folder / "crashes.log")}
    processes: list[subprocess.Popen[bytes]] = []
    by_name: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(folder / f"{name}.log", "wb") as log:
            # cwd: ``python -m`` puts the working directory first on the path, a checkout perhaps
            process = subprocess.Popen([sys.executable, "-m", "dask", *args], env=env, cwd=folder,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(process)
        return process

    scheduler_file = folder / "scheduler.json"
    try:
        scheduler = start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0",
                          "--no-dashboard", "--scheduler-file", str(scheduler_file))
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() or not scheduler_file.read_text():
            assert scheduler.poll() is None and time.monotonic() < deadline, \
                (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written at once, but give it a moment
        address = json.loads(scheduler_file.read_text())["address"]

        def add_worker() -> None:
            name = f"w{len(by_name)}"
            by_name[name] = start(name, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                  "--no-dashboard", "--name", name,
                                  "--local-directory", str(folder / name))

        for _ in range(workers):
            add_worker()
        yield address, add_worker, by_name
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for(client: Client, n: int) -> None:
    deadline = time.monotonic() + 120
    while len(client.nthreads()) != n:
        assert time.monotonic() < deadline, f"the cluster has {len(client.nthreads())} workers, not {n}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def local_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A LocalCluster of two process workers (one thread each) on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("local-cluster")
    log = folder / "crashes.log"
    log.touch()
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, local_directory=str(folder),
                      env={dask_targets.CRASH_LOG: str(log)}) as cluster, \
            Client(cluster.scheduler_address, set_as_default=False) as client:

        def kill(address: str) -> None:
            os.kill(client.run(os.getpid, workers=[address])[address], signal.SIGKILL)

        yield Cluster(cluster.scheduler_address, client, log, kill, lambda: _wait_for(client, WORKERS))


@pytest.fixture(scope="module")
def cli_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """``dask scheduler`` and two ``dask worker`` processes (each in its own session) on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask-cli")
    (folder / "crashes.log").touch()
    with dask_processes(folder, WORKERS, [PROJECT_ROOT, TESTS]) as (address, add_worker, workers), \
            Client(address, set_as_default=False, timeout=60) as client:
        _wait_for(client, WORKERS)

        def kill(worker: str) -> None:
            name = client.scheduler_info()["workers"][worker]["name"]
            os.killpg(workers[name].pid, signal.SIGKILL)
            workers[name].wait()

        def restore() -> None:
            for _ in range(WORKERS - sum(p.poll() is None for p in workers.values())):
                add_worker()
            _wait_for(client, WORKERS)

        yield Cluster(address, client, folder / "crashes.log", kill, restore)


@pytest.fixture(params=["local_cluster", "cli_cluster"])
def cluster(request: pytest.FixtureRequest) -> Cluster:
    """Each cluster kind in turn."""
    found: Cluster = request.getfixturevalue(request.param)
    return found


# -- on both clusters --------------------------------------------------------------------

@pytest.mark.slow
def test_every_pdf_renders_on_the_workers_with_a_local_build_s_bytes(
        cluster: Cluster, project: Project, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="site_builder.pdf"):
        report = render_all(project.corpus, _settings(project, tmp_path, cluster.address),
                            tmp_path / "out")
    assert _problems(report) == [] and sorted(report.rendered) == sorted(project.local)
    for slug, data in project.local.items():
        assert (tmp_path / "out" / f"{slug}.pdf").read_bytes() == data, slug
    done = [r.args for r in caplog.records if str(r.msg).startswith("PDF of %s rendered on")]
    assert sorted(args[0] for args in done) == sorted(project.local)  # type: ignore[index]
    pids = cluster.worker_pids()
    assert {args[1] for args in done} == set(pids)  # type: ignore[index]  # both workers rendered
    assert {args[2] for args in done} <= set(pids.values())  # type: ignore[index]
    assert os.getpid() not in pids.values()


@pytest.mark.slow
def test_a_brief_that_hangs_hits_its_time_limit_on_the_worker(cluster: Cluster,
                                                              project: Project) -> None:
    results: dict[str, RenderResult] = {}
    run_on_cluster(_jobs(project, ["a", "b", "c"]), cluster.address, 6.0,
                   lambda r: results.setdefault(r.slug, r), target=dask_targets.hang_on_b)
    assert results["b"].pdf is None
    assert results["b"].problems == [("pdf-render", "render timed out after 6 s")]
    assert results["a"].pdf == results["c"].pdf == project.local["zmb-0"]


@pytest.mark.slow
def test_a_render_that_crashes_fails_that_brief_alone_after_retries(cluster: Cluster,
                                                                    project: Project) -> None:
    before = len(cluster.crash_log.read_text().splitlines())
    results: dict[str, RenderResult] = {}
    run_on_cluster(_jobs(project, ["a", "b", "c"]), cluster.address, 60.0,
                   lambda r: results.setdefault(r.slug, r), target=dask_targets.crash_on_b)
    [(code, message)] = results["b"].problems
    assert code == "pdf-render" and results["b"].pdf is None
    assert re.fullmatch(r"the render process crashed \(exit code 3\) on worker "
                        rf"tcp://127\.0\.0\.1:\d+ \({CRASH_RETRIES + 1} tries\)", message), message
    assert len(cluster.crash_log.read_text().splitlines()) - before == CRASH_RETRIES + 1
    assert results["a"].pdf == results["c"].pdf == project.local["zmb-0"]


class _Killer(threading.Thread):
    """Kill a busy worker as soon as the first PDF of the build reaches the cache."""

    def __init__(self, cluster: Cluster, cache: Path) -> None:
        super().__init__(daemon=True)
        self.cluster, self.cache = cluster, cache
        self.killed = ""
        self.pdfs_then = -1

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(self.cache.glob("*.pdf")):
                busy = [w for w, keys in self.cluster.client.processing().items() if keys]
                if busy:
                    self.pdfs_then = len(list(self.cache.glob("*.pdf")))
                    self.cluster.kill(busy[0])
                    self.killed = busy[0]
                    return
            time.sleep(0.02)


@pytest.mark.slow
def test_a_worker_lost_mid_build_does_not_fail_the_build(cluster: Cluster, project: Project,
                                                         tmp_path: Path) -> None:
    settings = _settings(project, tmp_path, cluster.address)
    killer = _Killer(cluster, settings.cache_root / "pdf")
    killer.start()
    try:
        report = render_all(project.corpus, settings, tmp_path / "out")
    finally:
        killer.join()
        cluster.restore()
    assert killer.killed and 0 < killer.pdfs_then < len(project.local)
    assert _problems(report) == [] and sorted(report.results) == sorted(project.local)
    for slug, data in project.local.items():
        assert (tmp_path / "out" / f"{slug}.pdf").read_bytes() == data, slug


@pytest.mark.slow
def test_references_are_served_or_refused_as_in_a_local_render(local_cluster: Cluster,
                                                               tmp_path: Path) -> None:
    """The hostile references of test_pdf_safety, and the allowed ones, give a local render's results."""
    from test_pdf_safety import FORBIDDEN, PNG, make_brief

    folder = tmp_path / "briefs" / "moz"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "ok.png").write_bytes(PNG)
    (folder / "moz-x.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(PNG)
    (folder / "img" / "link.png").symlink_to("/etc/passwd")
    (folder / "img" / "inside.png").symlink_to(folder / "img" / "ok.png")
    settings = Settings(project_dir=tmp_path, site_url=SITE)
    brief, corpus = make_brief({"root": tmp_path, "folder": folder, "settings": settings}, "Text.")
    html = brief_html(brief, corpus, settings)
    cases = {case: (fragment, head) for case, (fragment, head, _, _) in FORBIDDEN.items()}
    cases["allowed"] = ('<img alt="a" src="img/ok.png"><img alt="b" src="img/inside.png">'
                        '<img alt="c" src="img/ok.png#again">', "")
    jobs = []
    for case, (fragment, head) in sorted(cases.items()):
        page = html.replace("</head>", head.replace("HOST", "127.0.0.1:9") + "</head>")
        page = page.replace("<p>Text.</p>", fragment.replace("HOST", "127.0.0.1:9"))
        jobs.append(dataclasses.replace(make_job(brief, page, settings), slug=case))
    remote: dict[str, RenderResult] = {}
    run_on_cluster(jobs, local_cluster.address, 60.0, lambda r: remote.setdefault(r.slug, r))
    for job in jobs:
        local = render_job(job)
        assert remote[job.slug].problems == local.problems, job.slug
        assert remote[job.slug].pdf == local.pdf, job.slug
    assert remote["allowed"].pdf is not None and remote["etc-passwd-img"].pdf is None


# -- the command line, the environment, versions -----------------------------------------

def _briefs(project_dir: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=project_dir, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_briefs_commands_render_on_the_cluster_of_the_flag_or_the_environment(
        cli_cluster: Cluster, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(TESTS)])}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    site = tmp_path / "p"
    assert _briefs(tmp_path, "init", str(site), env=env).returncode == 0
    (site / "briefs" / "example" / "img").mkdir()
    (site / "briefs" / "example" / "img" / "photo.png").write_bytes(_png((20, 90, 160)))
    example = (site / "briefs" / "example" / "example-brief.md").read_text(encoding="utf-8")
    (site / "briefs" / "example" / "example-photo.md").write_text(
        example.replace("An example brief", "A brief with a photograph").replace(
            "## Lessons", "![A photograph](img/photo.png)\n\n*The photograph.*\n\n## Lessons"),
        encoding="utf-8")

    before = cli_cluster.executed()
    done = _briefs(site, "validate", "--pdf", env={**env, "DASK_SCHEDULER_ADDRESS": cli_cluster.address})
    assert done.returncode == 0, done.stdout + done.stderr
    assert cli_cluster.executed() - before == 2

    shutil.rmtree(site / ".cache")
    before = cli_cluster.executed()
    # The flag wins over the environment (which names no scheduler at all here).
    done = _briefs(site, "build", "--scheduler", cli_cluster.address,
                   env={**env, "DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert cli_cluster.executed() - before == 2

    settings = dataclasses.replace(load_settings(site), cache_dir=str(tmp_path / "local-cache"))
    corpus, _ = load_corpus(settings.content_root, cwd=site)
    local = render_all(corpus, with_pdf(settings, scheduler="local"), tmp_path / "local")
    assert sorted(local.results) == ["example-brief", "example-photo"]
    for slug in local.results:
        assert (site / "site" / "pdf" / f"{slug}.pdf").read_bytes() == \
            (tmp_path / "local" / f"{slug}.pdf").read_bytes(), slug


@pytest.mark.slow
def test_a_worker_with_other_versions_is_refused_before_any_render(project: Project,
                                                                   tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(PROJECT_ROOT / "site_builder", other / "site_builder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "site_builder" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace(
        '__version__ = "0.1.0"', '__version__ = "0.0.9"'), encoding="utf-8")
    with dask_processes(tmp_path, 1, [other, TESTS]) as (address, _, _), \
            Client(address, set_as_default=False, timeout=60) as client:
        _wait_for(client, 1)
        [worker] = client.nthreads()
        settings = _settings(project, tmp_path, address)
        pattern = (rf"the Dask worker {re.escape(worker)} renders with other versions than this "
                   rf"machine.*country-briefs 0\.1\.0 here, 0\.0\.9 on {re.escape(worker)}")
        with pytest.raises(BriefsError, match=pattern):
            render_all(project.corpus, settings, None)
        assert not list((settings.cache_root / "pdf").glob("*.pdf"))
        assert sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values()) == 0


# -- quick: which scheduler, and bad addresses -------------------------------------------

def test_the_flag_beats_mkdocs_yml_which_beats_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - briefs:\n      pdf:\n"
                                         "        scheduler: tcp://from-yml:8786\n", encoding="utf-8")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://from-env:8786")
    settings = load_settings(tmp_path)
    assert settings.scheduler == "tcp://from-yml:8786"
    assert with_pdf(settings, scheduler="tcp://from-flag:1").scheduler == "tcp://from-flag:1"
    assert with_pdf(settings, scheduler="local").scheduler == ""
    assert Settings(project_dir=tmp_path).scheduler == "tcp://from-env:8786"
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    assert Settings(project_dir=tmp_path).scheduler == ""


def test_a_scheduler_that_is_not_text_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - briefs:\n      pdf:\n"
                                         "        scheduler: 8786\n", encoding="utf-8")
    with pytest.raises(BriefsError, match=r"briefs\.pdf\.scheduler must be a Dask scheduler's "
                                          r"address like tcp://HOST:8786 \(or 'local'\), not 8786"):
        load_settings(tmp_path)


def test_a_malformed_address_is_a_clear_error(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md")
    settings = with_pdf(Settings(project_dir=corpus.root.parent), scheduler="my-laptop")
    loaded, _ = load_corpus(settings.content_root, cwd=settings.project_dir)
    with pytest.raises(BriefsError, match=r"'my-laptop' is not a Dask scheduler's address like "
                                          r"tcp://HOST:8786"):
        render_all(loaded, settings, None)

