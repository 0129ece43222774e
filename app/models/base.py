"""Declarative base and the sync fields every shareable record carries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Fixed namespace so shipped reference records get the same id in every store.
REFERENCE_NAMESPACE = uuid.UUID("6f1c2a52-3d0e-4f43-9b55-0c1f6c1d7a10")


def new_id() -> str:
    return str(uuid.uuid4())


def reference_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{key}"))


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and gives them back aware, on any backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class StampsJSON(TypeDecorator[dict[str, str]]):
    """The per-field stamps ({field: stamp}), held inverted ({stamp: [fields]}).

    Most writes stamp many fields with one stamp (every field of a new record), and a
    stamp is about 95 characters: held per field it made three quarters of a record's
    row, so of what an import encrypts and writes. Rows written before this form ({field:
    stamp}) are read as they are; the dict given back is the same either way."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: dict[str, str] | None,
                           dialect: Dialect) -> dict[str, list[str]] | None:
        if value is None:
            return None
        stamps = list(value.values())
        if stamps and stamps.count(stamps[0]) == len(stamps):  # a new record: one stamp
            return {stamps[0]: list(value)}
        inverted: dict[str, list[str]] = {}
        for name, stamp in value.items():
            fields = inverted.get(stamp)
            if fields is None:
                inverted[stamp] = [name]
            else:
                fields.append(name)
        return inverted

    def process_result_value(self, value: dict[str, Any] | None,
                             dialect: Dialect) -> dict[str, str] | None:
        if not value:
            return value
        stamps: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, list):
                stamps.update(dict.fromkeys(item, key))
            else:  # the earlier form, {field: stamp}
                stamps[key] = item
        return stamps


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class Shareable:
    """Sync fields: identity, ownership, scope, marking, per-field stamps, tombstone.

    ``stamps`` maps a field name to the HLC stamp text of its last write; merge uses it
    field by field. ``updated`` is the highest of those stamps, kept as a column so a
    delta ("everything since") is one indexed query.
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tlp: Mapped[str] = mapped_column(String(12), default="AMBER")
    stamps: Mapped[dict[str, Any]] = mapped_column(StampsJSON, default=dict)
    # Not indexed (nor owner_agency_id): no query looks a record up by either, and every
    # index is one more B-tree each import writes a row into (migration 0008).
    updated: Mapped[str] = mapped_column(String(100), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr
    def owner_agency_id(cls) -> Mapped[str | None]:  # noqa: N805
        return mapped_column(String(36), nullable=True)


class OperationScoped(Shareable):
    # False where a composite index starting with operation_id (op_live, op_name) serves
    # the same lookups: a second, single-column one would only cost writes.
    operation_index: ClassVar[bool] = True

    @declared_attr
    def operation_id(cls) -> Mapped[str | None]:  # noqa: N805
        return mapped_column(String(36), nullable=True, index=cls.operation_index)


def utcnow() -> datetime:
    return datetime.now(UTC)
