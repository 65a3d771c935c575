"""The layers Berth is built in, checked on every import in the source (at the top of a
module or inside a function, TYPE_CHECKING ones too):

- ``desktop.engine`` imports no Qt and nothing of ``desktop.ui`` (tests/engine/test_boundary.py
  also checks that importing it loads no Qt);
- ``desktop.ui.common`` (what every feature uses) imports no feature and not the shell;
- a feature folder of ``desktop.ui`` (containers, images, logs, files, registry, …) imports
  the engine, ``desktop.ui.common`` and itself — never another feature or the shell: what
  two features share belongs in common or in the engine;
- only ``desktop.ui.shell`` (the window) puts the features together.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "desktop" / "ui"


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.append(node.module)
    return names


def ui_part(module: str) -> str | None:
    """``containers`` for ``desktop.ui.containers.model``; None outside desktop.ui."""
    parts = module.split(".")
    return parts[2] if parts[:2] == ["desktop", "ui"] and len(parts) > 2 else None


def features() -> list[str]:
    return sorted(p.name for p in UI.iterdir() if (p / "__init__.py").exists() and p.name not in ("common", "shell"))


def offences() -> list[str]:
    found = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        rel = path.relative_to(ROOT)
        own = ui_part(".".join(rel.with_suffix("").parts))
        for name in imports(path):
            target = ui_part(name)
            top = name.split(".")[0]
            if rel.parts[1] == "engine":
                if top in ("PySide6", "shiboken6", "qasync") or name.startswith("desktop.ui"):
                    found.append(f"{rel}: the engine layer imports {name}")
            elif own == "common" and target not in (None, "common"):
                found.append(f"{rel}: common imports the {target} part")
            elif own not in (None, "common", "shell") and target not in (None, "common", own):
                found.append(f"{rel}: the {own} feature imports {name}")
    return found


def test_the_layers_hold():
    assert offences() == []


def test_the_check_sees_an_offence(tmp_path, monkeypatch):
    """The rule is not vacuous: a feature importing another feature is caught."""
    assert "containers" in features() and "images" in features()
    fake = tmp_path / "desktop" / "ui" / "images"
    fake.mkdir(parents=True)
    (tmp_path / "desktop" / "engine").mkdir()
    (fake / "x.py").write_text("from desktop.ui.containers.model import Column\n")
    (tmp_path / "desktop" / "engine" / "y.py").write_text("def f():\n    from PySide6 import QtCore\n")
    import sys

    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    got = offences()
    assert got == ["desktop/engine/y.py: the engine layer imports PySide6",
                   "desktop/ui/images/x.py: the images feature imports desktop.ui.containers.model"]
