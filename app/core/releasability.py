"""Who may see a record: the sharing rules that bundles, briefings and exports all apply.

A record goes to a partner agency when the agency takes part in the record's operation,
the record's TLP is no higher than the ceiling set for that partner, a RED record names
the agency, and an AMBER+STRICT record never leaves the owning agency.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from app.core import tlp


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str  # why not, in words for the export dialog; "" when allowed


def releasable(record_tlp: str, owner_agency_id: str | None, recipient_id: str,
               participants: Collection[str], ceiling: str,
               red_to: Collection[str] = ()) -> Verdict:
    if owner_agency_id is not None and recipient_id == owner_agency_id:
        return Verdict(True, "")
    if recipient_id not in participants:
        return Verdict(False, "not a participant in the operation")
    if record_tlp == "AMBER+STRICT":
        return Verdict(False, "TLP:AMBER+STRICT stays inside the owning agency")
    if record_tlp == "RED":
        if recipient_id in red_to:
            return Verdict(True, "")
        return Verdict(False, "TLP:RED and not addressed to this agency")
    if tlp.rank(record_tlp) > tlp.rank(ceiling):
        return Verdict(False, f"TLP:{record_tlp} is above this partner's ceiling "
                              f"(TLP:{ceiling})")
    return Verdict(True, "")
