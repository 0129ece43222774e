"""What the file imports (plans, transfers, address labels) share: the report of refused
rows, cancel, and leaving the transaction so that nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.csv_rows import RowError
from app.services.changes import Change

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

# A file whose every row is wrong (a wrong mapping, say) would otherwise list
# hundreds of thousands of identical reasons; the count of refused rows stays exact.
MAX_LISTED_ERRORS = 10_000


class RollbackSignal(Exception):  # noqa: N818 (a signal, not an error)
    """Leaves the import's transaction so that it is rolled back."""


@dataclass(kw_only=True)
class FileImportReport:
    """An import is all or nothing: ``imported`` False means nothing was written but the
    audit entry. ``errors`` lists refused rows (at most MAX_LISTED_ERRORS; ``rows_refused``
    counts them all)."""

    rows_read: int = 0
    rows_refused: int = 0
    errors: list[RowError] = field(default_factory=list)
    cancelled: bool = False
    change: Change = field(default_factory=Change)

    @property
    def imported(self) -> bool:
        return not self.cancelled and self.rows_refused == 0

    def refuse(self, error: RowError) -> None:
        self.rows_refused += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)

    def nothing_imported(self, rows: str) -> str | None:
        """Why nothing was imported (``rows``: what the file holds), or None."""
        if self.cancelled:
            return "The import was cancelled; nothing was imported."
        if self.rows_refused:
            return (f"{self.rows_refused} of {self.rows_read} {rows} were refused; nothing "
                    "was imported. Correct them and import the file again.")
        return None
