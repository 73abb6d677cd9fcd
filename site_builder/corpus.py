"""Load every brief of a content folder into a :class:`Corpus`, validating as it goes.

Gather first: read all files, then run the checks that need the whole corpus (duplicate
slugs, ``translation_of``, links between briefs), and only then hand out the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from site_builder import frontmatter, inputs, vocab_files
from site_builder.body_checks import BodyContext, BriefLink, check_body
from site_builder.check_cache import BodyCheckCache
from site_builder.findings import Finding, Severity, sort_findings
from site_builder.model import Brief, BriefDate, Corpus
from site_builder.validate import Vocabulary, check_front_matter, check_slug
from site_builder.vocabulary import get_country

MAX_FILE_BYTES = 1_000_000
THEMES_FILE = "themes.yml"
REGIONS_FILE = "regions.yml"


def _shown(path: Path, cwd: Path) -> str:
    """Return the path as users see it: relative to the working directory when inside it."""
    text, prefix = str(path), str(cwd).rstrip("/") + "/"
    if text.startswith(prefix):
        return text[len(prefix):]
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        rel = os.path.relpath(path, cwd)
        return path.as_posix() if rel.startswith("../../..") else rel


def discover(root: Path) -> list[Path]:
    """Return the brief files under ``root``: every ``*.md``, skipping names starting with _ or ."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        found.extend(Path(folder) / f for f in sorted(files)
                     if f.endswith(".md") and not f.startswith(("_", ".")))
    return found


def _usable(paths: list[Path], cwd: Path) -> tuple[list[Path], list[Finding]]:
    """Keep the discovered paths that are regular files (links followed); report the rest:
    FIFOs, sockets and devices are skipped with a warning (never opened), links that loop
    or point nowhere are errors at their path."""
    kept: list[Path] = []
    findings: list[Finding] = []
    for path in paths:
        try:
            inputs.check_regular(path)
        except inputs.InputFileError as exc:
            findings.append(exc.brief_finding(_shown(path, cwd)))
            continue
        kept.append(path)
    return kept, findings


# -- vocabularies ----------------------------------------------------------------

def load_vocabulary(root: Path, cwd: Path) -> tuple[Vocabulary, list[Finding]]:
    """Read ``themes.yml`` (required) and ``regions.yml`` (optional) of a content folder.

    Every problem is a finding at its line and column (see :mod:`site_builder.vocab_files`);
    a wrong entry is left out, the others are kept.
    """
    findings: list[Finding] = []
    tables: dict[str, dict[str, Any]] = {"theme": {}, "region": {}}
    for file_name, kind in ((THEMES_FILE, "theme"), (REGIONS_FILE, "region")):
        path = root / file_name
        shown = _shown(path, cwd)
        if not os.path.lexists(path):
            if kind == "theme":
                findings.append(Finding(shown, 1, 1, f"vocabulary file {shown} is missing: "
                                        "create it as a YAML list of entries with 'id' and "
                                        "'title'", "missing-vocabulary"))
            continue
        for entry, (line, col) in vocab_files.read_entries(path, shown, kind, findings):
            if entry.id in tables["theme"] or entry.id in tables["region"]:
                findings.append(Finding(shown, line, col, f"duplicate id '{entry.id}'",
                                        "bad-vocabulary"))
                continue
            tables[kind][entry.id] = entry
    return Vocabulary(tables["theme"], tables["region"]), findings


# -- briefs ----------------------------------------------------------------------

def _read_text(path: Path, shown: str, root: Path) -> tuple[str | None, list[Finding]]:
    # os.walk does not descend into linked folders, so only the file itself can be a link.
    real = path
    if path.is_symlink():
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a loop or a dangling link made since discovery
            real = path
        if not real.is_relative_to(root):
            return None, [Finding(shown, 1, 1, "this file is a link to a file outside the "
                                  "content folder: copy the brief in instead", "link-outside")]
    try:
        raw = inputs.read_bytes(real, MAX_FILE_BYTES, checked=True)  # by _usable
    except inputs.InputFileError as exc:
        return None, [exc.brief_finding(shown)]
    if len(raw) > MAX_FILE_BYTES:
        size = os.path.getsize(real)
        return None, [Finding(shown, 1, 1, f"file is {size / 1e6:.1f} MB; a brief may be at most "
                              f"{MAX_FILE_BYTES / 1e6:.0f} MB: move data out of it", "too-large")]
    text, problem = inputs.decode_utf8(raw)
    if problem is not None:
        return None, [Finding(shown, *problem, "not-utf8")]
    return text, []


