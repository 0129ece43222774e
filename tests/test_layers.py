"""The layers of DESIGN.md: imports go one way, and Qt stays in app/views/."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"

# What each layer may import from the app (besides itself).
ALLOWED = {
    "core": set(),
    "models": {"core"},
    "sync": {"models", "core"},
    "services": {"models", "sync", "core"},
    "views": {"services", "core"},
    "cli": {"services", "core", "views"},  # views only to start the GUI
    "__main__": {"cli"},
    "__init__": set(),
}
QT_MODULES = ("PySide6", "shiboken6", "matplotlib.backends.backend_qt")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _same_layer(name: str) -> str:
    # app/cli_*.py are app/cli.py split in parts: one layer.
    return "cli" if name.startswith("cli_") else name


def _layer(path: Path) -> str:
    rel = path.relative_to(APP)
    return _same_layer(rel.parts[0] if len(rel.parts) > 1 else rel.stem)


def test_qt_only_in_views() -> None:
    offenders = [f"{p.relative_to(APP)} imports {name}"
                 for p in APP.rglob("*.py") if _layer(p) != "views"
                 for name in _imports(p) if name.startswith(QT_MODULES)]
    assert offenders == []


def test_imports_go_one_way() -> None:
    offenders = []
    for path in APP.rglob("*.py"):
        layer = _layer(path)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "app" or len(parts) < 2:
                continue
            target = _same_layer(parts[1])
            if target != layer and target not in ALLOWED[layer]:
                offenders.append(f"{path.relative_to(APP)} ({layer}) imports {name}")
    assert offenders == []


def test_core_has_no_sql() -> None:
    offenders = [f"{p.relative_to(APP)} imports {name}" for p in (APP / "core").rglob("*.py")
                 for name in _imports(p) if name.startswith(("sqlalchemy", "sqlcipher3"))]
    assert offenders == []
