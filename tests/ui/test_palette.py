"""The palette: every text colour keeps 4.5:1 (WCAG 2) against what it is drawn on, in
light and dark system palettes; marks that are not text keep 3:1; and no colour is
named anywhere under desktop/ui but in palette.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QStyleFactory

from desktop.ui.common import palette
from desktop.ui.common.palette import GRAPHIC_CONTRAST, TEXT_CONTRAST, Status, Tone, contrast_of
from tests.ui.conftest import fusion_palette

UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"


def scheme(window: str, window_text: str, base: str, text: str) -> QPalette:
    pal = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, window_text),
                         (QPalette.ColorRole.Base, base), (QPalette.ColorRole.Text, text),
                         (QPalette.ColorRole.Button, window), (QPalette.ColorRole.ButtonText, window_text)):
        pal.setColor(role, QColor(colour))
    return pal


def fusion(qapp) -> QPalette:
    return QStyleFactory.create("Fusion").standardPalette()


# (name, make the palette, dark?): the usual light and dark windows, from white to the
# greyest light one, and from near black to the lightest dark one (#3c3f41); and two
# beyond them, on which the chosen hues fall short and are made readable.
SCHEMES = [
    ("Fusion light", fusion, False),
    ("Qt's Fusion dark", lambda _app: fusion_palette(True), True),
    ("white", lambda _app: scheme("#ffffff", "#1d1d1f", "#ffffff", "#1d1d1f"), False),
    ("grey light", lambda _app: scheme("#e6e6e6", "#202020", "#f8f8f8", "#202020"), False),
    ("dark", lambda _app: scheme("#353535", "#ffffff", "#2a2a2a", "#ffffff"), True),
    ("near black", lambda _app: scheme("#202020", "#f0f0f0", "#1c1c1c", "#f0f0f0"), True),
    ("light dark", lambda _app: scheme("#3c3f41", "#bbbbbb", "#2b2b2b", "#bbbbbb"), True),
    ("mid grey light", lambda _app: scheme("#c8c8c8", "#000000", "#d0d0d0", "#000000"), False),
    ("mid grey dark", lambda _app: scheme("#4a4a4a", "#ffffff", "#505050", "#ffffff"), True),
]


@pytest.fixture(params=SCHEMES, ids=[s[0] for s in SCHEMES])
def system(request, qapp) -> tuple[QPalette, bool]:
    _name, make, dark = request.param
    return make(qapp), dark


def test_every_text_colour_reads_at_4_5_to_1(system):
    pal, dark = system
    assert palette.is_dark(pal) is dark
    window = pal.color(QPalette.ColorRole.Window)
    pairs = [(f"tone {t.name}", palette.tone(t, pal), window) for t in Tone]
    pairs += [(f"status {k.name}", palette.status(k, pal), window) for k in Status]
    pairs.append(("muted", palette.muted(pal), window))
    # The log pane draws its own text on its own rows, light or dark with the window.
    log = palette.log_colors(pal)
    assert log == palette.log_colors(fusion_palette(dark))
    for bg_name in ("base", "stderr_row", "selection", "current"):
        bg = getattr(log, bg_name)
        pairs += [(f"log text on {bg_name}", log.text, bg), (f"log stderr text on {bg_name}", log.stderr_text, bg)]
    pairs += [("log dim on base", log.dim, log.base), ("log dim on stderr_row", log.dim, log.stderr_row)]
    too_low = {name: round(contrast_of(fg, bg), 2) for name, fg, bg in pairs if contrast_of(fg, bg) < TEXT_CONTRAST}
    assert not too_low
    assert len(pairs) == len(Tone) + len(Status) + 1 + 10


def test_a_container_states_dot_stands_out_from_the_list_at_3_to_1(system):
    pal, _dark = system
    base = pal.color(QPalette.ColorRole.Base)
    states = ("running", "paused", "restarting", "exited", "created", "dead", "removing", "something new")
    too_low = {s: round(contrast_of(palette.state_color(s, pal), base), 2) for s in states
               if contrast_of(palette.state_color(s, pal), base) < GRAPHIC_CONTRAST}
    assert not too_low
    assert palette.state_color("running", pal) != palette.state_color("dead", pal)


def test_roles_are_chosen_for_the_scheme(qapp):
    light, dark = fusion(qapp), scheme("#353535", "#ffffff", "#2a2a2a", "#ffffff")
    for kind in Status:
        assert palette.status(kind, light).lightness() < palette.status(kind, dark).lightness(), kind
    for kind in (Tone.ERROR, Tone.WARNING, Tone.OK):
        assert palette.tone(kind, light).lightness() < palette.tone(kind, dark).lightness(), kind
    # a note is the window's own text colour
    assert palette.tone(Tone.NOTE, dark) == dark.color(QPalette.ColorRole.WindowText)
    # what was drawn before on every window: the dark scheme's green, 2.3:1 on a light window
    assert contrast_of(QColor("#2fb36b"), light.color(QPalette.ColorRole.Window)) < TEXT_CONTRAST


def test_without_a_palette_the_applications_is_used(qapp):
    before = qapp.palette()
    dark = scheme("#202020", "#f0f0f0", "#1c1c1c", "#f0f0f0")
    try:
        qapp.setPalette(dark)
        assert palette.is_dark()
        assert palette.status(Status.OK) == palette.status(Status.OK, dark)
        assert palette.state_color("exited") == palette.state_color("exited", dark)
    finally:
        qapp.setPalette(before)
    assert palette.status(Status.OK) == palette.status(Status.OK, before)


def test_a_colour_is_changed_only_as_far_as_it_must_be():
    white, navy = QColor("#ffffff"), QColor("#2c4a6e")
    assert palette.readable_on(QColor("#1b1d21"), white) == QColor("#1b1d21")  # readable already
    lighter = palette.readable_on(QColor("#7d828c"), navy)
    assert contrast_of(lighter, navy) >= TEXT_CONTRAST > contrast_of(QColor("#7d828c"), navy)
    assert palette.over(QColor(220, 60, 60, 0), navy) == navy
    assert palette.over(QColor(220, 60, 60, 255), navy) == QColor(220, 60, 60)


# -- no colour named outside the palette ------------------------------------------------------
HEX = re.compile(r"(?<![\w&])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
CSS_NAMED = re.compile(r"\b(?:color|background(?:-color)?|border(?:-color)?)\s*:[^;{}]*?"
                       r"\b(?:red|green|blue|yellow|orange|black|white|gr[ae]y|purple|cyan|magenta|pink)\b")
CSS_NUMERIC = re.compile(r"\brgba?\(\s*\d")
#: Qt's named colours that are not a colour: filling a pixmap with nothing.
NOT_A_COLOUR = {"transparent"}
QT_COLOURS = {"white", "black", "red", "darkRed", "green", "darkGreen", "blue", "darkBlue", "cyan", "darkCyan",
              "magenta", "darkMagenta", "yellow", "darkYellow", "gray", "darkGray", "lightGray", "color0", "color1"}


def colour_literals(source: str) -> list[str]:
    """The colours ``source`` names itself: ``#rrggbb`` (and ``#rgb``, ``#aarrggbb``) in
    strings, ``QColor`` made from literals, Qt's named colours, CSS colour names and
    ``rgb()`` with numbers in style sheets."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += HEX.findall(node.value) + CSS_NAMED.findall(node.value) + CSS_NUMERIC.findall(node.value)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            made = name == "QColor" or (isinstance(owner, ast.Name) and owner.id == "QColor"
                                        and name.startswith("from"))
            if made and any(isinstance(a, ast.Constant) for a in node.args):
                found.append(ast.unparse(node))
        elif isinstance(node, ast.Attribute):
            value = node.value
            global_colour = isinstance(value, ast.Attribute) and value.attr == "GlobalColor"
            bare_qt = isinstance(value, ast.Name) and value.id == "Qt" and node.attr in QT_COLOURS
            if (global_colour or bare_qt) and node.attr not in NOT_A_COLOUR:
                found.append(ast.unparse(node))
    return found


