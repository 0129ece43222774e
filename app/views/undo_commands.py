"""Undoable edits of targets, sites and actions.

Each command calls services and hands the returned Change to the window, which
refreshes only what changed. The first run happens before the command is pushed, so a
refused edit (a ValidationError) never lands on the undo stack. Redo after undo brings
back the same records (tombstones lifted) rather than making new ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from app.services import targets
from app.services.changes import Change
from app.services.context import AppContext
from app.views.workers import settle_readers


@dataclass(frozen=True)
class Refresh:
    """What a command changed, and the target whose row and detail show it."""

    change: Change
    op_id: str
    target_id: str | None


@dataclass(frozen=True)
class CommandEnv:
    context: Callable[[], AppContext]
    changed: Callable[[Refresh], None]
    failed: Callable[[BaseException], None]


class ServiceCommand(QUndoCommand):
    def __init__(self, env: CommandEnv, text: str, op_id: str,
                 target_id: str | None = None) -> None:
        super().__init__(text)
        self.env = env
        self.op_id = op_id
        self.target_id = target_id
        self._skip_redo = False

    # Subclasses: the first run (may raise), then undo and redo.
    def first(self, ctx: AppContext) -> Change:
        raise NotImplementedError

    def backward(self, ctx: AppContext) -> Change:
        raise NotImplementedError

    def forward(self, ctx: AppContext) -> Change:
        raise NotImplementedError

    def push_to(self, stack: QUndoStack) -> None:
        """Run the command; push it when it worked. Known errors propagate, unpushed."""
        settle_readers()
        change = self.first(self.env.context())
        self._skip_redo = True
        stack.push(self)
        self.env.changed(Refresh(change, self.op_id, self.target_id))

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self._run(self.forward)

    def undo(self) -> None:
        self._run(self.backward)

    def _run(self, step: Callable[[AppContext], Change]) -> None:
        settle_readers()
        try:
            change = step(self.env.context())
        except Exception as error:
            self.setObsolete(True)
            self.env.failed(error)
            return
        self.env.changed(Refresh(change, self.op_id, self.target_id))


class AddTarget(ServiceCommand):
    def __init__(self, env: CommandEnv, op_id: str, values: dict[str, Any]) -> None:
        super().__init__(env, f"Add target {values.get('name', '')}", op_id)
        self.values = values

    def first(self, ctx: AppContext) -> Change:
        self.target_id, change = targets.add_record(ctx, "target", self.op_id, self.values)
        return change

    def backward(self, ctx: AppContext) -> Change:
        assert self.target_id is not None
        return targets.set_deleted(ctx, "target", self.target_id, True)

    def forward(self, ctx: AppContext) -> Change:
        assert self.target_id is not None
        return targets.set_deleted(ctx, "target", self.target_id, False)


class EditRecord(ServiceCommand):
    """Change fields of a target or an action; undo writes back the previous values."""

    def __init__(self, env: CommandEnv, op_id: str, target_id: str, kind: str,
                 record_id: str, values: dict[str, Any], text: str) -> None:
        super().__init__(env, text, op_id, target_id)
        self.kind = kind
        self.record_id = record_id
        self.values = values
        self.previous: dict[str, Any] = {}

    def first(self, ctx: AppContext) -> Change:
        self.previous = targets.record_values(ctx, self.kind, self.record_id,
                                              list(self.values))
        return targets.update_record(ctx, self.kind, self.record_id, self.values)

    def backward(self, ctx: AppContext) -> Change:
        return targets.update_record(ctx, self.kind, self.record_id, self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return targets.update_record(ctx, self.kind, self.record_id, self.values)


class DeleteRecord(ServiceCommand):
    """A tombstone; deleting a target takes its actions, and undo brings them back."""

    def __init__(self, env: CommandEnv, op_id: str, target_id: str, kind: str,
                 record_id: str, text: str) -> None:
        super().__init__(env, text, op_id, target_id)
        self.kind = kind
        self.record_id = record_id

    def first(self, ctx: AppContext) -> Change:
        return targets.set_deleted(ctx, self.kind, self.record_id, True)

    def backward(self, ctx: AppContext) -> Change:
        return targets.set_deleted(ctx, self.kind, self.record_id, False)

    def forward(self, ctx: AppContext) -> Change:
        return self.first(ctx)


class SaveAction(ServiceCommand):
    """Add an action, or edit one, maybe at a new site made for it (one undo step)."""

    def __init__(self, env: CommandEnv, op_id: str, target_id: str,
                 action_id: str | None, action: dict[str, Any],
                 new_site: dict[str, Any] | None, text: str) -> None:
        super().__init__(env, text, op_id, target_id)
        self.action_id = action_id
        self.editing = action_id is not None
        self.action = action
        self.new_site = new_site
        self.site_id: str | None = None
        self.previous: dict[str, Any] = {}

    def first(self, ctx: AppContext) -> Change:
        change = Change()
        values = dict(self.action)
        if self.new_site is not None:
            self.site_id, made = targets.add_record(ctx, "site", self.op_id, self.new_site)
            change.merge(made)
            values["site_id"] = self.site_id
        self.action = values
        if self.editing:
            assert self.action_id is not None
            self.previous = targets.record_values(ctx, "action", self.action_id, list(values))
            return change.merge(targets.update_record(ctx, "action", self.action_id, values))
        self.action_id, made = targets.add_record(ctx, "action", self.op_id, values)
        return change.merge(made)

    def backward(self, ctx: AppContext) -> Change:
        assert self.action_id is not None
        if self.editing:
            change = targets.update_record(ctx, "action", self.action_id, self.previous)
        else:
            change = targets.set_deleted(ctx, "action", self.action_id, True)
        if self.site_id is not None:
            change.merge(targets.set_deleted(ctx, "site", self.site_id, True))
        return change

    def forward(self, ctx: AppContext) -> Change:
        assert self.action_id is not None
        change = Change()
        if self.site_id is not None:
            change.merge(targets.set_deleted(ctx, "site", self.site_id, False))
        if self.editing:
            return change.merge(targets.update_record(ctx, "action", self.action_id,
                                                      self.action))
        return change.merge(targets.set_deleted(ctx, "action", self.action_id, False))
