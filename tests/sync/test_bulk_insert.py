"""insert_rows writes what Core's INSERT would: the same bound values, whatever the rows
share or repeat."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert, select, text

from app.models.records import Target
from app.services.context import AppContext
from app.sync.bulk_insert import insert_rows

TABLE = cast(Table, Target.__table__)


def _row(n: int, aliases: list[Any], stamps: dict[str, str]) -> dict[str, Any]:
    return {"id": f"t-{n}", "kind": "person", "name": f"T {n}", "aliases": aliases,
            "nationality": ["KE"], "stamps": stamps, "updated": "", "operation_id": None}


def test_the_same_rows_as_core_writes(ctx: AppContext) -> None:
    shared = {"name": "1/a/d", "kind": "1/a/d"}
    values: list[list[Any]] = [["a", "b"], ["a", "b"], [1], [True], [1.0], ["1"], [],
                               [{"x": 1}], [{"x": 1}], ["é", None]]
    mixed = {"name": "2/a/d", "kind": "3/a/d"}
    ours = [_row(n, list(v), shared if n % 2 else mixed) for n, v in enumerate(values)]
    core = [{**_row(n, list(v), shared if n % 2 else mixed), "id": f"c-{n}"}
            for n, v in enumerate(values)]
    with ctx.session() as session:
        insert_rows(session, TABLE, ours)
        session.execute(insert(TABLE), core)
    with ctx.store.engine.connect() as conn:
        raw = {row[0]: row[1:] for row in conn.execute(text(
            "SELECT id, aliases, nationality, stamps, deleted, tlp FROM target"))}
    for n in range(len(values)):
        assert raw[f"t-{n}"] == raw[f"c-{n}"], values[n]
    assert [raw[f"t-{n}"][0] for n in (2, 3, 4)] == ["[1]", "[true]", "[1.0]"]
    with ctx.session() as session:
        read = {i: s for i, s in session.execute(select(Target.id, Target.stamps))}
    assert read["t-1"] == shared and read["t-0"] == mixed