def load_brief(path: Path, root: Path, vocab: Vocabulary, cwd: Path,
               cache: BodyCheckCache | None = None
               ) -> tuple[Brief | None, list[Finding], list[BriefLink]]:
    """Read and check one brief file; the Brief is None when it has errors (``cache``:
    where the body's rendered check is remembered)."""
    shown = _shown(path, cwd)
    slug = path.stem
    findings = check_slug(slug, shown)
    text, read_findings = _read_text(path, shown, root)
    findings += read_findings
    if text is None:
        return None, findings, []
    fm, parse_findings = frontmatter.parse(text, shown)
    findings += parse_findings
    fields: dict[str, Any] = {}
    if fm.ok:
        fields, field_findings = check_front_matter(fm, shown, vocab)
        findings += field_findings
    body_findings, links = check_body(fm.body, BodyContext(shown, path, root, fm.body_line,
                                                         cache))
    findings += body_findings
    if not fm.ok or any(f.severity is Severity.ERROR for f in findings):
        return None, findings, links
    return _resolved(fields, slug, path, shown, root, fm, vocab), findings, links


def _resolved(fields: dict[str, Any], slug: str, path: Path, shown: str, root: Path,
              fm: frontmatter.FrontMatter, vocab: Vocabulary) -> Brief:
    """Return the brief of checked fields, its codes and ids resolved to objects."""
    plain = {k: v for k, v in fields.items()
             if k not in ("series", "countries", "themes", "regions", "date")}
    return Brief(slug=slug, path=path, rel_path=shown, root=root, body=fm.body,
                 body_line=fm.body_line,
                 series=" / ".join(fields["series"]) if "series" in fields else None,
                 countries=tuple(get_country(code) for code in fields["countries"]),
                 themes=tuple(vocab.themes[t] for t in fields["themes"]),
                 regions=tuple(vocab.regions[r] for r in fields.get("regions", ())),
                 date=BriefDate.parse(fields["date"]), **plain)


PARALLEL_THRESHOLD = 2000
"""Corpora at least this large are read by one worker process per core."""


def _load_chunk(args: tuple[list[Path], Path, Vocabulary, Path, BodyCheckCache | None]
                ) -> list[tuple[Brief | None, list[Finding], list[BriefLink]]]:
    paths, root, vocab, cwd, cache = args
    return [load_brief(path, root, vocab, cwd, cache) for path in paths]


