"""What the Partners & sync page does to identities: export ours, add and trust partners,
enrol, rotate and revoke. Each action that changes keys asks first and says what it does.

The ``*_from(path)`` methods do the work once a file is chosen, so they can be driven
without a file dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.core.errors import KnownError
from app.services import exchange
from app.services.context import AppContext
from app.views.messages import show_error
from app.views.partner_dialogs import AddPartnerDialog, PartnerLike, TrustPartnerDialog
from app.views.workers import settle_readers

ROSTER_FILTER = "JointOps rosters (*.roster *.json);;All files (*)"


def ask(parent: QWidget, title: str, text: str, yes: str, on_yes: Callable[[], None],
        detail: str = "") -> QMessageBox:
    """A window-modal question that does not block: ``on_yes`` runs if ``yes`` is clicked."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("question")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if detail:
        box.setInformativeText(detail)
    go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    go.setObjectName("yes")
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.buttonClicked.connect(lambda button: on_yes() if button is go else None)
    box.open()
    return box


def tell(parent: QWidget, title: str, text: str, detail: str = "") -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("information")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if detail:
        box.setInformativeText(detail)
    box.open()
    return box


class PartnerActions(QObject):
    """``changed`` follows every action that changed identities or partners."""

    changed = Signal()
    status = Signal(str)

    def __init__(self, context: Callable[[], AppContext], parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.parent_widget = parent

    def _failed(self, error: BaseException) -> None:
        show_error(self.parent_widget, error)

    # ---- our identity ----------------------------------------------------------------

    def export_identity(self) -> None:
        name = exchange.identity_info(self.context()).name
        default = f"{name.replace(' ', '-')}.roster"
        path, _filter = QFileDialog.getSaveFileName(self.parent_widget, "Export our identity",
                                                    default, ROSTER_FILTER)
        if path:
            self.export_identity_to(Path(path))

    def export_identity_to(self, path: Path) -> None:
        try:
            exchange.export_identity(self.context(), path)
            info = exchange.identity_info(self.context())
        except (KnownError, OSError) as error:
            self._failed(error if isinstance(error, KnownError)
                         else KnownError(f"{path} cannot be written."))
            return
        tell(self.parent_widget, "Identity exported",
             f"The roster of {info.name} was written to {path}.",
             "Give the file to the partner (it holds no secret). Before they add it, read "
             f"them this fingerprint by phone or in person:\n\n{info.root_fingerprint}")
        self.status.emit(f"Identity written to {path}.")

    # ---- partners --------------------------------------------------------------------

    def add_partner(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self.parent_widget, "Add partner: choose "
                                                    "its roster file", "", ROSTER_FILTER)
        if path:
            self.add_partner_from(Path(path))

    def add_partner_from(self, path: Path) -> AddPartnerDialog | None:
        try:
            preview = exchange.read_roster_file(path)
        except KnownError as error:
            self._failed(error)
            return None
        dialog = AddPartnerDialog(self.context, path, preview, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.checked.connect(lambda _id: self._partner_done(f"{preview.name} was added and "
                                                              "is trusted."))
        dialog.open()
        return dialog

    def trust(self, partner: PartnerLike) -> TrustPartnerDialog:
        dialog = TrustPartnerDialog(self.context, partner, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.checked.connect(lambda _id: self._partner_done(f"{partner.name} is trusted."))
        dialog.open()
        return dialog

    def _partner_done(self, text: str) -> None:
        self.status.emit(text)
        self.changed.emit()

    # ---- devices and keys ------------------------------------------------------------

    def enrol_device(self) -> QMessageBox:
        """Two steps, on two machines: an offer file for the new device, then its
        request file back here."""
        box = QMessageBox(QMessageBox.Icon.Question, "Enrol a device",
                          "Add another device of this agency (a liaison's laptop) to the "
                          "roster, so that it can send and receive bundles in its name.",
                          QMessageBox.StandardButton.NoButton, self.parent_widget)
        box.setObjectName("enrolChoice")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setInformativeText(
            "1. Write an offer file and take it to the new device; it is set up from it "
            "and writes a request file.\n2. Bring the request file back here and enrol "
            "it. The device learns it is enrolled from the next bundle sent to this agency.")
        offer = box.addButton("1. Write offer…", QMessageBox.ButtonRole.ActionRole)
        offer.setObjectName("offer")
        request = box.addButton("2. Enrol from request…", QMessageBox.ButtonRole.ActionRole)
        request.setObjectName("request")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda b: self._enrol_step(1 if b is offer else
                                                             2 if b is request else 0))
        box.open()
        return box

    def _enrol_step(self, step: int) -> None:
        if step == 1:
            path, _f = QFileDialog.getSaveFileName(self.parent_widget, "Write enrolment offer",
                                                   "enrolment.offer", "All files (*)")
            if path:
                self.write_offer_to(Path(path))
        elif step == 2:
            path, _f = QFileDialog.getOpenFileName(self.parent_widget, "Enrol from request",
                                                   "", "All files (*)")
            if path:
                self.enrol_from(Path(path))

    def write_offer_to(self, path: Path) -> None:
        try:
            exchange.enrolment_offer(self.context(), path)
        except KnownError as error:
            self._failed(error)
            return
        self.status.emit(f"Enrolment offer written to {path}; set the new device up from it.")

    def enrol_from(self, path: Path) -> None:
        settle_readers()
        try:
            device = exchange.enrol_device(self.context(), path)
            version = exchange.identity_info(self.context()).roster_version
        except KnownError as error:
            self._failed(error)
            return
        tell(self.parent_widget, "Device enrolled",
             f"{device.name} is in the roster (version {version}).",
             "It learns this from the next bundle sent to this agency: Send bundle…, "
             "choosing this agency's own devices.")
        self.changed.emit()

    def rotate_root(self) -> QMessageBox:
        return ask(self.parent_widget, "Rotate root key",
                   "Replace this agency's root key with a new one?", "Rotate root key",
                   self.rotate_root_now,
                   "Do this if the root key may be exposed. The next roster is signed by "
                   "the old key and the new one, so partners follow the change with the "
                   "next bundle they receive. The fingerprint changes: tell every partner "
                   "the new one.")

    def rotate_root_now(self) -> None:
        settle_readers()
        try:
            fingerprint = exchange.rotate_root(self.context())
        except KnownError as error:
            self._failed(error)
            return
        tell(self.parent_widget, "Root key rotated", "The new root fingerprint is:\n\n"
             f"{fingerprint}", "Partners follow with the next bundle they receive; tell them "
             "the new fingerprint so they can check it.")
        self.changed.emit()

    def revoke_device(self) -> QInputDialog | None:
        ctx = self.context()
        me = exchange.identity_info(ctx).device_id
        devices = [d for d in exchange.roster_devices(ctx) if d.id != me]
        if not devices:
            tell(self.parent_widget, "Revoke device", "This agency has no other device to "
                 "revoke; this device cannot revoke itself.")
            return None
        dialog = QInputDialog(self.parent_widget)
        dialog.setObjectName("revokeChoice")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle("Revoke device")
        dialog.setLabelText("Device to revoke (lost, stolen or retired):")
        dialog.setComboBoxItems([f"{d.name} ({d.id})" for d in devices])
        dialog.setComboBoxEditable(False)
        dialog.textValueSelected.connect(
            lambda text: self.confirm_revoke(devices[[f"{d.name} ({d.id})" for d in devices]
                                                     .index(text)].id, text))
        dialog.open()
        return dialog

    def confirm_revoke(self, device_id: str, label: str) -> QMessageBox:
        return ask(self.parent_widget, "Revoke device", f"Revoke {label}?", "Revoke device",
                   lambda: self.revoke_now(device_id),
                   "Its key is listed as revoked in the next roster: partners refuse "
                   "anything it signs once they receive a bundle from this agency. This "
                   "cannot be undone; the device would have to be enrolled again.")

    def revoke_now(self, device_id: str) -> None:
        settle_readers()
        try:
            device = exchange.revoke_device(self.context(), device_id)
        except KnownError as error:
            self._failed(error)
            return
        self.status.emit(f"{device.name} was revoked; partners refuse what it signs once "
                         "they receive the next bundle.")
        self.changed.emit()
