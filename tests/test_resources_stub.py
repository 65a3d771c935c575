"""desktop/resources.pyi gives mypy the types of desktop.resources (the top-level
resources/ folder, installed under that name); it must name what the package has."""

import ast
import inspect
from pathlib import Path

import desktop.resources

STUB = Path(__file__).resolve().parent.parent / "desktop" / "resources.pyi"


def signatures(tree: ast.Module) -> dict[str, str]:
    return {node.name: ast.unparse(node.args) + " -> " + ast.unparse(node.returns or ast.Constant(None))
            for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}


def test_the_stub_names_every_public_function_with_its_signature() -> None:
    source = ast.parse(inspect.getsource(desktop.resources))
    stub = ast.parse(STUB.read_text(encoding="utf-8"))
    assert signatures(stub) == signatures(source)
    assert signatures(stub)  # the comparison is of something
