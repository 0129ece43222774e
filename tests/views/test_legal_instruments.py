"""The instrument editor, opened from the Legal tab: browse and search (a party list that
is not known shows as a gap), add one (a bad party list refused, nothing saved), correct
a shipped one (said in the dialog, a source required), remove this agency's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot
from test_legal_view import OP, add_person

from app.services import instruments, operations
from app.services.context import AppContext
from app.views.instrument_editor import GAP_TEXT, InstrumentEditor
from app.views.legal_view import LegalView
from app.views.main_window import MainWindow

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*AA_UseHighDpiPixmaps:DeprecationWarning")


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, store_dir: Path) -> Iterator[MainWindow]:
    op_id, _ = operations.create_operation(ctx, OP)
    add_person(ctx, op_id, "Ana Angolan", "AO", ["AO"], ["CN"])
    win = MainWindow(ctx, store_dir)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.select_operation(op_id)
    view = win.workspace.legal
    with qtbot.waitSignal(view.reported, timeout=10_000):
        win.workspace.tabs.setCurrentWidget(view)
    yield win
    win.close()


def checked(qtbot: QtBot, view: LegalView, step: Callable[[], Any]) -> Any:
    with qtbot.waitSignal(view.reported, timeout=10_000):
        return step()


def _editor(window: MainWindow) -> tuple[LegalView, InstrumentEditor]:
    view = window.workspace.legal
    return view, view.open_instruments()


def _column(editor: InstrumentEditor, key: str, column: int) -> str:
    row = next(r for r, info in enumerate(editor.rows) if info.ref_key == key)
    item = editor.table.item(row, column)
    assert item is not None
    return item.text()


def test_browse_and_search(window: MainWindow) -> None:
    _view, editor = _editor(window)
    keys = {info.ref_key for info in editor.rows}
    assert {"EU_EAW", "CETS_024", "UNTOC", "SADC_EXTRADITION_2002"} <= keys
    assert _column(editor, "SADC_EXTRADITION_2002", 4) == GAP_TEXT
    assert _column(editor, "EU_EAW", 4).startswith("27: ")
    assert _column(editor, "EU_EAW", 6) == "high"
    assert _column(editor, "EU_EAW", 9) == "shipped"
    editor.search.setText("arrest warrant")
    assert {info.ref_key for info in editor.rows} == {"EU_EAW", "NORDIC_ARREST_WARRANT"}
    editor.search.clear()
    editor.country.setText("ZA")
    assert "CETS_024" in {info.ref_key for info in editor.rows}
    assert "EU_EAW" not in {info.ref_key for info in editor.rows}
    editor.select("SADC_EXTRADITION_2002")
    detail = editor.detail.toPlainText()
    assert "Party list unknown: a gap in the data" in detail
    assert "Named as possible parties:" in detail
    assert not editor.remove.isEnabled()  # shipped: corrected, never removed
    window.lock()
    assert not editor.isVisible()  # nothing stays open over a locked store


def test_add_refuses_a_bad_party_list_then_adds(qtbot: QtBot, window: MainWindow,
                                               ctx: AppContext) -> None:
    view, editor = _editor(window)
    count = len(instruments.list_instruments(ctx))
    form = editor.ask_add()
    form.name.setText("Angola-China extradition treaty")
    form.key.setText("AO_CN_EXTRADITION")
    form.purposes["extradition"].setChecked(True)
    form.source.setText("Treaty text, Diário da República 2026")
    form.parties.setText("AO, XX")
    form.try_save()
    assert "Unknown country code 'XX'" in form.problem.text()
    assert form.isVisible()
    form.parties.setText("AO, CN:2026-02-30")
    form.try_save()
    assert "The in-force date of CN '2026-02-30' is not a date" in form.problem.text()
    assert len(instruments.list_instruments(ctx)) == count  # nothing saved
    form.parties.setText("AO, CN:2020-01-01")
    checked(qtbot, view, form.try_save)
    assert not shiboken6.isValid(form)
    added = instruments.instrument(ctx, "AO_CN_EXTRADITION")
    assert added.parties == [{"country": "AO", "in_force": ""},
                             {"country": "CN", "in_force": "2020-01-01"}]
    assert added.mine and added.origin == "added by Kenya DCI"
    assert editor.selected() is not None and editor.selected().ref_key == "AO_CN_EXTRADITION"
    assert editor.remove.isEnabled()
    # The routes were worked out again: the treaty links the two states in the drawing,
    # and Angola's bar on extraditing its nationals still stands.
    assert view.drawing is not None and view.drawing.map is not None
    edge = view.drawing.map.edge("AO", "CN")
    assert edge is not None and [r.key for r in edge.known] == ["AO_CN_EXTRADITION"]
    person = next(iter(view.tree.people.values()))
    assert person.text(1) == "barred, fallback only"


def test_a_shipped_instrument_is_corrected_then_the_correction_removed(
        qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    view, editor = _editor(window)
    assert editor.select("EU_EAW")
    form = editor.ask_edit()
    assert form is not None
    assert "Your edit is saved as this agency's correction" in form.notice.text()
    form.conditions["speciality"].setChecked(True)
    form.try_save()
    assert "Say where the correction comes from" in form.problem.text()
    assert instruments.instrument(ctx, "EU_EAW").origin == "shipped"
    form.source.setText("Eurojust note of 2026-01-15")
    checked(qtbot, view, form.try_save)
    corrected = instruments.instrument(ctx, "EU_EAW")
    assert corrected.origin == "shipped, corrected by Kenya DCI"
    assert corrected.conditions.get("speciality") is True
    assert len(corrected.parties or []) == 27  # the rest as shipped
    assert _column(editor, "EU_EAW", 9) == "shipped, corrected by Kenya DCI"
    assert editor.remove.isEnabled()
    box = editor.ask_remove()
    assert box is not None and "the record it corrects applies again" in box.text()
    checked(qtbot, view, box.accept)
    assert instruments.instrument(ctx, "EU_EAW").origin == "shipped"
    assert _column(editor, "EU_EAW", 9) == "shipped"
