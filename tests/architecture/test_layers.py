"""The layers of docs/architecture.md, read off the source: each part of ordertui imports
only the parts below it (type-only imports included), and no module imports itself back
through others at run time."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "ordertui"

#: the low helpers every layer may use
LOW = {"domain", "low", "i18n"}

#: what each part may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    # the language people read: messages and locale formats, below everything
    "i18n": set(),
    "domain": {"i18n"},
    "low": {"domain", "i18n"},
    "config": LOW,
    "simulators.demo": LOW,
    "store": LOW,
    "suppliers": LOW | {"simulators.demo"},
    # the demo shop runs in-process over the demo back office, as the demo supplier does
    "shops": LOW | {"simulators.demo"},
    "export": LOW | {"config"},
    "services": LOW | {"config", "store", "suppliers", "shops", "export"},
    # the wire-compatible simulators speak the suppliers' protocols (their signatures)
    "simulators": LOW | {"simulators.demo", "suppliers"},
    "tui": LOW | {"config", "services"},
    "cli": LOW | {"config", "services", "simulators", "tui"},
}

#: modules of the low layer (helpers with no layer of their own)
LOW_MODULES = {"ordertui", "ordertui.fsutil", "ordertui.sqlite_file", "ordertui.logs",
               "ordertui.secrets", "ordertui.crash", "ordertui.http", "ordertui.adapters",
               "ordertui.plugins"}


def part(module: str) -> str:
    """The layer a module belongs to: the longest matching name of ALLOWED."""
    if module in LOW_MODULES:
        return "low"
    if module == "ordertui.__main__":  # python -m ordertui: the command line
        return "cli"
    rest = module.removeprefix("ordertui.")
    for name in sorted(ALLOWED, key=len, reverse=True):
        if rest == name or rest.startswith(name + "."):
            return name
    raise AssertionError(f"{module} belongs to no layer of tests/test_layers.py")


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imports(module: str, path: Path, *, runtime: bool) -> Iterator[tuple[str, int]]:
    """The ordertui modules ``module`` imports, with the line; ``runtime`` leaves out the
    imports under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(n) for child in node.body for n in ast.walk(child))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if runtime and id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ordertui"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("ordertui"):
                yield base, node.lineno


def test_no_layer_imports_one_above_it() -> None:
    wrong = []
    for module, path in modules():
        mine = part(module)
        for target, line in imports(module, path, runtime=False):
            theirs = part(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{path.relative_to(SRC.parent)}:{line}: {mine} imports "
                             f"{target} ({theirs})")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_itself_back_at_run_time() -> None:
    known = dict(modules())
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        found = set()
        for target, _line in imports(module, path, runtime=True):
            # "from ordertui.x import name" names a module or something in one
            found.add(target if target in known else target.rpartition(".")[0])
        graph[module] = {t for t in found if t in known and t != module}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2
    for module in sorted(graph):
        if module not in state:
            visit(module)
    # a package's __init__ that re-exports its own modules is not a cycle of layers
    cycles = [c for c in cycles if not _reexport(c)]
    assert not cycles, "\n".join(cycles)


def _reexport(cycle: str) -> bool:
    names = cycle.split(" → ")
    return all(n.startswith(names[0] + ".") or n == names[0] for n in names)


def test_the_rule_is_checked_at_all() -> None:
    """The walk finds the imports it judges (a broken walk would pass everything)."""
    found = {target for module, path in modules() if module == "ordertui.tui.app"
             for target, _ in imports(module, path, runtime=False)}
    assert "ordertui.tui.shell" in found and "ordertui.tui.screens.orders" in found
    assert part("ordertui.services.core") == "services"
    assert part("ordertui.simulators.demo.backoffice") == "simulators.demo"
    assert "tui" not in ALLOWED["services"] and "services" not in ALLOWED["store"]
