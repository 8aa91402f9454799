"""The executor interface of the Monte Carlo engine, and the in-process executor (no Dask needed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[int], None]


class Executor(Protocol):
    """Runs ``function(shared, item)`` for every item and returns the results in item order."""

    def map(
        self,
        function: Callable[[Shared, Item], Result],
        shared: Shared,
        items: Sequence[Item],
        progress: Progress | None = None,
    ) -> list[Result]:
        """Apply ``function`` to each item (``shared`` sent once); ``progress(1)`` as each item is done."""
        ...


class InProcessExecutor:
    """Runs the chunks in this process: one after another, or on ``workers`` threads.

    The compiled kernels release the GIL, so threads run them in parallel.
    """

    def __init__(self, workers: int = 1) -> None:
        """Use ``workers`` threads (1: run in the calling thread)."""
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers

    def map(
        self,
        function: Callable[[Shared, Item], Result],
        shared: Shared,
        items: Sequence[Item],
        progress: Progress | None = None,
    ) -> list[Result]:
        """Apply ``function(shared, item)`` to each item; results in item order."""

        def one(item: Item) -> Result:
            result = function(shared, item)
            if progress is not None:
                progress(1)
            return result

        if self.workers == 1:
            return [one(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(one, items))
