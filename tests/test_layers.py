"""The import contract: a layer imports only the layers below it (read from the source, by AST).

From the top: ``python -m dedup``; the command line; the readers of results (inspect, evaluation,
interop); the pipeline; the stages and the report writers; the kernels,
storage and runtime; the text rules; and at the bottom the core types,
config, errors and version.  Packages of one layer do not import one another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dedup"
LAYERS: list[list[str]] = [
    ["__main__"],
    ["cli"],
    ["inspect", "evaluation", "interop", "index"],
    ["pipeline"],
    ["stages", "report"],
    ["kernels", "storage", "runtime"],
    ["text"],
    ["types", "config", "errors", "_version"],
]
LEVEL = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str | None:
    """The layer unit of ``dedup.x.y`` (``x``); None for ``dedup`` itself and for other packages."""
    parts = module.split(".")
    return parts[1] if parts[0] == "dedup" and len(parts) > 1 else None


def imports(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """Every dedup module a file imports, with its line (relative imports resolved)."""
    module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[:-node.level] if path.name != "__init__.py" else \
                    module.split(".")[:len(module.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base))
    return [(line, m) for line, m in found if m == "dedup" or m.startswith("dedup.")]


def violations(root: Path = PACKAGE) -> list[str]:
    """Each import that goes up, or sideways between two packages of one layer."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts == ("__init__.py",):
            continue  # the package's face re-exports the public API from every layer
        unit = rel.parts[0].removesuffix(".py")
        for line, target in imports(path, root):
            other = unit_of(target)
            if target == "dedup":
                bad.append(f"{rel}:{line} imports the package face 'dedup' (import the module that defines the name)")
            elif other is None or other == unit:
                continue
            elif other not in LEVEL:
                bad.append(f"{rel}:{line} imports {target}, a module the contract does not place in a layer")
            elif LEVEL[other] <= LEVEL[unit]:
                how = "a layer above it" if LEVEL[other] < LEVEL[unit] else "a package of its own layer"
                bad.append(f"{rel}:{line} imports {target}: {other} is {how} ({unit} is in layer {LEVEL[unit]})")
    return bad


def test_every_module_is_in_a_layer() -> None:
    units = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in PACKAGE.glob("*")
             if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert units - {"__init__"} <= set(LEVEL), sorted(units - {"__init__"} - set(LEVEL))


def test_no_layer_imports_a_higher_one() -> None:
    assert violations() == []


@pytest.mark.parametrize(("where", "line"), [
    ("kernels/textscan.py", "from dedup.stages.normalize import stem\n"),
    ("storage/arrays.py", "from dedup.stages import ingest\n"),
    ("stages/verify.py", "import dedup.pipeline.runner\n"),
    ("text/rules.py", "from dedup.kernels.vocab import MISSING\n"),
    ("stages/diff.py", "from dedup.report.markdown import render_cluster\n"),
    ("types.py", "from dedup import run\n"),
])
def test_a_back_import_added_by_hand_is_caught(tmp_path: Path, where: str, line: str) -> None:
    copy = tmp_path / "dedup"
    for path in PACKAGE.rglob("*.py"):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    assert violations(copy) == []
    edited = copy / where
    edited.write_text(edited.read_text() + "\n" + line)
    found = violations(copy)
    assert len(found) == 1 and found[0].startswith(where), found


def test_kernels_import_only_numpy_numba_and_the_layers_below() -> None:
    allowed = {"numba", "numpy", "concurrent", "__future__", "dedup"}
    for path in sorted((PACKAGE / "kernels").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}: kernels do no I/O"
