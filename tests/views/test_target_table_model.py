"""The targets table model: lazy pages, fetch-all for sort and filter, targeted updates."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.services.targets import TargetRow
from app.views.target_table_model import PAGE, TargetFilterProxy, TargetTableModel

KINDS = ("person", "wallet", "server")


def _rows(n: int) -> list[TargetRow]:
    return [TargetRow(f"id{i:05d}", f"Name {i:05d}", KINDS[i % 3], "KE" if i % 2 else "AO",
                      i % 4, i % 5, "AMBER", "") for i in range(n)]


class Store:
    def __init__(self, n: int) -> None:
        self.rows = _rows(n)
        self.calls: list[tuple[int, int]] = []

    def fetch(self, offset: int, limit: int) -> list[TargetRow]:
        self.calls.append((offset, limit))
        ordered = sorted(self.rows, key=lambda r: (r.name, r.id))
        return ordered[offset:offset + limit]


def _model(qtbot: QtBot, n: int) -> tuple[TargetTableModel, TargetFilterProxy, Store]:
    store = Store(n)
    model = TargetTableModel()
    proxy = TargetFilterProxy()
    proxy.setSourceModel(model)
    model.set_source(store.fetch, n)
    return model, proxy, store


def test_pages_are_fetched_lazily(qtbot: QtBot) -> None:
    model, _proxy, store = _model(qtbot, 1200)
    assert model.rowCount() == PAGE and store.calls == [(0, PAGE)]
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE
    model.fetch_all()
    assert model.rowCount() == 1200 and not model.canFetchMore(QModelIndex())
    assert [r.name for r in model.rows] == sorted(r.name for r in store.rows)


def test_filter_and_sort_fetch_everything_first(qtbot: QtBot) -> None:
    model, proxy, _store = _model(qtbot, 1200)
    proxy.set_filter("wallet", "")
    assert model.rowCount() == 1200 and proxy.rowCount() == 400
    proxy.set_filter("ao", "person")
    assert proxy.rowCount() == 200  # persons are even rows, all in Angola
    proxy.set_filter("", "")
    proxy.sort(4, Qt.SortOrder.DescendingOrder)
    values = [proxy.index(r, 4).data() for r in range(proxy.rowCount())]
    assert values == sorted(values, reverse=True)


def test_put_keeps_the_order_and_counts(qtbot: QtBot) -> None:
    model, _proxy, _store = _model(qtbot, 10)
    new = TargetRow("new", "Name 00003b", "person", "KE", 0, 0, "AMBER", "")
    model.put(new)
    assert [r.id for r in model.rows][3:5] == ["id00003", "new"]
    model.put(TargetRow("new", "AAA first", "person", "KE", 0, 0, "AMBER", ""))
    assert model.rows[0].id == "new" and model.rowCount() == 11
    model.remove_ids(["new", "id00000"])
    assert model.rowCount() == 9 and model.total() == 9


def test_put_beyond_the_fetched_pages_waits_for_its_page(qtbot: QtBot) -> None:
    model, _proxy, store = _model(qtbot, 1200)
    late = TargetRow("late", "Zulu", "person", "KE", 0, 0, "AMBER", "")
    store.rows.append(late)
    model.put(late)
    assert model.rowCount() == PAGE and model.total() == 1201
    model.fetch_all()
    assert model.rows[-1].id == "late" and model.rowCount() == 1201
