"""A liaison's laptop: a second device of the agency, enrolled by the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import KnownError
from app.services import exchange, operations, targets
from app.services.context import init_store
from tests.sync.exchange_helpers import PASSPHRASE, make_store


def test_enrol_a_laptop_and_exchange_both_ways(tmp_path: Path) -> None:
    hq = make_store(tmp_path / "hq", "Kenya DCI", "KE")
    exchange.enrolment_offer(hq, tmp_path / "offer")
    laptop, _ = init_store(tmp_path / "laptop", PASSPHRASE, "", "",
                           offer=exchange.read_offer(tmp_path / "offer"))
    try:
        assert laptop.agency_id == hq.agency_id and laptop.agency_name == "Kenya DCI"
        exchange.enrolment_request(laptop, tmp_path / "request")
        device = exchange.enrol_device(hq, tmp_path / "request")
        assert laptop.identity is not None and device.id == laptop.identity.device_id
        assert exchange.identity_info(hq).roster_version == 2
        op, _ = operations.create_operation(hq, "TIDE")
        targets.add_record(hq, "target", op, targets.target_values("person", "HQ", "KE"))
        exchange.export_bundle(hq, "TIDE", ["Kenya DCI"], tmp_path / "down.jopb")
        report = exchange.import_bundle(laptop, tmp_path / "down.jopb")
        assert report.merge.refused == [] and report.rosters == {"Kenya DCI": "updated"}
        # In the field, the liaison adds what was found; HQ takes it back.
        targets.add_record(laptop, "target", op, targets.target_values("person", "Field",
                                                                        "KE"))
        exchange.export_bundle(laptop, "TIDE", ["Kenya DCI"], tmp_path / "up.jopb")
        back = exchange.import_bundle(hq, tmp_path / "up.jopb")
        assert back.merge.refused == [] and back.merge.created.get("target") == 1
    finally:
        laptop.close()
        hq.close()


def test_only_the_root_store_enrols(tmp_path: Path) -> None:
    hq = make_store(tmp_path / "hq", "Kenya DCI", "KE")
    other = make_store(tmp_path / "other", "Angola SIC", "AO")
    try:
        exchange.enrolment_offer(hq, tmp_path / "offer")
        laptop, _ = init_store(tmp_path / "laptop", PASSPHRASE, "", "",
                               offer=exchange.read_offer(tmp_path / "offer"))
        exchange.enrolment_request(laptop, tmp_path / "request")
        with pytest.raises(KnownError, match="another agency"):
            exchange.enrol_device(other, tmp_path / "request")
        with pytest.raises(KnownError, match="root key"):
            exchange.enrol_device(laptop, tmp_path / "request")
        (tmp_path / "junk").write_text("{}")
        with pytest.raises(KnownError, match="not a JointOps enrolment"):
            exchange.enrol_device(hq, tmp_path / "junk")
        laptop.close()
    finally:
        hq.close()
        other.close()
