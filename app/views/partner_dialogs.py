"""Adding and trusting a partner: its root fingerprint, compared out of band, decides.

The fingerprint is shown large in eight groups; the person types what the partner read to
them (each group turns green or red as it is typed) or confirms that they compared every
group. A wrong fingerprint is refused by the service with one sentence and adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import KnownError
from app.services import exchange
from app.services.context import AppContext
from app.services.exchange import RosterPreview
from app.views.dialog_parts import cancel_and, error_label
from app.views.exchange_words import country_text, fingerprint_lines
from app.views.workers import settle_readers

GROUPS = 8
GROUP = 4


class PartnerLike(Protocol):
    """What the trust dialog needs of a partner (exchange.list_partners gives it)."""

    @property
    def agency_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def _chars(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


class FingerprintLabel(QWidget):
    """A root fingerprint, large, selectable, with a button that copies it."""

    def __init__(self, fingerprint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setObjectName("fingerprint")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 1.7)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.0)
        self.text.setFont(font)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy = QPushButton("Copy")
        self.copy.setToolTip("Copy the fingerprint, to send it by a channel the partner "
                             "trusts")
        self.copy.clicked.connect(self.copy_text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.copy, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addStretch(1)
        self.fingerprint = ""
        self.set_fingerprint(fingerprint)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.text.setText(fingerprint_lines(fingerprint))
        self.copy.setEnabled(bool(fingerprint))

    def copy_text(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.fingerprint)


class FingerprintCheckDialog(QDialog):
    """The shared part: who, the fingerprint held for them, and the check."""

    checked = Signal(str)  # the agency id, once added or trusted

    def __init__(self, context: Callable[[], AppContext], title: str, name: str,
                 country: str, expected: str, parent: QWidget | None = None,
                 source: str = "held for this agency") -> None:
        super().__init__(parent)
        self.context = context
        self.name = name
        self.expected = expected
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        facts = QFormLayout()
        agency = QLabel(f"<b>{name}</b>")
        agency.setObjectName("agency")
        agency.setTextFormat(Qt.TextFormat.RichText)
        facts.addRow("Agency:", agency)
        facts.addRow("Country:", QLabel(country_text(country)))
        self.facts = facts
        self.shown = FingerprintLabel(expected)
        self.shown.setObjectName("expected")
        how = QLabel(f"Call {name} on a number you already know (not one from this file or "
                     "from the message it came with) and have them read the fingerprint "
                     "from their Partners & sync page. Type it here:")
        how.setWordWrap(True)
        self.entry = QLineEdit()
        self.entry.setObjectName("entry")
        self.entry.setPlaceholderText("XXXX XXXX XXXX XXXX XXXX XXXX XXXX XXXX")
        self.entry.setFont(QFont("monospace"))
        self.entry.textChanged.connect(self._typed)
        self.groups = QLabel()
        self.groups.setObjectName("groups")
        self.groups.setTextFormat(Qt.TextFormat.RichText)
        self.confirm = QCheckBox(f"I compared all {GROUPS} groups with {name} and they are "
                                 "the same")
        self.confirm.setObjectName("confirm")
        self.confirm.toggled.connect(self._confirmed)
        self.error = error_label()
        self.ok = QPushButton("Trust")
        self.ok.setObjectName("ok")
        self.ok.setEnabled(False)
        self.ok.clicked.connect(self.submit)
        buttons = cancel_and(self, self.ok)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(facts)
        self.layout_.addWidget(QLabel(f"<b>Root fingerprint {source}</b>"))
        self.layout_.addWidget(self.shown)
        self.layout_.addSpacing(8)
        self.layout_.addWidget(how)
        self.layout_.addWidget(self.entry)
        self.layout_.addWidget(self.groups)
        self.layout_.addWidget(self.confirm)
        self.layout_.addWidget(self.error)
        self.layout_.addStretch(1)
        self.layout_.addLayout(buttons)
        self._typed("")

    def _typed(self, text: str) -> None:
        typed, want = _chars(text), _chars(self.expected)
        parts = []
        for i in range(GROUPS):
            got = typed[i * GROUP:(i + 1) * GROUP]
            if not got:
                parts.append("<span style='color:gray'>····</span>")
                continue
            same = got == want[i * GROUP:(i + 1) * GROUP]
            colour = "#1b7f3b" if same else "#b00020"
            parts.append(f"<span style='color:{colour}'>{got}{'✓' if same else '✗'}</span>")
        self.groups.setText("&nbsp;&nbsp;".join(parts))
        self.ok.setEnabled(len(typed) == GROUPS * GROUP)
        self.error.hide()

    def _confirmed(self, on: bool) -> None:
        self.entry.setReadOnly(on)
        if on:
            self.entry.setText(self.expected)
        else:
            self.entry.clear()

    def submit(self) -> None:
        settle_readers()
        try:
            agency_id = self.apply(self.entry.text())
        except KnownError as error:
            self.error.setText(str(error))
            self.error.show()
            self.adjustSize()
            self.entry.setFocus()
            self.entry.selectAll()
            return
        self.checked.emit(agency_id)
        self.accept()

    def apply(self, fingerprint: str) -> str:
        raise NotImplementedError


class AddPartnerDialog(FingerprintCheckDialog):
    """Add a partner from its roster file; nothing is stored until the fingerprint
    matches."""

    def __init__(self, context: Callable[[], AppContext], path: Path, preview: RosterPreview,
                 parent: QWidget | None = None) -> None:
        super().__init__(context, "Add partner", preview.name, preview.country,
                         preview.root_fingerprint, parent, "in this roster file")
        self.path = path
        self.facts.addRow("Roster file:", QLabel(path.name))
        self.facts.addRow("Roster version:", QLabel(str(preview.version)))
        self.ok.setText("Add and trust")

    def apply(self, fingerprint: str) -> str:
        return exchange.add_partner_from_file(self.context(), self.path, fingerprint).agency_id


class TrustPartnerDialog(FingerprintCheckDialog):
    """A partner first seen through a relay: its changes wait until it is trusted."""

    def __init__(self, context: Callable[[], AppContext], partner: PartnerLike,
                 parent: QWidget | None = None) -> None:
        super().__init__(context, "Trust partner", partner.name, partner.country,
                         partner.fingerprint, parent)
        self.agency_id = partner.agency_id
        why = QLabel(f"{partner.name}'s roster reached this store through another agency. "
                     "Its changes are held back until you have compared its fingerprint "
                     "with it directly.")
        why.setWordWrap(True)
        self.layout_.insertWidget(0, why)

    def apply(self, fingerprint: str) -> str:
        exchange.trust_partner(self.context(), self.agency_id, fingerprint)
        return self.agency_id
