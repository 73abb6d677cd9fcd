"""Steps run one after another on a background thread; each step's result awaited when needed.

A site build starts its PDFs, then its packs, on a thread while MkDocs converts the pages
on the main one, and collects each result only where a page needs it. A step that fails
fails the steps after it with the same exception, which :meth:`Stages.result` raises in
the thread that asks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from site_builder.findings import BriefsError

Step = Callable[[Mapping[str, Any]], Any]
"""A step: given the results of the steps before it (by name), return its own."""


class StagesCancelled(BriefsError):
    """The steps were cancelled before this one ran."""


class Stages:
    """Run named steps in order on a daemon thread (started by :meth:`start`)."""

    def __init__(self, steps: Sequence[tuple[str, Step]],
                 on_cancel: Callable[[], None] = lambda: None) -> None:
        self._steps = list(steps)
        self._futures: dict[str, Future[Any]] = {name: Future() for name, _ in self._steps}
        self._on_cancel = on_cancel
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="briefs-downloads", daemon=True)

    def start(self, inline: bool = False) -> Stages:
        """Start the thread (``inline``: run every step here, now, instead); return self."""
        if inline:
            self._run()
        else:
            self._thread.start()
        return self

    def result(self, name: str) -> Any:
        """Wait for step ``name``; return its result or raise what failed it (or a step before)."""
        return self._futures[name].result()

    def done(self, name: str) -> bool:
        """Tell whether step ``name`` has finished (well or not)."""
        return self._futures[name].done()

    def cancel(self, wait: float = 10.0) -> None:
        """Stop: no further step starts, ``on_cancel`` stops the running one; wait for the thread."""
        self._cancelled.set()
        self._on_cancel()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(wait)

    def _run(self) -> None:
        made: dict[str, Any] = {}
        for number, (name, step) in enumerate(self._steps):
            try:
                if self._cancelled.is_set():
                    raise StagesCancelled(f"cancelled before {name}")
                made[name] = step(made)
            except BaseException as exc:  # handed to whoever waits for this step or a later one
                for later, _ in self._steps[number:]:
                    self._futures[later].set_exception(exc)
                return
            self._futures[name].set_result(made[name])
