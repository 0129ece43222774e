"""Undoable legal edits: a person target's requesting states (with its nationalities and
travels), and the operation's victims' states."""

from __future__ import annotations

from typing import Any

from app.services import legal, targets
from app.services.changes import Change
from app.services.context import AppContext
from app.views.undo_commands import CommandEnv, ServiceCommand

LEGAL_FIELDS = ["wanted_by", "nationality", "travels"]


class SetTargetLegal(ServiceCommand):
    def __init__(self, env: CommandEnv, op_id: str, target_id: str, name: str,
                 wanted_by: list[str], nationality: list[str], travels: list[str]) -> None:
        super().__init__(env, f"Set requesting states of {name}", op_id, target_id)
        self.record_id = target_id
        self.wanted_by = wanted_by
        self.nationality = nationality
        self.travels = travels
        self.previous: dict[str, Any] = {}

    def first(self, ctx: AppContext) -> Change:
        self.previous = targets.record_values(ctx, "target", self.record_id, LEGAL_FIELDS)
        self.previous = {k: list(v or []) for k, v in self.previous.items()}
        return self.forward(ctx)

    def backward(self, ctx: AppContext) -> Change:
        return targets.update_record(ctx, "target", self.record_id, self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return legal.set_target_legal(ctx, self.op_id, self.record_id, self.wanted_by,
                                      self.nationality, self.travels)


class SetVictimStates(ServiceCommand):
    def __init__(self, env: CommandEnv, op_id: str, states: list[str],
                 previous: list[str]) -> None:
        text = (f"Set victims' states to {', '.join(states)}" if states
                else "Clear victims' states")
        super().__init__(env, text, op_id)
        self.states = states
        self.previous = previous

    def first(self, ctx: AppContext) -> Change:
        return self.forward(ctx)

    def backward(self, ctx: AppContext) -> Change:
        return legal.set_victim_states(ctx, self.op_id, self.previous)

    def forward(self, ctx: AppContext) -> Change:
        return legal.set_victim_states(ctx, self.op_id, self.states)
