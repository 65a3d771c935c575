"""Checks of the project itself: what gets installed, and the Qt binding it runs on."""

from __future__ import annotations

import subprocess
import sys


def test_qt_binding_keeps_reference_counts():
    """PySide6 6.12.0 drops a reference to None or True on each signal emission and on
    many calls that return nothing; on Python 3.11 the interpreter aborts after a few
    thousand. The binding Berth runs on must not."""
    code = """
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(["check", "-platform", "offscreen"])
class A(QObject):
    s = Signal(object)
a, label = A(), QLabel()
image = QImage(8, 8, QImage.Format.Format_ARGB32)
painter = QPainter(image)
t, n = sys.getrefcount(True), sys.getrefcount(None)
for i in range(5000):
    a.s.emit(i)
    label.setText("x")
    label.setEnabled(True)
    painter.save()
    painter.restore()
painter.end()
print(sys.getrefcount(True) - t, sys.getrefcount(None) - n)
"""
    res = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, f"the Qt binding crashed the interpreter: {res.stderr[-500:]}"
    d_true, d_none = map(int, res.stdout.split())
    assert abs(d_true) < 100 and abs(d_none) < 100, (d_true, d_none)
