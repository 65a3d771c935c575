"""Following a pull: per-layer state, the overall fraction, and the one loop that reads a
pull's messages for every place that pulls (the pull dialog, the run dialog)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from desktop.engine.records import PullProgress
from desktop.engine.streams import StreamPump

_DONE = ("pull complete", "already exists")
_DOWNLOADED = ("download complete", "verifying checksum")
_LAYER_STATUSES = ("pulling fs layer", "waiting", "downloading", "extracting", "retrying", *_DONE, *_DOWNLOADED)


class PullTracker:
    """Per-layer state of a pull, and the pull's overall fraction (0 to 1).

    A layer counts half for its download and half for its extraction; a layer that
    already exists counts as done. ``None`` from :attr:`fraction` means "not known yet".
    """

    def __init__(self) -> None:
        self.layers: dict[str, tuple[str, float]] = {}  # id -> (status, layer fraction)
        self.status = ""

    def feed(self, p: PullProgress) -> str | None:
        """Take one message; return the layer id it was about, or None."""
        low = p.status.lower()
        if not p.layer or not low.startswith(_LAYER_STATUSES):
            if p.status:
                self.status = p.status
            return None
        if low.startswith(_DONE):
            fraction = 1.0
        elif low.startswith("downloading"):
            fraction = 0.5 * (p.current / p.total) if p.total else 0.0
        elif low.startswith(_DOWNLOADED):
            fraction = 0.5
        elif low.startswith("extracting"):
            fraction = 0.5 + 0.5 * (p.current / p.total) if p.total else 0.5
        else:
            fraction = self.layers.get(p.layer, ("", 0.0))[1]
        self.layers[p.layer] = (p.status, min(max(fraction, 0.0), 1.0))
        return p.layer

    @property
    def fraction(self) -> float | None:
        if not self.layers:
            return None
        return sum(f for _, f in self.layers.values()) / len(self.layers)


class Puller(Protocol):
    def pull(self, reference: str) -> StreamPump[PullProgress]: ...


#: what a pull's follower is told after each batch: the tracker, and each message of
#: the batch with the layer it was about (None for a message about the whole image)
OnBatch = Callable[[PullTracker, list[tuple[PullProgress, str | None]]], None]


async def follow_pull(engine: Puller, reference: str, on_batch: OnBatch) -> PullTracker:
    """Pull ``reference`` to the end, telling ``on_batch`` how it goes; a refusal is raised
    as EngineError, and cancelling the caller closes the pull."""
    tracker = PullTracker()
    async for batch in engine.pull(reference).batches():
        on_batch(tracker, [(p, tracker.feed(p)) for p in batch])
    return tracker
