"""Partners & sync page: our identity, adding a partner (a wrong fingerprint adds nothing),
trusting one met through a relay, TLP ceilings, what each has not received, and the
device and key actions with their confirmations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.services import exchange, operations, targets
from app.services.context import AppContext
from app.views.main_window import MainWindow
from app.views.partner_dialogs import AddPartnerDialog, TrustPartnerDialog
from app.views.partners_view import PENDING, PENDING_COLUMN, TRUSTED
from tests.sync.exchange_helpers import make_store, partner_from_file

WRONG = "AAAA BBBB CCCC DDDD EEEE FFFF GGGG HHHH"


AGENCIES = {"ke": ("Kenya DCI", "KE"), "ao": ("Angola SIC", "AO"), "zm": ("Zambia DEC", "ZM")}


@pytest.fixture
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[AppContext]]:
    """The stores a test names with ``@pytest.mark.parametrize("stores", [n], indirect=...)``
    or all three: made once each, closed after the test."""
    count = getattr(request, "param", 3)
    made = [make_store(tmp_path / key, *AGENCIES[key]) for key in list(AGENCIES)[:count]]
    yield made
    for ctx in made:
        ctx.close()


def _window(qtbot: QtBot, ctx: AppContext, folder: Path) -> MainWindow:
    win = MainWindow(ctx, folder)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _show_partners(win: MainWindow) -> None:
    win.exchange.partners_action.trigger()
    assert win.exchange.tabs.currentWidget() is win.exchange.partners


def _cell(win: MainWindow, row: int, column: int) -> str:
    return win.exchange.partners.table.item(row, column).text()


def _box(win: MainWindow, name: str) -> QMessageBox:
    boxes = [b for b in win.findChildren(QMessageBox, name) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


@pytest.mark.parametrize("stores", [1], indirect=True)
def test_our_identity_is_shown_and_copied(qtbot: QtBot, stores: list[AppContext],
                                          tmp_path: Path) -> None:
    ke = stores[0]
    win = _window(qtbot, ke, tmp_path / "ke")
    _show_partners(win)
    view = win.exchange.partners
    info = exchange.identity_info(ke)
    assert view.agency.text() == "Kenya DCI · Kenya (KE)"
    shown = view.fingerprint.text.text()
    assert shown.split() == info.root_fingerprint.split() and len(shown.split()) == 8
    assert shown.count("\n") == 1  # two lines of four groups
    assert view.roster.text() == str(info.roster_version)
    assert "(this device)" in view.devices.text()
    qtbot.mouseClick(view.fingerprint.copy, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == info.root_fingerprint
    assert view.empty.isVisible() and not view.table.isVisible()
    view.partner_actions.export_identity_to(tmp_path / "ke.roster")
    assert info.root_fingerprint in _box(win, "information").informativeText()
    assert exchange.read_roster_file(tmp_path / "ke.roster").name == "Kenya DCI"
    win.close()


@pytest.mark.parametrize("stores", [2], indirect=True)
def test_add_partner_refuses_a_wrong_fingerprint_then_adds(
        qtbot: QtBot, stores: list[AppContext], tmp_path: Path) -> None:
    ke, ao = stores
    roster = tmp_path / "angola.roster"
    exchange.export_identity(ao, roster)
    win = _window(qtbot, ke, tmp_path / "ke")
    _show_partners(win)
    dialog = win.exchange.partners.partner_actions.add_partner_from(roster)
    assert isinstance(dialog, AddPartnerDialog)
    assert dialog.findChild(type(dialog.error), "agency").text() == "<b>Angola SIC</b>"
    expected = exchange.identity_info(ao).root_fingerprint
    assert dialog.shown.text.text().split() == expected.split()
    assert not dialog.ok.isEnabled()
    dialog.entry.setText(WRONG)
    assert "✗" in dialog.groups.text()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text() == ("The fingerprint does not match the root key of Angola "
                                   "SIC's roster; compare it again with the partner, out of "
                                   "band.")
    assert exchange.list_partners(ke) == []
    assert win.exchange.partners.table.rowCount() == 0
    dialog.entry.setText(expected.lower().replace(" ", ""))  # as typed from a phone call
    assert dialog.groups.text().count("✓") == 8 and not dialog.error.isVisible()
    with qtbot.waitSignal(dialog.checked):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert [p.name for p in exchange.list_partners(ke)] == ["Angola SIC"]
    assert _cell(win, 0, 0) == "Angola SIC" and _cell(win, 0, 3) == TRUSTED
    assert _cell(win, 0, 1) == "Angola (AO)" and _cell(win, 0, 2) == expected
    assert "Angola SIC was added" in win.statusBar().currentMessage()
    win.close()


@pytest.mark.parametrize("stores", [2], indirect=True)
def test_confirming_the_groups_adds_and_a_bad_file_is_refused(
        qtbot: QtBot, stores: list[AppContext], tmp_path: Path) -> None:
    ke, ao = stores
    win = _window(qtbot, ke, tmp_path / "ke")
    junk = tmp_path / "junk.roster"
    junk.write_text("not a roster", encoding="utf-8")
    assert win.exchange.partners.partner_actions.add_partner_from(junk) is None
    assert _box(win, "errorBox").text() == \
        "The roster was refused: the file is not a JointOps roster."
    roster = tmp_path / "angola.roster"
    exchange.export_identity(ao, roster)
    dialog = win.exchange.partners.partner_actions.add_partner_from(roster)
    assert dialog is not None
    dialog.confirm.setChecked(True)
    assert dialog.entry.isReadOnly() and dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert [p.trust for p in exchange.list_partners(ke)] == ["trusted"]
    win.close()


def test_relayed_partner_is_pending_until_trusted(qtbot: QtBot,
                                                  stores: list[AppContext],
                                                  tmp_path: Path) -> None:
    ke, ao, zm = stores
    for a, b in [(ke, ao), (ao, ke), (ke, zm), (zm, ke)]:
        partner_from_file(a, b, tmp_path)
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    operations.add_participant(ke, op, zm.agency_id)
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "1.jopb")
    exchange.import_bundle(ao, tmp_path / "1.jopb")
    targets.add_record(ao, "target", op, targets.target_values("person", "AO find", "AO"))
    exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], tmp_path / "2.jopb")
    exchange.import_bundle(ke, tmp_path / "2.jopb")
    exchange.export_bundle(ke, "TIDE", ["Zambia DEC"], tmp_path / "3.jopb")
    exchange.import_bundle(zm, tmp_path / "3.jopb")
    win = _window(qtbot, zm, tmp_path / "zm")
    _show_partners(win)
    view = win.exchange.partners
    names = [_cell(win, r, 0) for r in range(view.table.rowCount())]
    assert names == ["Angola SIC", "Kenya DCI"]
    assert _cell(win, 0, 3) == PENDING and _cell(win, 1, 3) == TRUSTED
    assert _cell(win, 1, 7) != "never" and _cell(win, 1, 6) == "never"
    history = view.history
    assert history.rowCount() == 1 and history.item(0, 1).text() == "received from"
    view.table.selectRow(1)
    assert not view.trust.isEnabled()
    view.table.selectRow(0)
    assert view.trust.isEnabled()
    qtbot.mouseClick(view.trust, Qt.MouseButton.LeftButton)
    dialog = win.findChild(TrustPartnerDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.entry.setText(WRONG)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "The fingerprint does not match the root key of Angola SIC."
    assert next(p for p in exchange.list_partners(zm) if p.name == "Angola SIC").trust == \
        "pending"
    dialog.entry.setText(exchange.identity_info(ao).root_fingerprint)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert _cell(win, 0, 3) == TRUSTED
    win.close()


@pytest.mark.parametrize("stores", [2], indirect=True)
def test_ceiling_and_what_each_has_not_received(qtbot: QtBot,
                                                stores: list[AppContext],
                                                tmp_path: Path) -> None:
    ke, ao = stores
    for a, b in [(ke, ao), (ao, ke)]:
        partner_from_file(a, b, tmp_path)
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    targets.add_record(ke, "target", op, targets.target_values("person", "Amber", "KE"))
    targets.add_record(ke, "target", op, targets.target_values("person", "Green", "KE",
                                                               "GREEN"))
    win = _window(qtbot, ke, tmp_path / "ke")
    win.select_operation(op)
    _show_partners(win)
    view = win.exchange.partners
    assert view.operation.currentText() == "TIDE"
    qtbot.waitUntil(lambda: _cell(win, 0, PENDING_COLUMN) != "…")
    before = exchange.pending_for(ke, "TIDE", ao.agency_id)
    assert _cell(win, 0, PENDING_COLUMN) == f"{before} changes"
    combo = view.table.findChild(QComboBox, f"ceiling_{ao.agency_id}")
    assert combo.currentText() == "TLP:AMBER"
    combo.setCurrentText("TLP:GREEN")  # the AMBER target is then held back
    assert next(p for p in exchange.list_partners(ke)
                if p.name == "Angola SIC").tlp_ceiling == "GREEN"
    assert win.statusBar().currentMessage() == ("Angola SIC now receives records up to "
                                                "TLP:GREEN.")
    after = exchange.pending_for(ke, "TIDE", ao.agency_id)
    assert after < before
    qtbot.waitUntil(lambda: _cell(win, 0, PENDING_COLUMN) == f"{after} changes")
    combo.setCurrentText("TLP:AMBER")
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "a.jopb")
    exchange.import_bundle(ao, tmp_path / "a.jopb")
    exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], tmp_path / "b.jopb")  # acknowledges
    exchange.import_bundle(ke, tmp_path / "b.jopb")
    view.refresh()
    qtbot.waitUntil(lambda: _cell(win, 0, PENDING_COLUMN) == "up to date")
    assert [view.history.item(r, 1).text() for r in range(2)] == ["received from", "sent to"]
    win.close()


@pytest.mark.parametrize("stores", [1], indirect=True)
def test_rotate_and_revoke_ask_first(qtbot: QtBot, stores: list[AppContext],
                                     tmp_path: Path) -> None:
    ke = stores[0]
    win = _window(qtbot, ke, tmp_path / "ke")
    _show_partners(win)
    view = win.exchange.partners
    old = exchange.identity_info(ke).root_fingerprint
    qtbot.mouseClick(view.findChild(QPushButton, "rotateRoot"), Qt.MouseButton.LeftButton)
    box = _box(win, "question")
    assert "partners follow the change" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert exchange.identity_info(ke).root_fingerprint == old
    qtbot.mouseClick(view.findChild(QPushButton, "rotateRoot"), Qt.MouseButton.LeftButton)
    _box(win, "question").findChild(QPushButton, "yes").click()
    new = exchange.identity_info(ke).root_fingerprint
    assert new != old and new in _box(win, "information").text()
    assert view.fingerprint.fingerprint == new and view.roster.text() == "2"
    _box(win, "information").close()
    qtbot.mouseClick(view.findChild(QPushButton, "revokeDevice"), Qt.MouseButton.LeftButton)
    assert "no other device" in _box(win, "information").text()
    win.close()


@pytest.mark.parametrize("stores", [1], indirect=True)
def test_enrol_then_revoke_a_liaison_laptop(qtbot: QtBot, stores: list[AppContext],
                                            tmp_path: Path) -> None:
    from app.services.context import init_store
    from app.views.partner_actions import PartnerActions
    from tests.sync.exchange_helpers import PASSPHRASE

    hq = stores[0]
    win = _window(qtbot, hq, tmp_path / "ke")
    _show_partners(win)
    view = win.exchange.partners
    actions: PartnerActions = view.partner_actions
    qtbot.mouseClick(view.findChild(QPushButton, "enrolDevice"), Qt.MouseButton.LeftButton)
    choice = _box(win, "enrolChoice")
    assert "Write an offer file" in choice.informativeText()
    choice.button(QMessageBox.StandardButton.Cancel).click()
    actions.write_offer_to(tmp_path / "offer")
    assert "set the new device up from it" in win.statusBar().currentMessage()
    laptop, _ = init_store(tmp_path / "laptop", PASSPHRASE, "", "",
                           offer=exchange.read_offer(tmp_path / "offer"))
    try:
        exchange.enrolment_request(laptop, tmp_path / "request")
        junk = tmp_path / "junk"
        junk.write_text("{}", encoding="utf-8")
        actions.enrol_from(junk)
        assert _box(win, "errorBox").text().startswith("The enrolment request was refused")
        _box(win, "errorBox").close()
        assert exchange.identity_info(hq).roster_version == 1
        actions.enrol_from(tmp_path / "request")
        assert "(version 2)" in _box(win, "information").text()
        _box(win, "information").close()
        assert view.roster.text() == "2" and view.devices.text().count(",") == 1
        assert laptop.identity is not None
        laptop_id = laptop.identity.device_id
    finally:
        laptop.close()
    chooser = actions.revoke_device()
    assert chooser is not None
    items = chooser.comboBoxItems()  # only the other device: this one cannot revoke itself
    assert len(items) == 1 and laptop_id in items[0]
    chooser.textValueSelected.emit(chooser.comboBoxItems()[0])
    confirm = _box(win, "question")
    assert "cannot be undone" in confirm.informativeText()
    confirm.findChild(QPushButton, "yes").click()
    assert laptop_id not in {d.id for d in exchange.roster_devices(hq)}
    assert view.roster.text() == "3" and "," not in view.devices.text()
    assert "was revoked" in win.statusBar().currentMessage()
    win.lock()  # the page shows nothing of the store while locked
    assert view.fingerprint.fingerprint == "" and view.history.rowCount() == 0
    assert view.agency.text() == ""
    win.close()
