"""The asyncio API over the docker SDK: :class:`Engine`, one connection to one engine.

Every blocking SDK call runs on an executor that the :class:`Engine` owns and shuts
down in :meth:`Engine.close`; streams run on threads of their own (see
:mod:`desktop.engine.streams`). Lists come from the list endpoints only: one request
lists every container, and no container is inspected to build a list.

The engine is written by kind of operation, as docker-py's own ``APIClient`` is:
:mod:`~desktop.engine.core` (the connection, calls, streams, lists, events, logs and the
command log), :mod:`~desktop.engine.container_calls`, :mod:`~desktop.engine.image_calls`,
:mod:`~desktop.engine.registry_calls` and :mod:`~desktop.engine.file_calls`.
"""

from __future__ import annotations

from desktop.engine.container_calls import ContainerCalls
from desktop.engine.core import list_contexts, resolve_host
from desktop.engine.file_calls import FileCalls
from desktop.engine.image_calls import ImageCalls
from desktop.engine.registry_calls import RegistryCalls

__all__ = ["Engine", "list_contexts", "resolve_host"]


class Engine(ContainerCalls, ImageCalls, RegistryCalls, FileCalls):
    """One connection to one Docker engine, with every operation Berth performs on it."""
