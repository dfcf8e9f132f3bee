"""A bounded pool of scoring processes, so one huge page never stalls the event loop or other requests.

The pool knows nothing of HTTP: it raises :class:`ScoringError` (busy, too slow, restarted) and the model's
:class:`~model.assessment.NotTextError`; the API turns them into problems."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from model.assessment import Assessor, NotTextError


class ScoringError(Exception):
    """The page could not be scored now; ``retry_after`` seconds is a fair wait before trying again."""

    kind = "scoring-unavailable"
    retry_after = 2


class QueueFull(ScoringError):
    kind = "queue-full"


class ScoringTimeout(ScoringError):
    kind = "scoring-timeout"
    retry_after = 5


class WorkersRestarted(ScoringError):
    kind = "scoring-unavailable"


STARTUP_SECONDS = 120.0  # longest a request waits for fresh workers to load the model
_assessor: Assessor | None = None


def _load(artifact_dir: str) -> None:
    """Worker initialiser: load (and verify) the artifact once per process."""
    global _assessor
    _assessor = Assessor.from_directory(Path(artifact_dir))


def assess_here(html: str | bytes) -> dict:
    """In a scoring worker: the page's assessment by the worker's own model. Page work that must stay out of the
    web process (such as a report's snapshot) runs in a function that calls this, handed to :meth:`ScoringPool.run`."""
    return _assessor.assess(html).to_dict()


def _call(work: Callable, args: tuple) -> tuple[str, object]:
    try:
        return "ok", work(*args)
    except NotTextError as exc:  # the page itself is refused: handed back as it is, to be raised in the caller
        return "refused", exc


def _stop(executor: ProcessPoolExecutor, wait: bool) -> None:
    """Kill an executor's worker processes (work in progress is abandoned) and shut it down."""
    for process in list(getattr(executor, "_processes", {}).values()):
        process.kill()
    executor.shutdown(wait=wait, cancel_futures=True)


class ScoringPool:
    """``workers`` processes and at most ``workers + queue_size`` pages in flight; beyond that, :class:`QueueFull`."""

    def __init__(self, artifact_dir: Path, workers: int, queue_size: int, timeout: float):
        self.artifact_dir = artifact_dir
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue_size)
        self.timeout = timeout
        self._in_flight = 0
        self._lock = threading.Lock()
        self._executor, self._ready = self._new_executor()

    def _new_executor(self) -> tuple[ProcessPoolExecutor, list[Future]]:
        """A fresh set of workers, each already loading its model (the futures finish once they have)."""
        executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_load, initargs=(str(self.artifact_dir),))
        return executor, [executor.submit(_call, assess_here, ("",)) for _ in range(self.workers)]

    def _replace_workers(self, old: ProcessPoolExecutor) -> None:
        """Stop every worker of ``old`` (one may still be busy with a page that took too long) and start fresh ones,
        unless that has been done already."""
        with self._lock:
            if self._executor is not old:
                return
            self._executor, self._ready = self._new_executor()
        _stop(old, wait=False)

    def warm_up(self) -> None:
        """Wait until every worker has loaded its model."""
        for future in self._ready:
            future.result()

    def state(self) -> str:
        """"ok", "busy" (the queue is full) or "unavailable" (the worker processes are gone)."""
        if getattr(self._executor, "_broken", False):
            return "unavailable"
        with self._lock:
            return "busy" if self._in_flight >= self.capacity else "ok"

    def close(self) -> None:
        """Stop every worker now (a page in progress is abandoned) and wait until they are gone: nothing outlives the
        server process."""
        _stop(self._executor, wait=True)

    def _release(self, _: Future) -> None:
        with self._lock:
            self._in_flight -= 1

    def submit(self, work: Callable, *args) -> Future:
        with self._lock:
            if self._in_flight >= self.capacity:
                raise QueueFull("The scoring queue is full; try again shortly.")
            self._in_flight += 1
        try:
            future = self._executor.submit(_call, work, args)
        except BrokenProcessPool:
            self._replace_workers(self._executor)
            future = self._executor.submit(_call, work, args)
        except BaseException:
            with self._lock:
                self._in_flight -= 1
            raise
        future.add_done_callback(self._release)
        return future

    async def assess(self, html: str | bytes) -> dict:
        """The page's assessment dict (``Assessment.to_dict()``)."""
        return await self.run(assess_here, html)

    async def run(self, work: Callable, *args):
        """``work(*args)`` in a scoring worker (``work`` a module-level function). Work that takes longer than
        ``timeout`` seconds (once the workers are ready) is stopped, with its worker: the workers are replaced, so it
        cannot hold up the pages after it."""
        try:
            await asyncio.wait_for(asyncio.gather(*map(asyncio.wrap_future, self._ready)), STARTUP_SECONDS)
        except (asyncio.TimeoutError, BrokenProcessPool):
            raise WorkersRestarted("The scoring workers are starting; try again.") from None
        future = self.submit(work, *args)
        executor = self._executor
        try:
            status, value = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            self._replace_workers(executor)
            raise ScoringTimeout(f"Scoring this page took longer than {self.timeout:g} seconds.") from None
        except BrokenProcessPool:
            self._replace_workers(executor)
            raise WorkersRestarted("The scoring workers restarted; try again.") from None
        if status == "refused":
            raise value
        return value
