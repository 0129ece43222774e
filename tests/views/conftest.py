"""Fixtures for the GUI tests: a store with the demo operation, and the main window on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import PASSPHRASE
from pytestqt.qtbot import QtBot

from app.services import demo, operations
from app.services.context import AppContext, init_store
from app.services.operations import OperationSummary
from app.views.main_window import MainWindow

VIEWS = Path(__file__).resolve().parent
# The offscreen platform plugin (used by the tests) warns that it cannot pass size hints
# to a window manager it does not have, whenever a shown window's layout changes its
# minimum size. That says nothing about the app; every other Qt warning still fails.
OFFSCREEN_ONLY = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if VIEWS in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_ONLY))


@pytest.fixture
def closed_store(store_dir: Path) -> tuple[Path, str]:
    """A store with the demo operation, closed; returns its folder and recovery key."""
    context, recovery = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    demo.create_demo(context)
    context.close()
    return store_dir, recovery


@pytest.fixture
def demo_ctx(ctx: AppContext) -> AppContext:
    demo.create_demo(ctx)
    return ctx


@pytest.fixture
def demo_summary(demo_ctx: AppContext) -> OperationSummary:
    return next(s for s in operations.list_operations(demo_ctx)
                if s.codename == demo.DEMO_CODENAME)


@pytest.fixture
def window(qtbot: QtBot, demo_ctx: AppContext, store_dir: Path) -> Iterator[MainWindow]:
    win = MainWindow(demo_ctx, store_dir)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
