"""Undoable timing edits: the operation's H-hour, and an action's judicial authorisation."""

from __future__ import annotations

from datetime import datetime

from app.services import jurisdictions, targets, timing
from app.services.changes import Change
from app.services.context import AppContext
from app.views.undo_commands import CommandEnv, ServiceCommand


def h_hour_text(h_hour: datetime | None) -> str:
    return f"{h_hour:%Y-%m-%d %H:%M} UTC" if h_hour else "not set"


class SetHHour(ServiceCommand):
    """``op_id`` names the operation (the timing services take a codename or an id)."""

    def __init__(self, env: CommandEnv, op_id: str, h_hour: datetime | None,
                 previous: datetime | None) -> None:
        text = f"Set H-hour to {h_hour_text(h_hour)}" if h_hour else "Clear H-hour"
        super().__init__(env, text, op_id)
        self.h_hour = h_hour
        self.previous = previous

    def first(self, ctx: AppContext) -> Change:
        return timing.set_h_hour(ctx, self.op_id, self.h_hour)

    def backward(self, ctx: AppContext) -> Change:
        return timing.set_h_hour(ctx, self.op_id, self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return self.first(ctx)


class Authorise(ServiceCommand):
    """Record (or, with an empty reference, withdraw) a judicial authorisation."""

    FIELDS = ("authorisation_ref", "authorisation_date")

    def __init__(self, env: CommandEnv, op_id: str, action_id: str, reference: str,
                 issued: str, text: str) -> None:
        super().__init__(env, text, op_id)
        self.action_id = action_id
        self.reference = reference
        self.issued = issued
        self.previous = ("", "")

    def first(self, ctx: AppContext) -> Change:
        before = targets.record_values(ctx, "action", self.action_id, list(self.FIELDS))
        self.previous = (str(before["authorisation_ref"] or ""),
                         str(before["authorisation_date"] or ""))
        return self.forward(ctx)

    def backward(self, ctx: AppContext) -> Change:
        return jurisdictions.authorise(ctx, self.action_id, *self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return jurisdictions.authorise(ctx, self.action_id, self.reference, self.issued)
