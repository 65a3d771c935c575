"""Image operations of the :class:`~desktop.engine.client.Engine`: pull (a stream of progress),
remove, tag, inspect, history; each recorded in the command log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import docker
import docker.auth
import docker.errors
import requests

from desktop.engine import commands as cmd
from desktop.engine import i18n, transport
from desktop.engine.commandlog import Entry
from desktop.engine.core import EngineCore, _sentence
from desktop.engine.credentials import registry_of_image
from desktop.engine.errors import EngineError, ErrorKind, invalid, translate
from desktop.engine.payloads import (
    HistoryEntry,
    ImageInspect,
)
from desktop.engine.records import PullProgress
from desktop.engine.streams import StreamPump


class ImageCalls(EngineCore):
    # -- images -------------------------------------------------------------------
    def pull(self, reference: str) -> StreamPump[PullProgress]:
        """Pull ``reference``; iterate ``.items()`` for :class:`PullProgress` messages.

        Uses the saved login for the image's registry. Closing the pump cancels the
        pull. A failure reported inside the stream is raised as EngineError.
        """
        from desktop.engine.parsing import parse_image_reference

        ref = parse_image_reference(reference)
        tag_or_digest = ref.digest or ref.tag
        ended = self._stream_end(self.commands.begin(cmd.pull_args(reference), host=self.host))

        def opener(api: docker.APIClient) -> _PullMessages:
            # On the stream's thread: a credential helper may take a while (a keychain
            # prompt), and must not hold up the window.
            cred = self.credentials.get(registry_of_image(ref.name))
            auth = cred.auth_config() if cred else None
            headers = {"X-Registry-Auth": docker.auth.encode_header(auth)} if auth else {}
            try:
                response = transport.post_stream(api, "/images/create",
                                                 params={"fromImage": ref.name, "tag": tag_or_digest}, headers=headers)
            except Exception as exc:
                ended(translate(exc, what=f"image {reference}"))
                raise
            return _PullMessages(transport.json_messages(api, response), response, reference, ended)

        return self._stream(opener, what=f"image {reference}", name="berth-pull")

    @staticmethod
    def _stream_end(record: Entry) -> Callable[[BaseException | None], None]:
        """How a stream's thread finishes ``record``: on the event loop's thread (None:
        done; CANCELLED: cancelled; any other error: failed). The first end counts."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # made outside the loop (a script): told on the stream's thread
            loop = None

        def finish(error: BaseException | None) -> None:
            if error is None:
                record.done()
            elif isinstance(error, EngineError) and error.kind is ErrorKind.CANCELLED:
                record.cancelled()
            else:
                record.failed(_sentence(error))

        def ended(error: BaseException | None) -> None:
            if loop is None:
                finish(error)
                return
            try:
                loop.call_soon_threadsafe(finish, error)
            except RuntimeError:  # the loop closed meanwhile: nobody is left to tell
                pass
        return ended

    async def pull_all(self, reference: str, progress: Callable[[PullProgress], None] | None = None) -> None:
        pump = self.pull(reference)
        async for item in pump.items():
            if progress is not None:
                progress(item)

    async def remove_image(self, ident: str, *, force: bool = False) -> None:
        await self.logged(cmd.remove_image_args(ident, force=force),
                           self._api_call("remove_image", ident, force=force, what=f"image {ident}"))

    async def tag_image(self, ident: str, reference: str) -> None:
        from desktop.engine.parsing import parse_image_reference

        async def run() -> None:
            ref = parse_image_reference(reference)
            if ref.digest:
                raise invalid(i18n.translate("Engine", "A tag cannot contain a digest (@sha256:...)."))
            ok = await self._api_call("tag", ident, ref.name, ref.tag, what=f"image {ident}")
            if not ok:
                raise EngineError(ErrorKind.INTERNAL, i18n.translate(
                    "Engine", "The engine did not tag {ident} as {reference}.").format(
                        ident=ident, reference=reference))
        await self.logged(cmd.tag_args(ident, reference), run())

    async def inspect_image(self, ident: str) -> ImageInspect:
        info: ImageInspect = await self._api_call("inspect_image", ident, what=f"image {ident}")
        return info

    async def image_history(self, ident: str) -> list[HistoryEntry]:
        history: list[HistoryEntry] = await self._api_call("history", ident, what=f"image {ident}")
        return history


class _PullMessages:
    """Pull progress messages; an ``error`` message in the stream becomes EngineError."""

    def __init__(self, stream: Iterator[dict[str, object]], response: requests.Response, reference: str,
                 ended: Callable[[BaseException | None], None]) -> None:
        self._stream = stream
        self._response = response
        self._reference = reference
        self._ended = ended  # told how the pull ended, for the command log

    def __iter__(self) -> Iterator[PullProgress]:
        try:
            yield from self._messages()
        except BaseException as exc:
            self._ended(exc)
            raise
        self._ended(None)

    def _messages(self) -> Iterator[PullProgress]:
        for msg in self._stream:
            if "error" in msg:
                text = str(msg.get("error") or "")
                exc = docker.errors.APIError(text, explanation=text)
                err = translate(exc, what=self._reference)
                if err.kind is ErrorKind.INTERNAL and ("not found" in text.lower() or "does not exist" in text.lower()):
                    err = EngineError(ErrorKind.IMAGE_NOT_FOUND, i18n.translate(
                        "Engine", "The image {reference} was not found.").format(reference=self._reference), text)
                raise err
            yield PullProgress.from_api(msg)

    def close(self) -> None:
        self._ended(EngineError(ErrorKind.CANCELLED, "The pull was cancelled."))
        transport.shutdown_response(self._response)
