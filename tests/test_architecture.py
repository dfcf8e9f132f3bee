"""The tree is the architecture: imports run one way (training -> model <- service), with no cycles, and the base
install is the model alone."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "service", "training")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of our packages and the modules of our packages it imports, anywhere in its body."""
    modules = {_module(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
               if "migrations" not in p.parts}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from package import module" imports the module; "from module import name" the module itself
                submodules = [f"{node.module}.{alias.name}" for alias in node.names
                              if f"{node.module}.{alias.name}" in modules]
                found = submodules or [node.module]
            else:
                continue
            targets |= {t for t in found if t in modules}
        graph[name] = targets - {name}
    return graph


def test_model_and_service_never_import_training_and_model_imports_no_service():
    graph = import_graph()
    for name, targets in graph.items():
        top = {t.split(".")[0] for t in targets}
        if name.startswith("model"):
            assert not top & {"service", "training"}, (name, targets)
        if name.startswith("service"):
            assert "training" not in top, (name, targets)


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, ()):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(target):] + [target]))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def test_the_base_install_is_the_model_alone():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    base = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in project["dependencies"]}
    assert base == {"beautifulsoup4", "lxml", "numpy", "scipy"}
    assert {"service", "audit", "train", "test", "bench", "all"} <= set(project["optional-dependencies"])


def test_scoring_a_page_loads_no_service_or_training_library():
    code = ("import sys; from model import assess; assess('<p>Stem cells for multiple sclerosis.</p>'); "
            "print(sorted(m for m in ('litestar', 'sqlalchemy', 'matplotlib', 'dask', 'msgspec', 'training', 'service',"
            " 'sklearn', 'joblib') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
