"""How the exchange views say things: record kinds, counts, countries and times in words a
commander reads at a glance."""

from __future__ import annotations

from datetime import UTC, datetime

from app.core.countries import country

KIND_NAMES = {"agency": ("agency", "agencies"), "jurisdiction": ("jurisdiction",
              "jurisdictions"), "instrument": ("legal instrument", "legal instruments"),
              "operation": ("operation", "operations"),
              "participant": ("participating agency", "participating agencies"),
              "target": ("target", "targets"), "site": ("site", "sites"),
              "action": ("action", "actions"), "wallet": ("wallet", "wallets"),
              "transfer": ("transfer", "transfers"),
              "freeze_request": ("freeze request", "freeze requests"),
              "note": ("note", "notes")}


def kind_name(kind: str, n: int = 1) -> str:
    one, many = KIND_NAMES.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + "s"))
    return one if n == 1 else many


def counted(n: int, one: str, many: str = "") -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def kinds_text(by_kind: dict[str, int]) -> str:
    """``{"target": 2, "site": 1}`` as "2 targets, 1 site", largest first."""
    items = sorted(by_kind.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{n:,} {kind_name(kind, n)}" for kind, n in items)


def country_text(code: str) -> str:
    found = country(code)
    return f"{found.name} ({code})" if found else code


def when_text(moment: datetime | None, never: str = "never") -> str:
    if moment is None:
        return never
    if moment.tzinfo is None:  # stored as UTC without a zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def fingerprint_lines(fingerprint: str) -> str:
    """Eight groups on two lines of four, as people read them aloud."""
    groups = fingerprint.split()
    return " ".join(groups[:4]) + "\n" + " ".join(groups[4:]) if len(groups) > 4 \
        else fingerprint


def value_text(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
