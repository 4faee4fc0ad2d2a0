"""Read the next page while the current one is delivered (one page ahead, never more)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, TypeVar

T = TypeVar("T")
_END = object()


async def prefetch(source: AsyncGenerator[T, None]) -> AsyncIterator[T]:
    """Yield the items of `source`, fetching the next one in the background; errors surface in order."""
    queue: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue(maxsize=1)

    async def produce() -> None:
        try:
            async for item in source:
                await queue.put((item, None))
        except Exception as exc:  # handed to the consumer, raised where the page would have been
            await queue.put((_END, exc))
            return
        await queue.put((_END, None))

    task = asyncio.create_task(produce())
    try:
        while True:
            item, error = await queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await source.aclose()
