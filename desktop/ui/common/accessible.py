"""Names a screen reader says for buttons that show only an icon: their tooltip (which
says what they do), or, for the buttons Qt makes itself (a field's clear button, a tab's
close button, the tool bar's overflow), a name of ours. Applied to every button of a
window as it is first shown (:class:`IconNames`), so panels and dialogs made later are
named too."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QToolButton, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("Accessible", text)


def _qt_names() -> dict[str, str]:
    """Qt's own icon-only buttons, by object name (else class name)."""
    return {"qt_toolbar_ext_button": _tr("More tool bar actions"),
            "qt_menubar_ext_button": _tr("More menus"),
            "qt_tableview_cornerbutton": _tr("Select all rows"),
            "CloseButton": _tr("Close the tab"),
            "QLineEditIconButton": _tr("Clear the text")}


def name_button(button: QAbstractButton) -> None:
    """Give ``button`` an accessible name if it has neither one nor text (and its menu
    the same title, which a screen reader says as it opens)."""
    name = button.accessibleName() or button.text().replace("&", "").strip()
    if not name:
        qt = _qt_names()
        name = qt.get(button.objectName()) or qt.get(button.metaObject().className(), "")
        if not name:
            name = button.toolTip().split("\n")[0].split(" (")[0].strip()  # "Refresh (F5)" says Refresh
        if name:
            button.setAccessibleName(name)
    menu = button.menu() if isinstance(button, QToolButton) else None
    if name and menu is not None and not menu.title():
        menu.setTitle(name)


def name_clear_action(edit: QLineEdit) -> None:
    clear = edit.findChild(QAction, "_q_qlineeditclearaction")
    if clear is not None and not clear.text():
        clear.setText(_tr("Clear the text"))


def name_all(root: QWidget) -> None:
    for button in root.findChildren(QAbstractButton):
        name_button(button)
    for edit in root.findChildren(QLineEdit):
        name_clear_action(edit)


class IconNames(QObject):
    """Names the buttons of every widget as it is first shown (installed on the application)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            name_all(watched)
        elif event.type() == QEvent.Type.Polish:
            if isinstance(watched, QAbstractButton):
                name_button(watched)
            elif isinstance(watched, QLineEdit):
                name_clear_action(watched)
        return False
