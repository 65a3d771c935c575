"""The layers Berth is built in, checked on every import in the source (at the top of a
module or inside a function, TYPE_CHECKING ones too):

- ``desktop.engine`` imports no Qt and nothing of ``desktop.ui`` (tests/engine/test_boundary.py
  also checks that importing it loads no Qt);
- ``desktop.ui.common`` (what every feature uses) imports no feature and not the shell;
- a feature folder of ``desktop.ui`` (containers, images, logs, files, registry, …) imports
  the engine, ``desktop.ui.common`` and itself — never another feature or the shell: what
  two features share belongs in common or in the engine;
- only ``desktop.ui.shell`` (the window) puts the features together;
- no class in ``desktop`` is longer than :data:`MAX_CLASS_LINES` (a class that grows past
  it is doing more than one thing a user sees).
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


#: the longest a class of desktop/ may be, from its ``class`` line to its last line
MAX_CLASS_LINES = 400
#: classes longer than that when the limit came, each at most as long as it was then,
#: until it is split: an entry may shrink or go, never grow
OVER_THE_LIMIT = {
    "desktop/ui/files/copy.py:CopyDialog": 429,
}


def class_lengths(root: Path) -> dict[str, int]:
    """Every class under ``root/desktop`` as ``path:Qualified.Name`` and its length in lines."""
    lengths: dict[str, int] = {}
    for path in sorted((root / "desktop").rglob("*.py")):
        rel = path.relative_to(root).as_posix()

        def visit(node: ast.AST, prefix: str, rel: str = rel) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    name = prefix + child.name
                    lengths[f"{rel}:{name}"] = (child.end_lineno or child.lineno) - child.lineno + 1
                    visit(child, name + ".")
                else:
                    visit(child, prefix)
        visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "")
    return lengths


def too_long(root: Path) -> list[str]:
    return [f"{where}: {lines} lines, over {OVER_THE_LIMIT.get(where, MAX_CLASS_LINES)}"
            for where, lines in class_lengths(root).items()
            if lines > OVER_THE_LIMIT.get(where, MAX_CLASS_LINES)]


def test_no_class_is_longer_than_the_limit():
    assert too_long(ROOT) == []


def test_the_length_check_sees_a_long_class(tmp_path, monkeypatch):
    """The rule is not vacuous: a class one line over is caught, one at the limit is not,
    nested classes are measured too; a listed class may be as long as its entry, not longer."""
    (tmp_path / "desktop" / "ui").mkdir(parents=True)
    body = "    x = 1\n"
    (tmp_path / "desktop" / "ui" / "big.py").write_text(
        "class AtLimit:\n" + body * (MAX_CLASS_LINES - 1)
        + "class Outer:\n    class Inner:\n" + "        x = 1\n" * MAX_CLASS_LINES)
    assert class_lengths(tmp_path)["desktop/ui/big.py:AtLimit"] == MAX_CLASS_LINES
    assert too_long(tmp_path) == [
        f"desktop/ui/big.py:Outer: {MAX_CLASS_LINES + 2} lines, over {MAX_CLASS_LINES}",
        f"desktop/ui/big.py:Outer.Inner: {MAX_CLASS_LINES + 1} lines, over {MAX_CLASS_LINES}",
    ]
    monkeypatch.setitem(OVER_THE_LIMIT, "desktop/ui/big.py:Outer", MAX_CLASS_LINES + 2)
    monkeypatch.setitem(OVER_THE_LIMIT, "desktop/ui/big.py:Outer.Inner", MAX_CLASS_LINES)
    assert too_long(tmp_path) == [f"desktop/ui/big.py:Outer.Inner: {MAX_CLASS_LINES + 1} lines, over {MAX_CLASS_LINES}"]