def test_the_scan_finds_every_kind_of_colour_literal():
    named = [
        'x = "#c0392b"', 'x = "#fff"', "x = f'color: #2e9d57;'", 'QColor("#8a8f98")', "QColor(220, 60, 60, 28)",
        'QColor.fromRgb(1, 2, 3)', "QColor(Qt.GlobalColor.red)", "p.setPen(Qt.red)",
        'w.setStyleSheet("QLineEdit { border: 1px solid red; }")', 'w.setStyleSheet("background: rgb(1, 2, 3)")',
    ]
    assert [src for src in named if not colour_literals(src)] == []
    not_named = [
        'pm.fill(Qt.GlobalColor.transparent)', "QColor(*rgb)", "QColor(fg)", 'x = "#dropHighlight { border: 0 }"',
        'x = "background: palette(mid);"', "x = f'rgba({hl.red()},{hl.green()},{hl.blue()},40)'",
        "# a comment about #c0392b", 'x = "a pull of #12345 layers"',
    ]
    assert [src for src in not_named if colour_literals(src)] == []


def test_no_colour_is_named_outside_the_palette():
    files = sorted(p for p in UI.rglob("*.py") if p.name != "palette.py" or p.parent.name != "common")
    assert len(files) > 20 and UI / "logs" / "view.py" in files
    named = {str(p.relative_to(UI)): colour_literals(p.read_text(encoding="utf-8")) for p in files}
    assert {path: found for path, found in named.items() if found} == {}
    assert colour_literals((UI / "common" / "palette.py").read_text(encoding="utf-8"))  # they are all here


def test_hints_in_empty_fields_are_readable(qapp):
    """Qt's placeholder is the text at half opacity (about 4:1 on white): Berth's is 4.5:1."""
    from PySide6.QtGui import QPalette

    from desktop.ui.common.palette import contrast_of, over, with_readable_hints

    for window_colour in ("#ffffff", "#efefef", "#2b2b2b", "#000000"):
        base = QPalette(window_colour)
        fixed = with_readable_hints(base)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            field = fixed.color(group, QPalette.ColorRole.Base)
            hint = over(fixed.color(group, QPalette.ColorRole.PlaceholderText), field)
            assert contrast_of(hint, field) >= 4.5, (window_colour, hint.name(), field.name())
    plain = QPalette("#ffffff")
    shown = over(plain.color(QPalette.ColorRole.PlaceholderText), plain.color(QPalette.ColorRole.Base))
    assert contrast_of(shown, plain.color(QPalette.ColorRole.Base)) < 4.5  # what Qt gives by itself


def test_a_note_after_an_error_is_in_the_text_colour(qapp):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QLineEdit

    from desktop.ui.common.widgets import FieldMessage

    field = QLineEdit()
    message = FieldMessage("m", field)
    message.error("wrong")
    red = message.palette().color(QPalette.ColorRole.WindowText)
    message.note("No tag given: latest will be pulled.")
    shown = message.palette().color(QPalette.ColorRole.WindowText)
    assert shown != red
    assert shown == palette.tone(palette.Tone.NOTE, QApplication.palette(message))
