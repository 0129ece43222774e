"""The Money tab's trace: the mixed-wallet graph of tests/services/test_money_trace.py
(the mule holds 6 of its own, receives 4 from the victim, pays 5 to exchange A then 5 to
exchange B; the victim's 100 crosses a bridge to exchange E on Ethereum), traced from
the view: the numbers in the table and on the graph, the CSV export, a saved trace
reopened, and bad seeds refused with nothing changed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from gui_support import PASSPHRASE
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services import money
from app.services.context import AppContext
from app.services.demo import tron_address
from app.services.labels import import_labels
from app.services.operations import OperationSummary, create_operation
from app.services.transfers_import import import_transfers
from app.views.main_window import MainWindow
from app.views.money_view import MoneyView
from app.views.trace_panel import TracePanel
from app.views.unlock_dialog import UnlockDialog
from tests.services.test_money_trace import (
    ETH_EXCHANGE,
    EXCHANGE_A,
    EXCHANGE_B,
    LABELS,
    MULE,
    TRANSFERS,
    VICTIM,
)

OP = "MONEY GUI"
MARKS = f"""\
tron,{VICTIM},victim,Victim one,complaint 1,,
tron,{MULE},suspect,Mule,case file 7,,
"""
# matplotlib's Qt backend asks Qt about a high-DPI attribute that Qt 6 deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*AA_UseHighDpiPixmaps:DeprecationWarning")


@pytest.fixture
def op(demo_ctx: AppContext, tmp_path: Path) -> str:
    ctx = demo_ctx
    op_id, _ = create_operation(ctx, OP)
    transfers = tmp_path / "t.csv"
    transfers.write_text(TRANSFERS, encoding="utf-8")
    assert import_transfers(ctx, OP, transfers).imported
    labels = tmp_path / "l.csv"
    labels.write_text(LABELS + MARKS, encoding="utf-8")
    assert import_labels(ctx, OP, labels).imported
    return op_id


@pytest.fixture
def money_tab(qtbot: QtBot, op: str, window: MainWindow) -> MoneyView:
    """The Money tab of the operation, in view and read (the demo operation is there too:
    the conftest's window is on a store with it)."""
    window.select_operation(op)
    view = window.workspace.money
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        window.workspace.tabs.setCurrentWidget(view)
    return view


def run_trace(qtbot: QtBot, panel: TracePanel, seeds: str, method: str,
              direction: str = "forward") -> None:
    form = panel.form
    form.typed.setPlainText(seeds)
    form.method.setCurrentIndex(form.method.findData(method))
    form.direction.setCurrentIndex(form.direction.findData(direction))
    with qtbot.waitSignal(panel.shown, timeout=10_000):
        form.run.click()


def table(panel: TracePanel) -> list[tuple[str, ...]]:
    return [tuple(panel.table.item(r, c).text() for c in range(4))
            for r in range(panel.table.rowCount())]


def test_a_haircut_trace_in_the_table_and_the_graph(qtbot: QtBot,
                                                   money_tab: MoneyView) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, VICTIM, "haircut")
    # By hand (tests/services/test_money_trace.py): haircut gives 2 to each exchange
    # on Tron; the 100 crosses the bridge to exchange E.
    rows = table(panel)
    assert rows[0] == ("exchange: Exchange E", "100 USDT", "at an exchange: freeze point",
                       "3")
    assert sorted(rows[1:]) == [  # the largest first; equals in address order
        ("exchange: Exchange A", "2 USDT", "at an exchange: freeze point", "2"),
        ("exchange: Exchange B", "2 USDT", "at an exchange: freeze point", "2")]
    assert panel.table.item(0, 4).text() == f"ethereum {ETH_EXCHANGE.lower()}"
    assert panel.table.item(0, 5).text() == "b1 → b2 → b3"
    statement = panel.statement.text()
    assert "HAIRCUT" in statement and "by haircut: each transfer out of a wallet" in statement
    assert "104 USDT left the seeds, 104 USDT reached services (not saved)" in statement
    drawing = panel.drawing
    assert drawing is not None and drawing.map is not None
    graph = drawing.map
    assert graph.method == "haircut" and graph.title.startswith("HAIRCUT · forward")
    victim, mule = f"tron:{VICTIM}", f"tron:{MULE}"
    edge = graph.edge(victim, mule)
    assert edge is not None and edge.label() == "4 USDT"
    to_a = graph.edge(mule, f"tron:{EXCHANGE_A}")
    assert to_a is not None and to_a.label() == "2 USDT"
    bridge = graph.nodes["bridge:portal"]
    assert bridge.role == "bridge" and bridge.name == "Portal"
    into_bridge = graph.edge(victim, "bridge:portal")
    assert into_bridge is not None and into_bridge.label() == "100 USDT"
    assert {(n.name, n.end_text()) for n in graph.freeze_points()} == {
        ("Exchange A", "2 USDT"), ("Exchange B", "2 USDT"), ("Exchange E", "100 USDT")}
    assert graph.nodes[victim].seed and graph.nodes[victim].role == "victim"
    assert graph.nodes[mule].role == "suspect" and not graph.nodes[mule].seed
    # Money flows left to right: the seed first, the exchanges in later columns.
    assert graph.nodes[victim].x == 0 < graph.nodes[mule].x < graph.nodes[
        f"tron:{EXCHANGE_A}"].x


