"""Every colour Berth paints, by what it is for, for light and dark system palettes.

A role has one colour for a light window and one for a dark window (told apart by the
lightness of the palette's Window colour); the one chosen is then made readable on
what it is drawn on with :func:`~desktop.engine.logbuffer.readable`, so whatever the
system's palette:

- text keeps :data:`TEXT_CONTRAST` (4.5:1, WCAG 2 level AA) against its background:
  :func:`tone` (a message), :func:`status` (an indicator's words), :func:`muted`;
- a mark that is not text (a container state's dot, :func:`state_color`) keeps
  :data:`GRAPHIC_CONTRAST` (3:1, WCAG 2.1 non-text contrast) against the list's Base.

The log pane (:func:`log_colors`) has colours of its own, light or dark with the
window: its text colours keep 4.5:1 on each of its row backgrounds; the colours a
program chose keep the 3:1 of :data:`~desktop.engine.logbuffer.MIN_CONTRAST`, made
darker (on the light pane) or lighter (on the dark one) only where they lack it —
xterm's white and bright yellow, written for a dark terminal, are darkened on the light
pane.

Light and dark follow the system live (:class:`Scheme`): the system says so through
Qt's style hints (``colorSchemeChanged``) and the palette it gives the application;
every role here is chosen by the palette the window is actually drawn with, so it is
readable even under a style that keeps a light window in a dark system. Whatever paints
one of these colours listens to :func:`scheme` and resolves it again on ``changed``.

No other module names a colour: a test fails on a colour literal under desktop/ui
anywhere but here.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from desktop.engine.logbuffer import contrast, readable, rgb_of
from desktop.engine.states import State

#: The least contrast of text against its background (WCAG 2, level AA).
TEXT_CONTRAST = 4.5
#: The least contrast of a mark that is not text against its background (WCAG 2.1, 1.4.11).
GRAPHIC_CONTRAST = 3.0

RGB = tuple[int, int, int]


class Tone(enum.Enum):
    """What a message is: its text colour says it."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # the normal text colour
    OK = "ok"      # done, as asked


class Status(enum.Enum):
    """What a live indicator says: the engine's connection, a log's stream."""

    NEUTRAL = "neutral"  # nothing to tell (connecting, starting, the container removed)
    OK = "ok"            # live, connected
    WAITING = "waiting"  # it will go on by itself (stopped, catching up, held)
    ERROR = "error"      # it cannot go on until something changes


@dataclass(frozen=True)
class _Hue:
    light: str  # for a light window
    dark: str   # for a dark window


# Text hues: 4.5:1 already on the usual windows (#e6e6e6 to white; #3c3f41 to #1e1e1e).
_RED = _Hue("#b3261e", "#ff8a80")
_AMBER = _Hue("#8a5300", "#ffcc80")
_GREEN = _Hue("#1c7531", "#81c995")
_GREY = _Hue("#5f6368", "#a9aeb3")
# Dot hues: 3:1 already on the usual list backgrounds.
_DOT_GREEN = _Hue("#298d4e", "#4cc27a")
_DOT_AMBER = _Hue("#a77500", "#e0a526")
_DOT_GREY = _Hue("#7c8189", "#8a8f98")
_DOT_BLUE = _Hue("#4a7fd0", "#6f9fe8")
_DOT_RED = _Hue("#c0392b", "#e5584a")

_TONES = {Tone.ERROR: _RED, Tone.WARNING: _AMBER, Tone.OK: _GREEN}
_STATUSES = {Status.NEUTRAL: _GREY, Status.OK: _GREEN, Status.WAITING: _AMBER, Status.ERROR: _RED}
#: A container state's dot (State.UNKNOWN is grey).
_STATES = {
    State.RUNNING: _DOT_GREEN,
    State.PAUSED: _DOT_AMBER,
    State.RESTARTING: _DOT_AMBER,
    State.EXITED: _DOT_GREY,
    State.CREATED: _DOT_BLUE,
    State.DEAD: _DOT_RED,
    State.REMOVING: _DOT_RED,
}


