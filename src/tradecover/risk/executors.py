"""Executors for the Monte Carlo engine: in process, or on a Dask cluster given its scheduler address.

Each chunk's random streams depend on the seed and scenario indices only, and results are reduced in
item order, so every executor gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import distributed

from tradecover.risk.execution import Executor, InProcessExecutor, Progress

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Result = TypeVar("Result")

__all__ = ["DaskExecutor", "Executor", "InProcessExecutor"]


class DaskExecutor:
    """Runs the chunks as tasks on a Dask cluster through ``distributed.Client``.

    Parameters
    ----------
    scheduler_address : str, optional
        e.g. ``"tcp://10.0.0.5:8786"``; the executor opens (and :meth:`close` closes) a client to it.
    client : distributed.Client, optional
        An existing client to use instead (for example one on a ``LocalCluster``); it is not closed.
    """

    def __init__(
        self, scheduler_address: str | None = None, *, client: distributed.Client | None = None
    ) -> None:
        """Connect to ``scheduler_address`` or use ``client`` (exactly one of them)."""
        if (scheduler_address is None) == (client is None):
            raise ValueError("give either a scheduler address or a client")
        self._owns_client = client is None
        if client is not None:
            self.client = client
            return
        try:
            # distributed ships no type hints.
            self.client = distributed.Client(scheduler_address, timeout=10)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler_address}: {exc}") from exc

    def map(
        self,
        function: Callable[[Shared, Item], Result],
        shared: Shared,
        items: Sequence[Item],
        progress: Progress | None = None,
    ) -> list[Result]:
        """Scatter ``shared`` to every worker once, submit one task per item, gather in item order."""
        [shared_future] = self.client.scatter([shared], broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        futures = [self.client.submit(function, shared_future, item, pure=False) for item in items]
        if progress is not None:
            for _ in distributed.as_completed(futures):  # type: ignore[no-untyped-call]
                progress(1)
        results: list[Result] = self.client.gather(futures)  # type: ignore[no-untyped-call]
        return results

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._owns_client:
            self.client.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> DaskExecutor:
        """Use as a context manager that closes its own client."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on leaving the block."""
        self.close()
