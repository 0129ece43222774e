"""A site's status is set in its form (Targets & sites), and a site shut down counts
among the outcomes; undo takes it back."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from test_sites import _select, _site, _sites

from app.services.context import AppContext
from app.services.operations import OperationSummary
from app.services.outcomes import outcomes
from app.views.main_window import MainWindow
from app.views.site_form import NewSiteDialog


def test_a_site_shut_down_from_its_form(qtbot: QtBot, window: MainWindow,
                                        demo_ctx: AppContext,
                                        demo_summary: OperationSummary) -> None:
    view = _sites(qtbot, window, demo_summary)
    before = outcomes(demo_ctx, demo_summary.id).sites_shut_down
    _select(view, "Viana warehouse")
    fields = view.form.fields
    assert fields.status.currentText() == "planned"
    assert not view.form.save.isEnabled()
    fields.status.setCurrentText("shut down")
    assert view.form.save.isEnabled() and view.form.is_edited()
    view.form.save.click()
    site = _site(demo_ctx, demo_summary.id, "Viana warehouse")
    assert site is not None and site.status == "shut down"
    assert outcomes(demo_ctx, demo_summary.id).sites_shut_down == before + 1
    assert fields.status.currentText() == "shut down" and not view.form.save.isEnabled()
    window.stack.undo()
    site = _site(demo_ctx, demo_summary.id, "Viana warehouse")
    assert site is not None and site.status == "planned"
    assert outcomes(demo_ctx, demo_summary.id).sites_shut_down == before


def test_a_new_site_with_a_status(qtbot: QtBot) -> None:
    dialog = NewSiteDialog(lambda _code: None)
    qtbot.addWidget(dialog)
    dialog.fields.name.setText("Kitwe depot")
    dialog.fields.country.set_code("ZM")
    dialog.fields.status.setCurrentText("searched")
    dialog.check_and_accept()
    assert dialog.values["status"] == "searched" and dialog.values["country"] == "ZM"