# -- colour arithmetic ---------------------------------------------------------------------
def rgb(color: QColor) -> RGB:
    return color.red(), color.green(), color.blue()


def contrast_of(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    return contrast(rgb(a), rgb(b))


def readable_on(fg: QColor, bg: QColor, ratio: float = TEXT_CONTRAST) -> QColor:
    """``fg``, or as little lighter (or darker) as it takes to reach ``ratio`` on ``bg``."""
    better = _readable(rgb(fg), rgb(bg), ratio)
    return fg if better == rgb(fg) else QColor(*better)


@functools.lru_cache(maxsize=512)
def _readable(fg: RGB, bg: RGB, ratio: float) -> RGB:
    return readable(fg, bg, ratio)


def over(top: QColor, under: QColor) -> QColor:
    """``top`` (translucent) painted over ``under``."""
    a = top.alphaF()
    return QColor(*(round(t + (u - t) * (1 - a)) for t, u in zip(rgb(top), rgb(under), strict=True)))


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) is a dark scheme."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _pick(hue: _Hue, palette: QPalette | None, role: QPalette.ColorRole, ratio: float) -> QColor:
    palette = palette or QGuiApplication.palette()
    chosen = QColor(hue.dark if is_dark(palette) else hue.light)
    return readable_on(chosen, palette.color(role), ratio)


# -- the window's roles ------------------------------------------------------------------------
def tone(kind: Tone, palette: QPalette | None = None) -> QColor:
    """The text colour of a message of ``kind``, on the window."""
    palette = palette or QGuiApplication.palette()
    hue = _TONES.get(kind)
    if hue is None:  # a note: the window's own text colour
        return readable_on(palette.color(QPalette.ColorRole.WindowText),
                           palette.color(QPalette.ColorRole.Window))
    return _pick(hue, palette, QPalette.ColorRole.Window, TEXT_CONTRAST)


def status(kind: Status, palette: QPalette | None = None) -> QColor:
    """The colour of an indicator's words (and its dot) on the window."""
    return _pick(_STATUSES[kind], palette, QPalette.ColorRole.Window, TEXT_CONTRAST)


def muted(palette: QPalette | None = None) -> QColor:
    """Secondary text on the window: a count, a preview of what will happen."""
    return _pick(_GREY, palette, QPalette.ColorRole.Window, TEXT_CONTRAST)


def state_color(state: State, palette: QPalette | None = None) -> QColor:
    """The dot of a container in ``state``, on the list."""
    return _pick(_STATES.get(state, _DOT_GREY), palette, QPalette.ColorRole.Base, GRAPHIC_CONTRAST)


# -- the log pane -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogColors:
    """The log pane's colours. Text is drawn in ``text`` (``stderr_text`` on a stderr
    row) on one of the row backgrounds: ``base``, ``stderr_row``, ``selection``,
    ``current`` (the match gone to); timestamps and notes in ``dim``."""

    base: QColor
    text: QColor
    dim: QColor
    selection: QColor
    current: QColor
    stderr_bg: QColor    # translucent, over the row
    stderr_row: QColor   # what a stderr row's text is drawn on
    stderr_mark: QColor  # the gutter of a stderr row
    stdout_mark: QColor  # the gutter of a stdout row
    stderr_text: QColor
    match_bg: QColor
    match_current_bg: QColor

    def row_backgrounds(self) -> tuple[QColor, ...]:
        """What a row's text can be drawn on (a match's colour aside: text on a match
        is made readable where it is drawn)."""
        return self.base, self.stderr_row, self.selection, self.current