def test_fifo_differs_and_states_its_method(qtbot: QtBot, money_tab: MoneyView) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, VICTIM, "fifo")
    assert [(r[0], r[1]) for r in table(panel)] == [("exchange: Exchange E", "100 USDT"),
                                                     ("exchange: Exchange B", "4 USDT")]
    assert "FIFO: funds leave a wallet in the order they arrived" in panel.statement.text()
    assert panel.drawing is not None and panel.drawing.map is not None
    assert panel.drawing.map.edge(f"tron:{MULE}", f"tron:{EXCHANGE_A}") is None


def test_backward_trace_names_the_origins(qtbot: QtBot, money_tab: MoneyView) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, EXCHANGE_B, "haircut", "backward")
    assert sorted((r[1], r[2]) for r in table(panel)) == [
        ("2 USDT", "origin in the data"), ("3 USDT", "origin in the data")]
    assert not panel.draft_button.isEnabled()  # a freeze is drafted from a forward trace


def test_export_csv(qtbot: QtBot, money_tab: MoneyView, tmp_path: Path) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, VICTIM, "poison")
    out = tmp_path / "trace.csv"
    assert panel.export_csv(out) == 3
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["address"], r["amount"], r["label"]) for r in rows} == {
        (EXCHANGE_A, "5", "Exchange A"), (EXCHANGE_B, "5", "Exchange B"),
        (ETH_EXCHANGE.lower(), "100", "Exchange E")}
    assert {r["method"] for r in rows} == {"poison"}
    assert all("by poison" in r["statement"] for r in rows)
    assert panel.note.text() == "3 endpoints written to trace.csv."


def test_a_saved_trace_is_listed_and_reopened(qtbot: QtBot, money_tab: MoneyView,
                                              ctx: AppContext) -> None:
    view = money_tab
    panel = view.trace
    run_trace(qtbot, panel, VICTIM, "haircut")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        trace_id = panel.save_trace()
    assert trace_id is not None and not panel.save_button.isEnabled()
    assert [t.id for t in money.list_traces(ctx, OP)] == [trace_id]
    assert panel.saved.count() == 1
    assert "HAIRCUT forward · 1 seed · 3 endpoints" in panel.saved.item(0).text()
    # The figures take the saved forward trace.
    assert "104 USDT" in view.cards["traced"].text()
    assert "HAIRCUT" in view.cards["traced"].text()
    run_trace(qtbot, panel, VICTIM, "fifo")
    panel.saved.setCurrentRow(0)
    with qtbot.waitSignal(panel.shown, timeout=5_000):
        panel.open_button.click()
    assert panel.run is not None and panel.run.trace_id == trace_id and panel.reopened
    assert sorted((r[0], r[1]) for r in table(panel)) == [
        ("exchange: Exchange A", "2 USDT"), ("exchange: Exchange B", "2 USDT"),
        ("exchange: Exchange E", "100 USDT")]
    graph = panel.drawing.map if panel.drawing else None
    assert graph is not None and graph.method == "haircut"
    # Drawn from each endpoint's main route: the victim's 4 to the mule, 2 on to A.
    to_a = graph.edge(f"tron:{MULE}", f"tron:{EXCHANGE_A}")
    assert to_a is not None and to_a.label() == "2 USDT"
    assert "main route" in panel.drawing.caption.text()  # type: ignore[union-attr]


def test_bad_seeds_are_refused_and_nothing_changes(qtbot: QtBot, money_tab: MoneyView,
                                                   ctx: AppContext) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, VICTIM, "haircut")
    shown = table(panel)
    before = money.list_traces(ctx, OP)
    run_trace(qtbot, panel, "T-not-an-address", "fifo")
    box = _error_box(panel)
    assert box is not None
    assert "T-not-an-address is not a valid wallet address" in box.text()
    assert table(panel) == shown  # the previous result stays
    assert money.list_traces(ctx, OP) == before
    box.close()
    stranger = tron_address("stranger")
    run_trace(qtbot, panel, stranger, "fifo")
    box = _error_box(panel)
    assert box is not None and "No transfer of this operation is from or to" in box.text()
    box.close()
    panel.form.typed.clear()
    panel.form.hops.setText("many")
    panel.form.typed.setPlainText(VICTIM)
    panel.form.run.click()
    box = _error_box(panel)
    assert box is not None
    assert box.text() == "Hops must be a whole number from 1 to 50, not 'many'."
    assert table(panel) == shown


def _error_box(panel: TracePanel) -> QMessageBox | None:
    boxes = [b for b in panel.findChildren(QMessageBox, "errorBox") if b.isVisible()]
    return boxes[-1] if boxes else None


