"""What a use case changed, so views refresh only that, and how writes are stamped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.hlc import HybridClock, Stamp
from app.models.base import Shareable


@dataclass
class Change:
    """Ids of records a service call created, updated or deleted, by record kind."""

    created: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)

    def add(self, bucket: str, kind: str, record_id: str) -> None:
        getattr(self, bucket).setdefault(kind, []).append(record_id)

    def merge(self, other: Change) -> Change:
        for bucket in ("created", "updated", "deleted"):
            mine: dict[str, list[str]] = getattr(self, bucket)
            for kind, ids in getattr(other, bucket).items():
                mine.setdefault(kind, []).extend(ids)
        return self

    def kinds(self) -> set[str]:
        return set(self.created) | set(self.updated) | set(self.deleted)

    def count(self, bucket: str, kind: str) -> int:
        return len(getattr(self, bucket).get(kind, []))


def stamp_write(record: Shareable, values: dict[str, Any], clock: HybridClock) -> list[str]:
    """Set ``values`` on ``record``, stamping each field that really changed.

    Returns the names of the changed fields. A new record has every field stamped.
    """
    stamp: Stamp | None = None
    stamps = dict(record.stamps or {})
    changed = []
    for name, value in values.items():
        if getattr(record, name, None) == value and name in stamps:
            continue
        setattr(record, name, value)
        stamp = stamp or clock.tick()
        stamps[name] = stamp.encode()
        changed.append(name)
    if stamp is not None:
        record.stamps = stamps
        record.updated = stamp.encode()
    return changed