def _log_colors(dark: bool) -> LogColors:
    if dark:
        base = QColor("#1b1d21")
        stderr_bg = QColor(220, 60, 60, 28)
        return LogColors(
            base=base,
            text=QColor("#d5d8de"),
            dim=QColor("#868b95"),  # 4.9:1 on the base; made lighter on a selected row
            selection=QColor("#2c4a6e"),
            current=QColor("#3a3f4a"),
            stderr_bg=stderr_bg,
            stderr_row=over(stderr_bg, base),
            stderr_mark=QColor("#e0565b"),
            stdout_mark=QColor("#3d424b"),
            stderr_text=QColor("#f0b4b4"),
            match_bg=QColor("#6b5a17"),
            match_current_bg=QColor("#d99a1e"),
        )
    base = QColor("#fcfcfd")
    stderr_bg = QColor(220, 60, 60, 22)
    return LogColors(
        base=base,
        text=QColor("#1f2328"),
        dim=QColor("#646a73"),  # 5.4:1 on the base; made darker on a selected row
        selection=QColor("#c9dcf3"),
        current=QColor("#e4e7ec"),
        stderr_bg=stderr_bg,
        stderr_row=over(stderr_bg, base),
        stderr_mark=QColor("#d0434a"),
        stdout_mark=QColor("#d3d6db"),
        stderr_text=QColor("#9b1c22"),
        match_bg=QColor("#f6e3a1"),
        match_current_bg=QColor("#f0a732"),
    )


_LOG = {False: _log_colors(False), True: _log_colors(True)}


def log_colors(palette: QPalette | None = None) -> LogColors:
    """The log pane's colours for ``palette`` (the application's by default): light on
    a light window, dark on a dark one."""
    return _LOG[is_dark(palette)]


def ansi(value: int) -> QColor:
    """The colour a program asked for with an ANSI escape (palette index or true colour)."""
    return QColor(*rgb_of(value))


def with_readable_hints(palette: QPalette) -> QPalette:
    """``palette`` with placeholder text (the grey hint in an empty field) opaque and at
    4.5:1 against the field. Qt draws it as the text colour at half opacity, which on a
    white field is about 4:1; that is where the hint starts from here too (not from the
    palette's placeholder, which after a change of scheme is still the old scheme's)."""
    result = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        base = palette.color(group, QPalette.ColorRole.Base)
        half = QColor(palette.color(group, QPalette.ColorRole.Text))
        half.setAlpha(128)
        shown = over(half, base)
        result.setColor(group, QPalette.ColorRole.PlaceholderText, readable_on(shown, base))
    return result


# -- following the system -------------------------------------------------------------------
class Scheme(QObject):
    """The system's light or dark scheme, followed live.

    The platform tells a change of scheme twice: it gives the application the new
    scheme's palette (an ``ApplicationPaletteChange``) and the style hints emit
    ``colorSchemeChanged``. Either way the hints in empty fields are made readable on
    the new palette, and ``changed`` is emitted once the roles of this module resolve
    to the new colours (once for one change, however it was told).
    """

    changed = Signal()

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self._app = app
        self._shown: QPalette | None = None
        app.styleHints().colorSchemeChanged.connect(self._update)
        app.installEventFilter(self)
        self._update()

    @property
    def dark(self) -> bool:
        """Whether the window is drawn dark now."""
        return is_dark(self._app.palette())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._app and event.type() == QEvent.Type.ApplicationPaletteChange:
            self._update()
        return False

    def _update(self, *_scheme: object) -> None:
        pal = self._app.palette()
        fixed = with_readable_hints(pal)
        if fixed != pal:
            self._app.setPalette(fixed)  # comes back here through ApplicationPaletteChange
            return
        if self._shown is not None and pal == self._shown:
            return  # told twice, or a scheme that leaves the palette as it was
        first = self._shown is None
        self._shown = QPalette(pal)
        if not first:
            self.changed.emit()


@functools.cache
def scheme() -> Scheme:
    """The application's :class:`Scheme`, made on first use (after the QApplication
    exists): connect to ``changed`` to resolve again what you painted with these colours."""
    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication), "the palette follows a QGuiApplication"
    return Scheme(app)
