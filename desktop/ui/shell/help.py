"""Help ▸ Getting Started and Help ▸ Keyboard Shortcuts: the README's first steps, and
every action's shortcut read from the window's own actions (never a list kept by hand)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GETTING_STARTED = """
<h2>Getting started</h2>
<p>Berth does with the mouse what the <tt>docker</tt> command does, and shows the same lists.</p>
<ol>
<li><b>Log in</b> to a registry: <i>File ▸ Log In…</i> (<tt>docker login</tt>). The status bar then says
where you are logged in.</li>
<li><b>Pull</b> an image: <i>Pull…</i>, for example <tt>docker/whalesay</tt> (<tt>docker pull</tt>).
Without a tag, <tt>latest</tt> is pulled. The <b>Images</b> tab lists what you have
(<tt>docker images</tt>).</li>
<li><b>Run</b> a container: <i>Run…</i>, choose the image, give it a name and a command, as
<tt>cowsay hello</tt> (<tt>docker run -d --name NAME IMAGE COMMAND</tt>). The dialog shows the
equivalent command as you type. <i>Run</i> without starting is <tt>docker create</tt>.</li>
<li>The <b>Containers</b> tab is <tt>docker ps -a</tt>, kept up to date by itself. Double-click a row for
its log.</li>
<li><b>Rename</b> a container: select it and press F2 (<tt>docker rename</tt>).</li>
<li><b>Remove</b> a container: Delete (<tt>docker rm</tt>; a running one is force-removed,
<tt>docker rm -f</tt>, after you confirm). On the Images tab, Delete removes an image
(<tt>docker rmi</tt>).</li>
<li>A <b>web server</b>: run <tt>httpd</tt> with the port mapping <tt>818:80</tt> — the host's port 818
reaches the container's port 80 (<tt>docker run -d -p 818:80 httpd</tt>). Click the address in its
PORTS cell to open it in the browser.</li>
<li><b>Copy a folder in</b>: drop it from the file manager on the container's row, or use
<i>Container ▸ Copy Into</i> (<tt>docker cp ./site NAME:/usr/local/apache2/htdocs/</tt>).</li>
</ol>
<p>The filter above the list narrows it: words, or <tt>status:running</tt>, <tt>port:818</tt>
(its tooltip lists them all).</p>
"""


def _browser_dialog(parent: QWidget, name: str, title: str, html: str) -> QDialog:
    dlg = QDialog(parent)
    dlg.setObjectName(name)
    dlg.setWindowTitle(title)
    text = QTextBrowser(dlg)
    text.setObjectName(f"{name}Text")
    text.setOpenExternalLinks(True)
    text.setHtml(html)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.reject)
    lay = QVBoxLayout(dlg)
    lay.addWidget(text)
    lay.addWidget(buttons)
    dlg.resize(620, 560)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg


def show_getting_started(parent: QWidget) -> QDialog:
    return _browser_dialog(parent, "gettingStarted", "Getting Started with Berth", GETTING_STARTED)


def shortcuts_html(actions: list[QAction]) -> str:
    rows = []
    seen: set[tuple[str, str]] = set()
    for a in actions:
        keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        text = a.text().replace("&", "").rstrip("…")
        if not keys or (text, keys) in seen:
            continue
        seen.add((text, keys))
        rows.append(f"<tr><td>{escape(text)}</td><td><b>{escape(keys)}</b></td>"
                    f"<td>{escape(a.statusTip())}</td></tr>")
    return ("<h2>Keyboard shortcuts</h2><table cellpadding='4'>"
            "<tr><th align='left'>Action</th><th align='left'>Keys</th><th align='left'></th></tr>"
            + "".join(rows) + "</table>")


def show_shortcuts(window: QWidget) -> QDialog:
    """Every action of ``window`` that has a shortcut, as the window has it now."""
    return _browser_dialog(window, "shortcutsDialog", "Keyboard Shortcuts", shortcuts_html(window.actions()))