def test_a_running_trace_shows_its_progress_and_can_be_cancelled(
        qtbot: QtBot, money_tab: MoneyView, ctx: AppContext) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, VICTIM, "haircut")
    shown = table(panel)
    panel.form.typed.setPlainText(VICTIM)
    panel.form.method.setCurrentIndex(panel.form.method.findData("fifo"))
    with qtbot.waitSignal(panel.shown, timeout=10_000):
        panel.form.run.click()
        # While it runs: the bar and Cancel instead of Trace. Cancelled before the
        # worker reaches its first hop (it is still finding the seeds).
        assert panel.form.progress.isVisible() and panel.form.cancel.isVisible()
        assert not panel.form.run.isEnabled()
        panel.form.cancel.click()
    assert panel.note.text() == "The trace was cancelled; nothing was saved."
    assert table(panel) == shown and panel.run is not None
    assert panel.run.result.method == "haircut"  # the previous result stays
    assert panel.form.run.isEnabled() and not panel.form.cancel.isVisible()
    assert money.list_traces(ctx, OP) == []


def test_the_trace_reports_each_hop(ctx: AppContext, op: str) -> None:
    seen: list[tuple[int, int]] = []
    money.trace_operation(ctx, OP, [VICTIM], "haircut", hops=5,
                          progress=lambda hop, hops: seen.append((hop, hops)))
    # The seeds' history, then one read per hop with wallets to follow: after the second
    # hop only exchanges (stops) are reached, and nothing more is read.
    assert seen == [(0, 5), (1, 5), (2, 5)]


def test_a_trace_too_large_to_draw_shows_the_largest_endpoints_routes() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from app.core.tracing import SERVICE, Endpoint, Flow, Limits, Node, PathStep, TraceResult
    from app.views.trace_map import ROUTE_NODES, trace_map

    when = datetime(2026, 3, 1, tzinfo=UTC)
    endpoints, flows, nodes = [], [], []
    for i in range(40):  # 40 victims, each paying through its own mule to its own exchange
        seed, mule, exchange = (tron_address(f"{kind}-{i}") for kind in ("s", "m", "x"))
        amount = Decimal(i + 1)
        path = (PathStep(f"a{i}", "tron", seed, mule, "USDT", amount, amount, when),
                PathStep(f"b{i}", "tron", mule, exchange, "USDT", amount, amount, when))
        endpoints.append(Endpoint(f"tron:{exchange}", "tron", exchange, "USDT", amount,
                                  SERVICE, "exchange", f"Exchange {i}", 2, path))
        flows += [Flow(f"tron:{seed}", f"tron:{mule}", "USDT", amount, 1),
                  Flow(f"tron:{mule}", f"tron:{exchange}", "USDT", amount, 1)]
        nodes += [Node(f"tron:{seed}", "tron", seed, "victim", "", True),
                  Node(f"tron:{mule}", "tron", mule, "", "", False),
                  Node(f"tron:{exchange}", "tron", exchange, "exchange", f"Exchange {i}",
                       False)]
    endpoints.sort(key=lambda e: -e.amount)
    result = TraceResult("poison", "forward", (), Limits(), tuple(endpoints), (),
                         tuple(flows), tuple(nodes), 120)
    graph = trace_map(result)
    assert len(graph.nodes) <= ROUTE_NODES
    assert graph.left_out == ("Too many wallets to draw (120): drawn are the 7 endpoints that "
                              "received the most, each by its main route; all 40 are in the "
                              "table.")
    assert sorted(n.name for n in graph.freeze_points()) == [
        f"Exchange {i}" for i in range(33, 40)]
    assert graph.nodes["tron:" + tron_address("x-39")].end_text() == "40 USDT"


def test_lock_hides_the_money_and_unlock_reads_it_again(qtbot: QtBot, money_tab: MoneyView,
                                                       window: MainWindow) -> None:
    panel = money_tab.trace
    run_trace(qtbot, panel, VICTIM, "haircut")
    window.lock()
    assert panel.table.rowCount() == 0 and panel.run is None
    assert panel.form.wallets.count() == 0 and panel.saved.count() == 0
    assert panel.drawing is not None and panel.drawing.map is None
    assert all(card.text() == "" for card in money_tab.cards.values())
    assert money_tab.freezes.table.rowCount() == 0 and money_tab.data is None
    dialog = window.unlock_dialog
    assert isinstance(dialog, UnlockDialog)
    dialog.secret.setText(PASSPHRASE)
    with qtbot.waitSignal(money_tab.loaded, timeout=10_000):
        dialog.unlock_button.click()
    assert window.workspace.tabs.currentWidget() is money_tab
    assert money_tab.codename == OP and "no saved forward trace" in money_tab.cards[
        "traced"].text()


def test_the_tab_opens_on_the_newest_saved_trace(qtbot: QtBot, window: MainWindow,
                                                 demo_summary: OperationSummary) -> None:
    """A commander opening the Money tab sees where the money went, as last traced; an
    operation with no saved trace shows the form's hint instead."""
    newest = money.list_traces(window.context(), demo_summary.id)[0]
    window.select_operation(demo_summary.id)
    view = window.workspace.money
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        window.workspace.tabs.setCurrentWidget(view)
    panel = view.trace
    assert panel.run is not None and panel.run.trace_id == newest.id
    assert panel.table.rowCount() == len(newest.endpoints)
    assert newest.method.upper() in panel.statement.text()
