"""Modules put off until first use (:func:`desktop.engine.platform.defer_import`)."""

from __future__ import annotations

import inspect
import sys
import textwrap
import uuid

import pytest

from desktop.engine.platform import DeferredModule, defer_import


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package of its own name that says (in a file) each time its code runs."""
    name = f"deferred_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    root.mkdir()
    ran = tmp_path / "ran"
    (root / "__init__.py").write_text(textwrap.dedent(f"""
        with open({str(ran)!r}, "a") as f:
            f.write("package\\n")
        ANSWER = 42
    """))
    (root / "part.py").write_text("WHAT = 'part'\n")
    (root / "broken.py").write_text("raise ImportError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, ran
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def test_a_deferred_module_runs_when_a_name_of_it_is_used(package):
    name, ran = package
    assert defer_import(name) is True
    stand_in = __import__(name)
    assert isinstance(stand_in, DeferredModule) and not ran.exists()
    assert stand_in.ANSWER == 42
    assert ran.read_text() == "package\n"
    real = sys.modules[name]
    assert real is not stand_in and not isinstance(real, DeferredModule)
    assert __import__(name) is real
    assert stand_in.ANSWER == 42 and ran.read_text() == "package\n"  # imported once


def test_questions_about_the_stand_in_import_nothing(package):
    """inspect (and PySide, which asks for the source of every module imported after
    it) asks a module for ``__wrapped__`` and ``__file__``: no reason to import it."""
    name, ran = package
    defer_import(name)
    stand_in = __import__(name)
    assert not hasattr(stand_in, "__wrapped__") and getattr(stand_in, "__file__", None) is None
    with pytest.raises(TypeError):
        inspect.getsource(stand_in)
    assert inspect.getmodule(test_questions_about_the_stand_in_import_nothing) is sys.modules[__name__]
    assert not ran.exists()


def test_importing_a_submodule_imports_the_package(package):
    name, ran = package
    defer_import(name)
    part = __import__(f"{name}.part", fromlist=["WHAT"])
    assert part.WHAT == "part" and ran.exists()
    assert not isinstance(sys.modules[name], DeferredModule)


def test_a_module_that_fails_to_import_fails_at_each_use(package):
    name, _ = package
    broken = f"{name}.broken"
    __import__(name)
    assert defer_import(broken) is True
    stand_in = sys.modules[broken]
    for _ in range(2):
        with pytest.raises(ImportError, match="broken on purpose"):
            stand_in.anything  # noqa: B018 - reading the attribute is what imports
    assert sys.modules[broken] is stand_in


def test_modules_imported_already_or_not_installed_are_left_alone(package):
    name, _ = package
    assert defer_import("json") is False and not isinstance(sys.modules["json"], DeferredModule)
    missing = f"{name}_missing"
    assert defer_import(missing) is False and missing not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        __import__(missing)


def test_the_stand_in_hides_no_name_of_the_real_module(package, tmp_path):
    name, _ = package
    (tmp_path / name / "names.py").write_text("def load():\n    return 'real'\n")
    __import__(name)
    defer_import(f"{name}.names")
    assert sys.modules[f"{name}.names"].load() == "real"
