"""The PORTS cell as a link: a published web port is underlined in the link colour, the
pointer becomes a hand over it, and a click opens the page (a menu when there are several)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from desktop.engine.addresses import port_url, web_ports
from desktop.engine.records import Container, Port
from desktop.ui.common.table_model import Role
from desktop.ui.containers.model import Column


class PortsLink(QStyledItemDelegate):
    """Delegate of the PORTS column and the click on it. ``host()`` is the engine's
    address (a remote engine's pages are on its host); ``open(container, port)`` opens one."""

    def __init__(self, view: QTableView, host: Callable[[], str],
                 open_port: Callable[[Container, Port], object]) -> None:
        super().__init__(view)
        self.view = view
        self._host = host
        self._open = open_port
        self.menu: QMenu | None = None
        self._opened: tuple[str, float] = ("", 0.0)  # what was opened last, and when
        view.setItemDelegateForColumn(Column.PORTS, self)
        view.viewport().installEventFilter(self)

    def _ports_at(self, index: QModelIndex | QPersistentModelIndex) -> tuple[Container | None, list[Port]]:
        if not index.isValid() or index.column() != Column.PORTS:
            return None, []
        c: Container | None = index.data(Role.Record)
        return c, web_ports(c.ports) if c is not None else []

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if self._ports_at(index)[1]:
            option.font.setUnderline(True)
            link = option.palette.color(QPalette.ColorRole.Link)
            option.palette.setColor(QPalette.ColorRole.Text, link)
            option.palette.setColor(QPalette.ColorRole.WindowText, link)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            assert isinstance(event, QMouseEvent)
            over_link = bool(self._ports_at(self.view.indexAt(event.position().toPoint()))[1])
            vp = self.view.viewport()
            if over_link:
                vp.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                vp.unsetCursor()
        elif kind == QEvent.Type.MouseButtonRelease:
            assert isinstance(event, QMouseEvent)
            if event.button() == Qt.MouseButton.LeftButton and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                c, ports = self._ports_at(self.view.indexAt(event.position().toPoint()))
                if c is not None and ports:
                    self.open(c, ports, event.globalPosition().toPoint())
        return False

    def open_first(self, c: Container) -> bool:
        """The double-click on the cell: open its page unless its click just did."""
        ports = web_ports(c.ports)
        if ports:
            self.open(c, ports)
        return bool(ports)

    def open(self, c: Container, ports: list[Port], where: object = None) -> None:
        """Open the page behind the one published web port, or offer them all. A click
        and the double-click it was part of open it once."""
        now = time.monotonic()
        last, at = self._opened
        if last == c.id and now - at < QApplication.doubleClickInterval() / 1000:
            return
        self._opened = (c.id, now)
        if len(ports) == 1:
            self._open(c, ports[0])
            return
        menu = QMenu(self.view)
        menu.setObjectName("portsMenu")
        for p in ports:
            def open_this(p: Port = p) -> None:  # bound now, not when clicked
                self._open(c, p)
            menu.addAction(f"{port_url(self._host(), p)}  → {p.private_port}/{p.type}", open_this)
        self.menu = menu
        menu.popup(where if where is not None else self.view.mapToGlobal(self.view.rect().center()))  # type: ignore[arg-type]
