"""A bounded pool of scoring processes, so one huge page never stalls the event loop or other requests.

The pool knows nothing of HTTP: it raises :class:`ScoringError` (busy, too slow, restarted) and the model's
:class:`~model.assessment.NotTextError`; the API turns them into problems."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
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


_assessor: Assessor | None = None


def _load(artifact_dir: str) -> None:
    """Worker initialiser: load (and verify) the artifact once per process."""
    global _assessor
    _assessor = Assessor.from_directory(Path(artifact_dir))


def _score(html: str | bytes) -> tuple[str, object]:
    try:
        return "ok", _assessor.assess(html).to_dict()
    except NotTextError as exc:
        return "not_text", str(exc)


class ScoringPool:
    """``workers`` processes and at most ``workers + queue_size`` pages in flight; beyond that, :class:`QueueFull`."""

    def __init__(self, artifact_dir: Path, workers: int, queue_size: int, timeout: float):
        self.artifact_dir = artifact_dir
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue_size)
        self.timeout = timeout
        self._in_flight = 0
        self._lock = threading.Lock()
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_load, initargs=(str(self.artifact_dir),))

    def warm_up(self) -> None:
        """Start every worker and load its model before the first request."""
        for future in [self._executor.submit(_score, "") for _ in range(self.workers)]:
            future.result()

    def state(self) -> str:
        """"ok", "busy" (the queue is full) or "unavailable" (the worker processes are gone)."""
        if getattr(self._executor, "_broken", False):
            return "unavailable"
        with self._lock:
            return "busy" if self._in_flight >= self.capacity else "ok"

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _release(self, _: Future) -> None:
        with self._lock:
            self._in_flight -= 1

    def submit(self, html: str | bytes) -> Future:
        with self._lock:
            if self._in_flight >= self.capacity:
                raise QueueFull("The scoring queue is full; try again shortly.")
            self._in_flight += 1
        try:
            future = self._executor.submit(_score, html)
        except BrokenProcessPool:
            self._executor = self._new_executor()
            future = self._executor.submit(_score, html)
        except BaseException:
            with self._lock:
                self._in_flight -= 1
            raise
        future.add_done_callback(self._release)
        return future

    async def assess(self, html: str | bytes) -> dict:
        """The page's assessment dict (``Assessment.to_dict()``)."""
        future = self.submit(html)
        try:
            status, value = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except asyncio.TimeoutError:
            raise ScoringTimeout(f"Scoring this page took longer than {self.timeout:g} seconds.") from None
        except BrokenProcessPool:
            self._executor = self._new_executor()
            raise WorkersRestarted("The scoring workers restarted; try again.") from None
        if status == "not_text":
            raise NotTextError(value)
        return value