def _load_all(paths: list[Path], root: Path, vocab: Vocabulary, cwd: Path,
              cache: BodyCheckCache | None = None
              ) -> list[tuple[Brief | None, list[Finding], list[BriefLink]]]:
    """Load every brief, in parallel for large corpora (fork is cheap; only when safe)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return _load_chunk((paths, root, vocab, cwd, cache))
    # The parent reads its own share while the workers read theirs: no core sits idle.
    size = -(-len(paths) // workers)
    chunks = [(paths[i:i + size], root, vocab, cwd, cache) for i in range(0, len(paths), size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(len(chunks) - 1) as pool:
        pending = pool.map_async(_load_chunk, chunks[1:])
        results = _load_chunk(chunks[0])
        for chunk in pending.get():
            results.extend(chunk)
    return results


Loader = Callable[[list[Path], Path, Vocabulary, Path, BodyCheckCache | None],
                  list[tuple[Brief | None, list[Finding], list[BriefLink]]]]
"""Loads brief files: :func:`_load_all`, or the preview's, which reuses unchanged files'."""


def load_corpus(root: Path, cwd: Path | None = None, cache_dir: Path | None = None, *,
                loader: Loader | None = None) -> tuple[Corpus, list[Finding]]:
    """Load and validate every brief under ``root``; return the valid ones and all findings.

    ``cache_dir``: a folder of the project's cache where each body's rendered check is
    remembered (see :mod:`site_builder.check_cache`); ``loader`` reads the brief files
    (``briefs serve`` passes one that remembers them).
    """
    cwd = (cwd or Path.cwd()).resolve()
    root = root.resolve()
    if not root.is_dir():
        shown = _shown(root, cwd)
        return Corpus(root=root), [Finding(shown, 1, 1, f"content folder {shown} not found: run "
                                           "from the project root or pass the folder",
                                           "no-content")]
    vocab, findings = load_vocabulary(root, cwd)
    cache = BodyCheckCache(cache_dir) if cache_dir is not None else None
    paths, skipped = _usable(discover(root), cwd)
    findings += skipped
    corpus = Corpus(root=root, themes=vocab.themes, regions=vocab.regions, n_files=len(paths))
    first_by_slug: dict[str, str] = {}
    slug_of_path: dict[Path, str] = {}
    all_links: list[tuple[str, BriefLink]] = []
    loaded = (loader or _load_all)(paths, root, vocab, cwd, cache)
    for path, (brief, brief_findings, links) in zip(paths, loaded, strict=True):
        findings += brief_findings
        shown = brief.rel_path if brief else _shown(path, cwd)
        all_links += [(shown, link) for link in links]
        slug_of_path[path.resolve() if path.is_symlink() else path] = path.stem
        if path.stem in first_by_slug:
            findings.append(Finding(shown, 1, 1, f"duplicate slug '{path.stem}': "
                                    f"{first_by_slug[path.stem]} has the same file name; "
                                    "rename one", "duplicate-slug"))
            continue
        first_by_slug[path.stem] = shown
        if brief is not None:
            corpus.briefs.append(brief)
    corpus.briefs.sort(key=lambda b: b.slug)
    findings += _cross_checks(corpus, first_by_slug, slug_of_path, all_links, paths)
    bad = {f.path for f in findings if f.severity is Severity.ERROR}
    corpus.briefs = [b for b in corpus.briefs if b.rel_path not in bad]
    return corpus, sort_findings(findings)


def _cross_checks(corpus: Corpus, first_by_slug: dict[str, str], slug_of_path: dict[Path, str],
                  links: list[tuple[str, BriefLink]], paths: list[Path]) -> list[Finding]:
    findings: list[Finding] = []
    for brief in corpus.briefs:
        target = brief.translation_of
        if target is None:
            continue
        line = _field_line(brief, "translation_of")
        if target == brief.slug:
            findings.append(Finding(brief.rel_path, line, 1, "'translation_of' names the brief "
                                    "itself: give the slug of the original", "bad-translation"))
        elif target not in first_by_slug:
            from site_builder.vocabulary import close_match
            hint = close_match(target, list(first_by_slug))
            findings.append(Finding(brief.rel_path, line, 1, f"'translation_of' points to "
                                    f"'{target}', which is not a brief"
                                    + (f" (did you mean '{hint}'?)" if hint else ""),
                                    "bad-translation"))
    findings += _translation_cycles(corpus)
    for shown, link in links:
        if link.target not in slug_of_path:
            findings.append(Finding(shown, link.line, link.col, f"link '{link.text}' points to a "
                                    "Markdown file that is not a brief", "broken-link"))
    return findings


def _translation_cycles(corpus: Corpus) -> list[Finding]:
    """Report every brief on a ``translation_of`` cycle (a -> b -> a, or longer), at its field.

    The original of a translation must be a brief that is not itself, through a chain, a
    translation of its own translation.
    """
    original = {b.slug: b.translation_of for b in corpus.briefs
                if b.translation_of and b.translation_of != b.slug}
    by_slug = {b.slug: b for b in corpus.briefs}
    findings: list[Finding] = []
    done: set[str] = set()
    for start in original:
        chain: list[str] = []
        slug: str | None = start
        while slug in original and slug not in done and slug not in chain:
            chain.append(slug)
            slug = original[slug]
        done.update(chain)
        if slug not in chain:
            continue
        cycle = chain[chain.index(slug):]
        for member in cycle:
            turn = cycle[cycle.index(member):] + cycle[:cycle.index(member)] + [member]
            brief = by_slug[member]
            findings.append(Finding(brief.rel_path, _field_line(brief, "translation_of"), 1,
                                    f"'translation_of' goes round in a circle ("
                                    f"{' -> '.join(turn)}): the original brief must not be a "
                                    "translation", "bad-translation"))
    return findings


def _field_line(brief: Brief, field_name: str) -> int:
    """Find the line of a front-matter field (for findings raised after parsing)."""
    for number, line in enumerate(brief.path.read_text(encoding="utf-8-sig").split("\n"), 1):
        if line.startswith(f"{field_name}:"):
            return number
    return 1
