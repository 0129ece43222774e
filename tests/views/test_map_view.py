"""The Map tab: countries shaded by targets, sites by status, money flows, a legend; zoom,
pan, tooltips, and a click on a site that opens it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent, QUndoStack, QWheelEvent
from PySide6.QtWidgets import QApplication, QMenu, QToolTip
from pytestqt.qtbot import QtBot

from app.core.errors import KnownError
from app.services import operations, targets
from app.services.context import AppContext
from app.services.map_layers import MoneyFlow
from app.services.operations import OperationSummary
from app.views.map_style import (
    LAND,
    SHADES,
    amount_text,
    by_share,
    flow_pairs,
    shade_classes,
    shade_for,
)
from app.views.map_view import MapView
from app.views.undo_commands import CommandEnv, Refresh

FAILED: list[BaseException] = []
# A popup menu or tooltip on the offscreen platform: it cannot raise them or grab keys.
POPUPS = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)")


@pytest.fixture
def view(qtbot: QtBot, demo_ctx: AppContext) -> Iterator[MapView]:
    FAILED.clear()
    env = CommandEnv(lambda: demo_ctx, lambda _refresh: None, FAILED.append)
    widget = MapView(lambda: demo_ctx, QUndoStack(), env)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    assert FAILED == []


def _open(qtbot: QtBot, view: MapView, op_id: str) -> None:
    with qtbot.waitSignal(view.drawn, timeout=10_000):
        view.set_operation(op_id)


def _brush(view: MapView, code: str) -> str:
    return str(view.canvas.countries[code].brush().color().name())


def test_the_demo_is_drawn_with_its_legend(qtbot: QtBot, view: MapView,
                                          demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    layers = view.layers
    assert layers is not None and layers.op_id == demo_summary.id
    legend = view.legend.text()
    for words in ("Sites", "planned", "searched", "shut down", "not found",
                  "no coordinates", "Targets per country", "none",
                  "Money between countries", "ZM → KE: 31,500 USDT", "Natural Earth"):
        assert words in legend
    counts = layers.targets
    assert f"planned ({sum(s.status == 'planned' for s in layers.sites)})" in legend
    # Countries with more targets are darker; countries without any are plain land.
    most = max(counts, key=lambda c: counts[c])
    least = min(counts, key=lambda c: counts[c])
    assert _brush(view, most) == SHADES[-1] and _brush(view, least) == SHADES[0]
    assert _brush(view, "BR") == QColor(LAND).name()
    assert "Kenya</b>: 6 targets" in view.canvas.countries["KE"].toolTip()
    assert len(view.canvas.sites.sites) == len(layers.sites) == 12
    shown = [label.text() for label in view.canvas.labels if label.isVisible()]
    assert "ZM → KE\n31,500 USDT" in shown
    port = QRectF(view.canvas.viewport().rect())
    for label in view.canvas.labels:  # whole in view, none over another
        if label.isVisible():
            corner = view.canvas.mapFromScene(label.pos())
            assert port.contains(label.box.translated(corner.x(), corner.y()))
    assert any(text.startswith("Kenya\n") for text in shown)
    assert view.status.text().startswith(f"{demo_summary.codename}: 12 sites")


def test_a_click_on_a_site_emits_its_id(qtbot: QtBot, view: MapView,
                                        demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    site = next(s for s in view.canvas.sites.sites if s.name == "Amsterdam hosting hall")
    where = view.canvas.site_pos(site.id)
    assert where is not None and view.canvas.viewport().rect().contains(where)
    with qtbot.waitSignal(view.site_opened, check_params_cb=lambda i: i == site.id):
        qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton,
                         pos=where + QPoint(2, 1))
    # The open sea is no site.
    with qtbot.assertNotEmitted(view.site_opened):
        qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton,
                         pos=where + QPoint(0, 300))


@POPUPS
def test_a_click_on_sites_drawn_together_offers_a_choice(qtbot: QtBot, view: MapView,
                                                         demo_summary: OperationSummary
                                                         ) -> None:
    _open(qtbot, view, demo_summary.id)
    nairobi = [s for s in view.canvas.sites.sites
               if s.name in ("Kilimani apartment 7C", "Westlands call centre")]
    where = view.canvas.site_pos(nairobi[0].id)
    assert where is not None
    here = view.canvas.sites_at(where)
    assert {s.id for s in nairobi} <= {s.id for s in here}
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=where)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and menu.objectName() == "mapSiteMenu"
    names = [a.text() for a in menu.actions()]
    assert f"{here[0].name} ({here[0].status})" == names[0] and len(names) == len(here)
    with qtbot.waitSignal(view.site_opened, check_params_cb=lambda i: i == here[1].id):
        menu.actions()[1].trigger()
    menu.close()


@POPUPS
def test_a_tooltip_names_the_site(qtbot: QtBot, view: MapView,
                                  demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    site = next(s for s in view.canvas.sites.sites if s.name == "Amsterdam hosting hall")
    where = view.canvas.site_pos(site.id)
    assert where is not None
    event = QHelpEvent(QEvent.Type.ToolTip, where, view.canvas.viewport().mapToGlobal(where))
    assert view.canvas.viewportEvent(event)
    assert "Amsterdam hosting hall" in QToolTip.text() and "Netherlands" in QToolTip.text()
    assert "52.3390, 4.9170" in QToolTip.text()
    QToolTip.hideText()


def test_zoom_with_buttons_and_wheel_and_fit(qtbot: QtBot, view: MapView,
                                             demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    canvas = view.canvas
    fitted = canvas.scale_factor()
    qtbot.mouseClick(view.zoom_in, Qt.MouseButton.LeftButton)
    assert canvas.scale_factor() == pytest.approx(fitted * 1.25)
    centre = canvas.viewport().rect().center()
    wheel = QWheelEvent(QPointF(centre), QPointF(canvas.viewport().mapToGlobal(centre)),
                        QPoint(), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas.viewport(), wheel)
    assert canvas.scale_factor() == pytest.approx(fitted * 1.25 ** 3)
    for _ in range(40):  # never smaller than the whole world
        qtbot.mouseClick(view.zoom_out, Qt.MouseButton.LeftButton)
    assert canvas.scale_factor() == pytest.approx(canvas.min_scale())
    qtbot.mouseClick(view.fit, Qt.MouseButton.LeftButton)
    assert canvas.scale_factor() == pytest.approx(fitted)


def test_drag_pans(qtbot: QtBot, view: MapView, demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    canvas = view.canvas
    port = canvas.viewport()
    sea = QPointF(40, 40)  # a corner, no site there
    before = canvas.mapToScene(port.rect().center())

    def send(kind: QEvent.Type, at: QPointF, buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(kind, at, port.mapToGlobal(at), Qt.MouseButton.LeftButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(port, event)

    send(QEvent.Type.MouseButtonPress, sea, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, sea + QPointF(60, 30), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseMove, sea + QPointF(120, 60), Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, sea + QPointF(120, 60), Qt.MouseButton.NoButton)
    after = canvas.mapToScene(port.rect().center())
    scale = canvas.scale_factor()
    assert (before.x() - after.x()) * scale == pytest.approx(120, abs=2)
    assert (before.y() - after.y()) * scale == pytest.approx(60, abs=2)


def test_an_empty_operation(qtbot: QtBot, view: MapView, demo_ctx: AppContext) -> None:
    op_id = operations.create_operation(demo_ctx, "EMPTY")[0]
    _open(qtbot, view, op_id)
    assert view.status.text() == ("EMPTY: no sites, no targets with a country and no money "
                                  "between countries yet.")
    assert view.canvas.sites.sites == [] and view.canvas.labels == []
    assert {_brush(view, code) for code in view.canvas.countries} == {QColor(LAND).name()}
    assert "None known" in view.legend.text() and "planned (0)" in view.legend.text()
    # The whole world is in view.
    shown = view.canvas.mapToScene(view.canvas.viewport().rect()).boundingRect()
    assert shown.contains(view.canvas.world_rect.center())
    assert shown.width() >= view.canvas.world_rect.width() * 0.99


def test_a_change_redraws_and_clear_empties(qtbot: QtBot, view: MapView,
                                            demo_ctx: AppContext,
                                            demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    site_id, change = targets.add_record(demo_ctx, "site", demo_summary.id,
                                         targets.site_values("Mombasa port shed", "KE",
                                                             "Africa/Nairobi"))
    with qtbot.assertNotEmitted(view.drawn):
        view.apply_refresh(Refresh(change, "another operation", None))
    with qtbot.waitSignal(view.drawn, timeout=10_000):
        view.apply_refresh(Refresh(change, demo_summary.id, None))
    added = next(s for s in view.canvas.sites.sites if s.id == site_id)
    assert added.approximate and "(1)" in view.legend.sites.text().split("no coordinates")[1]
    view.clear()
    assert view.op_id == "" and view.layers is None and view.canvas.sites.sites == []
    assert view.status.text() == "" and view.canvas.labels == []


def test_a_hidden_map_reads_when_shown(qtbot: QtBot, view: MapView,
                                       demo_summary: OperationSummary) -> None:
    view.hide()
    view.set_operation(demo_summary.id)
    assert view.layers is None
    with qtbot.waitSignal(view.drawn, timeout=10_000):
        view.show()
    assert view.layers is not None and view.layers.op_id == demo_summary.id


def test_shade_classes_follow_the_counts_that_occur() -> None:
    assert shade_classes([]) == []
    single = shade_classes([4, 4, 0])
    assert [(c.low, c.high, c.label) for c in single] == [(4, 4, "4")]
    many = shade_classes([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 1000])
    assert [c.label for c in many] == ["1–2", "3–5", "8–13", "21–34", "55–1,000"]
    assert [c.colour for c in many] == list(SHADES)
    assert shade_for(0, many) == LAND and shade_for(1000, many) == SHADES[-1]
    assert shade_for(4, many) == SHADES[1]  # a count that does not occur: its range
    assert shade_for(6, many) == SHADES[2]  # between two ranges: the one above


def test_amounts_and_flow_pairs() -> None:
    assert amount_text(Decimal("31500.00"), "USDT") == "31,500 USDT"
    assert amount_text(Decimal("0.41250000"), "BTC") == "0.4125 BTC"
    assert amount_text(Decimal("-1234567.5"), "ETH") == "-1,234,567.5 ETH"
    flows = [MoneyFlow("KE", "NL", "BTC", Decimal("1"), 1),
             MoneyFlow("KE", "NL", "USDT", Decimal("50"), 2),
             MoneyFlow("NL", "KE", "USDT", Decimal("100"), 1),
             MoneyFlow("KE", "KE", "USDT", Decimal("500"), 1)]
    pairs = flow_pairs(flows)
    assert [(p.source, p.dest, p.share) for p in pairs] == [("KE", "NL", 1.0),
                                                            ("NL", "KE", 1.0)]
    assert [f.asset for f in pairs[0].flows] == ["BTC", "USDT"]
    # One list of all assets, each flow measured against its asset's largest.
    assert [(f.source, f.dest, f.asset) for f in by_share(flows)] == [
        ("KE", "NL", "BTC"), ("KE", "KE", "USDT"), ("NL", "KE", "USDT"),
        ("KE", "NL", "USDT")]


def test_a_change_keeps_the_zoom_and_another_operation_is_fitted(
        qtbot: QtBot, view: MapView, demo_ctx: AppContext,
        demo_summary: OperationSummary) -> None:
    _open(qtbot, view, demo_summary.id)
    canvas = view.canvas
    fitted = canvas.scale_factor()
    for _ in range(3):
        qtbot.mouseClick(view.zoom_in, Qt.MouseButton.LeftButton)
    zoomed = canvas.transform()
    change = targets.add_record(demo_ctx, "target", demo_summary.id,
                                targets.target_values("person", "New", "NL"))[1]
    with qtbot.waitSignal(view.drawn, timeout=10_000):
        view.apply_refresh(Refresh(change, demo_summary.id, None))
    assert canvas.transform() == zoomed
    assert view.layers is not None and view.layers.targets["NL"] == 2
    other = operations.create_operation(demo_ctx, "ELSEWHERE")[0]
    _open(qtbot, view, other)
    assert canvas.scale_factor() < fitted  # the whole world


def test_an_operation_deleted_meanwhile_empties_the_map(qtbot: QtBot, view: MapView) -> None:
    with qtbot.waitSignal(view.drawn, timeout=10_000):
        view.set_operation("no-such-operation")
    assert view.op_id == "" and view.layers is None and view.status.text() == ""


@POPUPS
def test_names_from_the_records_are_shown_as_text(qtbot: QtBot, view: MapView,
                                                  demo_ctx: AppContext,
                                                  demo_summary: OperationSummary) -> None:
    name = "R&D <b>lab</b>"
    site_id = targets.add_record(demo_ctx, "site", demo_summary.id, targets.site_values(
        name, "BR", "America/Sao_Paulo", "-23.55", "-46.63", "<img src='x'>"))[0]
    _open(qtbot, view, demo_summary.id)
    where = view.canvas.site_pos(site_id)
    assert where is not None
    event = QHelpEvent(QEvent.Type.ToolTip, where, view.canvas.viewport().mapToGlobal(where))
    view.canvas.viewportEvent(event)
    assert "R&amp;D &lt;b&gt;lab&lt;/b&gt;" in QToolTip.text()
    assert "&lt;img src=&#x27;x&#x27;&gt;" in QToolTip.text()
    QToolTip.hideText()
    menu = view.canvas.choose_site([view.canvas.sites_at(where)[0]] * 2, QPoint(0, 0))
    assert menu.actions()[0].text() == "R&&D <b>lab</b> (planned)"
    menu.close()


def test_a_read_that_fails_says_so(qtbot: QtBot, view: MapView,
                                   demo_summary: OperationSummary,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_ctx: AppContext, _op_id: str) -> None:
        raise KnownError("The store is busy; try again in a moment.")

    monkeypatch.setattr("app.views.map_view.map_layers", refuse)
    with qtbot.waitSignal(view.drawn, timeout=10_000):
        view.set_operation(demo_summary.id)
    assert view.status.text() == ("The map could not be read: The store is busy; try again "
                                  "in a moment.")
    assert view.layers is None and view.op_id == demo_summary.id
