"""The Legal tab on a small operation: a person held in Angola, an Angolan national wanted
by China (barred: Angola does not extradite its nationals, and no instrument with China
lifts that), and a German held in Germany wanted by France (a route under the European
Arrest Warrant, which lifts the German bar). The list, the drawing of the selected
target's route, the requesting-states and victims' states dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from app.services import legal, operations, targets
from app.services.context import AppContext
from app.views.legal_view import LegalView
from app.views.main_window import MainWindow
from app.views.readiness_model import Node
from app.views.readiness_tree import ReadinessTree

OP = "LEGAL GUI"
# matplotlib's Qt backend asks Qt about a high-DPI attribute that Qt 6 deprecated.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*AA_UseHighDpiPixmaps:DeprecationWarning")


def add_person(ctx: AppContext, op_id: str, name: str, country: str,
               nationality: list[str], wanted_by: list[str]) -> str:
    """A person whose arrest is planned where it is (its country), as the services'
    tests set them up."""
    target_id, _ = targets.add_record(ctx, "target", op_id,
                                      targets.target_values("person", name, country))
    targets.add_record(ctx, "action", op_id, targets.action_values(
        "arrest", target_id, None, ctx.agency_id))
    legal.set_target_legal(ctx, OP, name, wanted_by, nationality)
    return target_id


@pytest.fixture
def op(ctx: AppContext) -> str:
    op_id, _ = operations.create_operation(ctx, OP)
    add_person(ctx, op_id, "Ana Angolan", "AO", ["AO"], ["CN"])
    add_person(ctx, op_id, "Gerd German", "DE", ["DE"], ["FR"])
    return op_id


def checked(qtbot: QtBot, view: LegalView, step: Callable[[], Any]) -> Any:
    """Do ``step`` and wait until the readiness check it causes is on screen."""
    with qtbot.waitSignal(view.reported, timeout=10_000):
        result = step()
    return result


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, op: str, store_dir: Path) -> Iterator[MainWindow]:
    win = MainWindow(ctx, store_dir)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.select_operation(op)
    view = win.workspace.legal
    checked(qtbot, view, lambda: win.workspace.tabs.setCurrentWidget(view))
    yield win
    win.close()


def _view(window: MainWindow) -> LegalView:
    return window.workspace.legal


def _person(tree: ReadinessTree, name: str) -> Node:
    return tree.person(name)


def _children(node: Node) -> list[str]:
    return [child.text(0) for child in node.children]


def _warnings(tree: ReadinessTree) -> list[tuple[str, str]]:
    section = tree.warnings_section
    assert section is not None
    return [(child.text(0), child.text(1)) for child in section.children]


def test_the_list_shows_each_person_with_its_verdict(window: MainWindow) -> None:
    view = _view(window)
    tree = view.tree
    angolan, german = _person(tree, "Ana Angolan"), _person(tree, "Gerd German")
    assert (angolan.text(1), angolan.text(2)) == ("barred, fallback only", "medium")
    assert (german.text(1), german.text(2)) == ("route via EU_EAW", "high")
    (answer,) = angolan.children
    assert answer.text(0) == "Wanted by China (CN), held in Angola"
    lines = _children(answer)
    assert lines[0].startswith("Why: The person is a national of AO, which does not "
                               "extradite its own nationals")
    assert lines[1].startswith("Fallback: Prosecution in AO (aut dedere aut judicare)")
    # The data it rests on, with its source, as-of date and confidence.
    assert lines[2].startswith("Rests on: nationals entry, AO: does not extradite its own "
                               "nationals · confidence medium · as of ")
    assert " · source " in lines[2]
    (to_france,) = german.children
    assert any(line.startswith("Rests on: EU_EAW (European Arrest Warrant")
               for line in _children(to_france))
    # One warning, the barred arrest; the route to France needs none.
    assert _warnings(tree) == [("Target Ana Angolan", "barred, fallback only")]
    assert view.banner.property("level") == "bad"
    assert "Not ready: 1 barred (fallback only)" in view.banner.text()
    assert "Ready:" not in view.banner.text()


def test_a_selected_line_shows_its_reason_and_data(window: MainWindow) -> None:
    view = _view(window)
    section = view.tree.warnings_section
    assert section is not None
    view.tree.set_current(section.children[0])
    text = view.detail.toPlainText()
    assert "BARRED, FALLBACK ONLY" in text and "Ana Angolan" in text
    assert "Fallback: Prosecution in AO" in text
    assert "Nationals entry: AO: does not extradite its own nationals" in text
    assert "confidence medium" in text
    assert view.requesting.isEnabled()  # the warning is about a person target


def test_selecting_a_target_highlights_its_route(window: MainWindow) -> None:
    view = _view(window)
    drawing = view.drawing
    assert drawing is not None and drawing.map is not None
    assert drawing.map.states == ("AO", "DE", "CN", "FR")  # where held, then who wants
    assert drawing.map.highlighted_edges() == set()
    edge = drawing.map.edge("DE", "FR")
    assert edge is not None and {r.key for r in edge.known} >= {"EU_EAW", "CETS_024"}
    view.tree.set_current(_person(view.tree, "Gerd German"))
    assert drawing.map.subject == "Gerd German"
    assert drawing.map.highlighted_edges() == {("DE", "FR", "EU_EAW")}
    view.tree.set_current(_person(view.tree, "Ana Angolan"))
    assert drawing.map.highlighted_edges() == set()  # barred: no route to highlight
    assert [(line.a, line.b, line.status) for line in drawing.map.lines] == [
        ("AO", "CN", "barred")]
    assert drawing.map.lines[0].label() == "barred: fallback only"
    # A child line (the route to France) selects its person too.
    german = _person(view.tree, "Gerd German")
    view.tree.set_current(german.children[0])
    assert drawing.map.highlighted_edges() == {("DE", "FR", "EU_EAW")}


def test_requesting_states_refuses_an_unknown_code_and_saves_a_good_one(
        qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    view = _view(window)
    angolan = _person(view.tree, "Ana Angolan")
    target_id = angolan.record_id
    view.tree.set_current(angolan)
    dialog = view.ask_target_legal()
    assert dialog is not None
    assert dialog.wanted.edit.text() == "CN" and dialog.nationality.edit.text() == "AO"
    dialog.wanted.edit.setText("CN, XX")
    assert "Not a country code: XX" in dialog.wanted.names.text()
    before = targets.record_values(ctx, "target", target_id, ["wanted_by", "stamps"])
    dialog.try_save()
    assert "Unknown country code 'XX'" in dialog.problem.text()
    assert dialog.isVisible()
    assert targets.record_values(ctx, "target", target_id,
                                 ["wanted_by", "stamps"]) == before
    # Wanted at home: her own courts try her, and the operation is ready.
    dialog.wanted.edit.setText("ao")
    assert dialog.wanted.names.text() == "Angola"
    checked(qtbot, view, dialog.try_save)
    assert not shiboken6.isValid(dialog)  # closed and gone
    assert targets.record_values(ctx, "target", target_id, ["wanted_by"]) == {
        "wanted_by": ["AO"]}
    angolan = _person(view.tree, "Ana Angolan")
    assert angolan.text(1) == "tried at home: no extradition needed"
    assert view.tree.selection() is not None  # still selected after the list was redone
    assert _warnings(view.tree) == []
    assert view.banner.property("level") == "ready"
    assert ("Ready: every planned arrest has a route and every seizure abroad a basis"
            in view.banner.text())
    # Undo brings China back, and the list follows.
    checked(qtbot, view, window.undo_action.trigger)
    assert _person(view.tree, "Ana Angolan").text(1) == "barred, fallback only"
    assert targets.record_values(ctx, "target", target_id, ["wanted_by"]) == {
        "wanted_by": ["CN"]}


def test_requesting_states_need_a_selected_person(window: MainWindow) -> None:
    view = _view(window)
    view.tree.set_current(None)
    assert not view.requesting.isEnabled()
    assert view.ask_target_legal() is None


def test_victims_states(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    view = _view(window)
    assert "victims' states: Kenya (the lead agency's country)" in view.banner.text()
    dialog = view.ask_victims()
    assert dialog is not None
    assert dialog.states.edit.text() == ""  # none set: the lead agency's stands in
    dialog.states.edit.setText("KE ZZ")
    dialog.try_save()
    assert "Unknown country code 'ZZ'" in dialog.problem.text()
    assert legal.legal_report(ctx, OP).victim_states_from == "lead agency"
    dialog.states.edit.setText("KE, ZM")
    checked(qtbot, view, dialog.try_save)
    assert not shiboken6.isValid(dialog)
    report = legal.legal_report(ctx, OP)
    assert report.readiness.victim_states == ("KE", "ZM")
    assert report.victim_states_from == "operation"
    assert "victims' states: Kenya, Zambia" in view.banner.text()
    assert "lead agency" not in view.banner.text()
