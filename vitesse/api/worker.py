"""Run the graph on an event loop of its own, in a thread, so the API's loop keeps answering.

Graph steps do CPU work between their awaits (parsing specs, scoring mappings, making synthetic
records). On the API's loop that work would hold up every request and stream for as long as a step
runs; on a second loop the interpreter switches threads every few milliseconds instead. The worker
opens its own database engine, checkpointer and compiled graph, since those are bound to the loop
that opened them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from vitesse.config import Settings

T = TypeVar("T")
START_TIMEOUT_S = 30.0


class RunWorker:
    """A thread with an event loop and the run-side resources: `graph`, `sessions`."""

    def __init__(self, settings: Settings, pool: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.pool = dict(pool or {})
        self.loop: asyncio.AbstractEventLoop | None = None
        self.graph: Any = None
        self.sessions: Any = None
        self._thread: threading.Thread | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    async def start(self) -> None:
        """Start the thread and open the engine, checkpointer and graph on its loop."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="vitesse-runs", daemon=True)
        self._thread.start()
        if not await asyncio.to_thread(ready.wait, START_TIMEOUT_S):
            raise RuntimeError("the run worker thread did not start")
        await self.call(self._open())

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _open(self) -> None:
        from vitesse.graph.graph import build_graph
        from vitesse.persistence import create_engine_from_settings, open_checkpointer, session_factory

        stack = contextlib.AsyncExitStack()
        engine = create_engine_from_settings(self.settings, **self.pool)
        stack.push_async_callback(engine.dispose)
        saver = await stack.enter_async_context(open_checkpointer(self.settings))
        self.sessions = session_factory(engine)
        self.graph = build_graph(checkpointer=saver)
        self._stack = stack

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule a coroutine on the worker's loop; the future can be cancelled from any thread."""
        assert self.loop is not None, "the worker is not started"
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the worker's loop and wait for its result from the caller's loop."""
        return await asyncio.wrap_future(self.submit(coro))

    async def stop(self) -> None:
        """Close the run-side resources and end the thread (runs must be cancelled first)."""
        if self.loop is None or self._thread is None:
            return
        if self._stack is not None:
            with contextlib.suppress(Exception):
                await self.call(self._stack.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self._thread.join, START_TIMEOUT_S)
        self.loop = self._thread = None
