"""Undoable edits of victims and asset records, on the window's undo stack beside the
edits of targets and sites. As there, the first run happens before the push, so a
refused edit never lands on the stack, and undo of an add lifts the same record back."""

from __future__ import annotations

from typing import Any

from app.services import outcome_records as records
from app.services.changes import Change
from app.services.context import AppContext
from app.views.undo_commands import CommandEnv, ServiceCommand

WHAT = {"victim": "victim", "asset_record": "asset record"}


class AddOutcome(ServiceCommand):
    def __init__(self, env: CommandEnv, op_id: str, kind: str, values: dict[str, Any],
                 name: str) -> None:
        super().__init__(env, f"Add {WHAT[kind]} {name}", op_id)
        self.kind = kind
        self.values = values
        self.record_id: str | None = None

    def first(self, ctx: AppContext) -> Change:
        self.record_id, change = records.add_record(ctx, self.kind, self.op_id, self.values)
        return change

    def backward(self, ctx: AppContext) -> Change:
        assert self.record_id is not None
        return records.set_deleted(ctx, self.kind, self.record_id, True)

    def forward(self, ctx: AppContext) -> Change:
        assert self.record_id is not None
        return records.set_deleted(ctx, self.kind, self.record_id, False)


class EditOutcome(ServiceCommand):
    """Change a victim's or an asset record's fields; undo writes back the old values."""

    def __init__(self, env: CommandEnv, op_id: str, kind: str, record_id: str,
                 values: dict[str, Any], name: str) -> None:
        super().__init__(env, f"Edit {WHAT[kind]} {name}", op_id)
        self.kind = kind
        self.record_id = record_id
        self.values = values
        self.previous: dict[str, Any] = {}

    def first(self, ctx: AppContext) -> Change:
        self.previous = records.record_values(ctx, self.kind, self.record_id, self.values)
        return records.update_record(ctx, self.kind, self.record_id, self.values)

    def backward(self, ctx: AppContext) -> Change:
        return records.update_record(ctx, self.kind, self.record_id, self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return records.update_record(ctx, self.kind, self.record_id, self.values)


class DeleteOutcome(ServiceCommand):
    def __init__(self, env: CommandEnv, op_id: str, kind: str, record_id: str,
                 name: str) -> None:
        super().__init__(env, f"Delete {WHAT[kind]} {name}", op_id)
        self.kind = kind
        self.record_id = record_id

    def first(self, ctx: AppContext) -> Change:
        records.record_values(ctx, self.kind, self.record_id, [])  # gone already: refused
        return records.set_deleted(ctx, self.kind, self.record_id, True)

    def backward(self, ctx: AppContext) -> Change:
        return records.set_deleted(ctx, self.kind, self.record_id, False)

    def forward(self, ctx: AppContext) -> Change:
        return records.set_deleted(ctx, self.kind, self.record_id, True)
