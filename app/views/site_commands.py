"""Undoable edits of sites, on the window's undo stack beside those of targets and actions.

As with the target commands, the first run happens before the push, so a refused edit
never lands on the stack; undo and redo bring back the same records (tombstones lifted),
and deleting a site takes its actions with it and its undo brings exactly those back.
"""

from __future__ import annotations

from typing import Any

from app.services import targets
from app.services.changes import Change
from app.services.context import AppContext
from app.views.undo_commands import CommandEnv, ServiceCommand


class AddSite(ServiceCommand):
    def __init__(self, env: CommandEnv, op_id: str, values: dict[str, Any]) -> None:
        super().__init__(env, f"Add site {values.get('name', '')}", op_id)
        self.values = values
        self.site_id: str | None = None

    def first(self, ctx: AppContext) -> Change:
        self.site_id, change = targets.add_record(ctx, "site", self.op_id, self.values)
        return change

    def backward(self, ctx: AppContext) -> Change:
        assert self.site_id is not None
        return targets.set_deleted(ctx, "site", self.site_id, True)

    def forward(self, ctx: AppContext) -> Change:
        assert self.site_id is not None
        return targets.set_deleted(ctx, "site", self.site_id, False)


class EditSite(ServiceCommand):
    """Change a site's fields; undo writes back the previous values."""

    def __init__(self, env: CommandEnv, op_id: str, site_id: str,
                 values: dict[str, Any]) -> None:
        super().__init__(env, f"Edit site {values.get('name', '')}", op_id)
        self.site_id = site_id
        self.values = values
        self.previous: dict[str, Any] = {}

    def first(self, ctx: AppContext) -> Change:
        self.previous = targets.record_values(ctx, "site", self.site_id, list(self.values))
        return targets.update_record(ctx, "site", self.site_id, self.values)

    def backward(self, ctx: AppContext) -> Change:
        return targets.update_record(ctx, "site", self.site_id, self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return targets.update_record(ctx, "site", self.site_id, self.values)


class DeleteSite(ServiceCommand):
    """A tombstone on the site and on its live actions; undo lifts exactly those."""

    def __init__(self, env: CommandEnv, op_id: str, site_id: str, name: str) -> None:
        super().__init__(env, f"Delete site {name}", op_id)
        self.site_id = site_id

    def first(self, ctx: AppContext) -> Change:
        return targets.set_deleted(ctx, "site", self.site_id, True)

    def backward(self, ctx: AppContext) -> Change:
        return targets.set_deleted(ctx, "site", self.site_id, False)

    def forward(self, ctx: AppContext) -> Change:
        return self.first(ctx)
