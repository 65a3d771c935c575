"""The one route for failures a user should see.

Everything goes through :func:`report`: it logs the failure and shows it — in the
status bar for light ones, in a (window-modal, non-blocking) message box with the
engine's own text under "Show Details" for the rest. ``sys.excepthook`` is installed
to the same place (qasync's ``asyncSlot`` reports there), so an unexpected exception
is shown as a sentence, with the traceback only as a detail.
"""

from __future__ import annotations

import functools
import sys
import traceback
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from desktop import log
from desktop.engine.errors import EngineError, ErrorKind, translate


@dataclass(frozen=True)
class Offer:
    """A way out the message offers: a button that does ``act()``."""

    label: str
    act: Callable[[], object]
    name: str = ""  # the button's object name


@dataclass(frozen=True)
class Shown:
    message: str
    detail: str
    kind: ErrorKind | None
    serious: bool
    offers: tuple[Offer, ...] = ()


class ErrorRoute(QObject):
    """Where failures go. ``shown`` fires for every report (tests and the log panel)."""

    shown = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._window: QMainWindow | None = None
        self.history: list[Shown] = []
        self._box: QMessageBox | None = None

    def attach(self, window: QMainWindow | None) -> None:
        self._window = window

    def report(self, error: BaseException | str, *, context: str = "", serious: bool | None = None,
               parent: QWidget | None = None, offers: Sequence[Offer] = ()) -> Shown:
        if isinstance(error, str):
            message, detail, kind = error, "", None
        else:
            if isinstance(error, EngineError):
                err = error
            elif isinstance(error, (OSError, ValueError)) and not isinstance(error, ConnectionError):
                err = EngineError(ErrorKind.INTERNAL, str(error) or type(error).__name__, repr(error))
            else:
                err = translate(error)
            message, detail, kind = err.message, err.detail, err.kind
            if kind is ErrorKind.INTERNAL and not isinstance(error, EngineError):
                detail = "".join(traceback.format_exception(error))
        if context:
            message = f"{context}: {message}"
        if serious is None:
            serious = kind is not ErrorKind.CANCELLED
        shown = Shown(message, detail, kind, serious or bool(offers), tuple(offers))
        self.history.append(shown)
        del self.history[:-200]
        # What a user can cause and mend (a taken name, a wrong password) is no fault of Berth's.
        level = log.ui.error if kind in (None, ErrorKind.INTERNAL) and serious else log.ui.warning
        level("%s%s", message, f" ({detail.splitlines()[0]})" if detail else "")
        self._show(shown, parent)
        self.shown.emit(shown)
        return shown

    def _show(self, shown: Shown, parent: QWidget | None) -> None:
        window = self._window
        if window is not None and not shiboken6.isValid(window):  # the window was deleted
            window = self._window = None
        if window is not None and window.statusBar() is not None:
            window.statusBar().showMessage(shown.message, 15_000)
        if not shown.serious:
            return
        owner = parent or window
        if owner is None:
            return
        if not shown.offers and self._join_open_box(shown):
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Berth", shown.message,
                          QMessageBox.StandardButton.Cancel if shown.offers else QMessageBox.StandardButton.Ok, owner)
        box.setObjectName("errorBox")
        for offer in shown.offers:  # never the default: Enter and Esc take no way out by accident
            button = box.addButton(offer.label, QMessageBox.ButtonRole.ActionRole)
            button.setObjectName(offer.name or "offerButton")
            button.clicked.connect(offer.act)
        if shown.offers:
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        if shown.detail:
            box.setDetailedText(shown.detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not shown.offers:
            self._box = box  # a box with offers is about one thing: nothing joins it
        box.open()

    def _join_open_box(self, shown: Shown) -> bool:
        """One box at a time: a failure while one is open is added to it (twenty failed
        removals make one box of twenty lines, not twenty boxes)."""
        box = self._box
        try:
            if box is None or not box.isVisible():
                return False
        except RuntimeError:  # deleted when it was closed
            self._box = None
            return False
        lines = box.text().split("\n")
        if len(lines) < 12:
            box.setText("\n".join([*lines, shown.message]))
        elif not lines[-1].startswith("…"):
            box.setText("\n".join([*lines, "… and more (see the log)"]))
        if shown.detail:
            box.setDetailedText(f"{box.detailedText()}\n\n{shown.detail}".strip())
        return True

    def last(self) -> Shown | None:
        return self.history[-1] if self.history else None


@functools.cache
def get_route() -> ErrorRoute:
    """The one route, made on first use (after the QApplication exists)."""
    return ErrorRoute()


def report(error: BaseException | str, *, context: str = "", serious: bool | None = None,
           parent: QWidget | None = None, offers: Sequence[Offer] = ()) -> Shown:
    """Show ``error`` to the user (and log it). The one function for that. ``offers`` are
    ways out shown as buttons beside Cancel (the box is then shown whatever ``serious``)."""
    return get_route().report(error, context=context, serious=serious, parent=parent, offers=offers)


def install_excepthook() -> Callable[[type[BaseException], BaseException, types.TracebackType | None], object]:
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: types.TracebackType | None) -> None:
        if exc_type is KeyboardInterrupt:
            previous(exc_type, exc, tb)
            return
        log.ui.error("unhandled exception", exc_info=(exc_type, exc, tb))
        try:
            report(exc, context="Something went wrong", serious=True)
        except Exception:  # the route itself failed: fall back to the default hook
            previous(exc_type, exc, tb)

    sys.excepthook = hook
    return previous
