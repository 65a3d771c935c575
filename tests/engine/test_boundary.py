"""The engine layer is Qt-free: it imports no PySide6, directly or through another module."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import desktop.engine

ENGINE_DIR = Path(desktop.engine.__file__).parent
QT_MODULES = ("PySide6", "shiboken6")


def engine_modules() -> list[str]:
    return sorted(f"desktop.engine.{m.name}" for m in pkgutil.iter_modules([str(ENGINE_DIR)]))


def test_the_engine_layer_has_its_modules():
    mods = engine_modules()
    for expected in ("client", "errors", "records", "streams", "credentials", "logstream"):
        assert f"desktop.engine.{expected}" in mods


def test_importing_every_engine_module_loads_no_qt():
    mods = engine_modules()
    code = (
        "import importlib, json, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in "
        f"{QT_MODULES!r})))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60,
                         cwd=ENGINE_DIR.parent.parent)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1]) == []


def _imported_names(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", ""))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)):
            names.append(str(node.args[0].value))
    return names


def test_no_engine_source_file_imports_qt():
    offenders = []
    files = sorted(ENGINE_DIR.rglob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _imported_names(tree):
            if name.split(".")[0] in QT_MODULES or name.startswith("desktop.ui") or name == "qasync":
                offenders.append(f"{path.relative_to(ENGINE_DIR.parent.parent)}: {name}")
    assert offenders == []
