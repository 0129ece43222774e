"""The report the file imports share: every refused row counted, a bounded list of them."""

from __future__ import annotations

import pytest

from app.core.csv_rows import RowError
from app.services import file_import
from app.services.file_import import FileImportReport


def test_refused_rows_are_all_counted_and_the_list_is_bounded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_import, "MAX_LISTED_ERRORS", 3)
    report = FileImportReport(rows_read=5)
    for line in range(1, 6):
        report.refuse(RowError(line, "bad amount"))
    assert report.rows_refused == 5 and [e.line for e in report.errors] == [1, 2, 3]
    assert not report.imported
    assert report.nothing_imported("labels") == (
        "5 of 5 labels were refused; nothing was imported. Correct them and import the "
        "file again.")


def test_a_cancelled_import_says_so_and_a_clean_one_says_nothing() -> None:
    assert FileImportReport().nothing_imported("rows") is None
    cancelled = FileImportReport(cancelled=True)
    assert cancelled.nothing_imported("rows") == ("The import was cancelled; nothing was "
                                                  "imported.")
    assert not cancelled.imported
