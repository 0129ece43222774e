"""The identity and partner commands: this agency's keys and roster, a second device,
and the partner agencies bundles are exchanged with."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from app.cli_output import existing_file, new_file, print_json, print_table, short_utc, utc_text
from app.cli_secrets import unlocked
from app.core.errors import KnownError, NotFoundError
from app.services import exchange
from app.services.context import AppContext


def agency_id(ctx: AppContext, ref: str) -> str:
    """The id of this agency or of a partner, given its id or its name (any case)."""
    me = exchange.identity_info(ctx)
    known = {me.agency_id: me.name} | {p.agency_id: p.name for p in exchange.list_partners(ctx)}
    text = ref.strip()
    if text in known:
        return text
    found = [i for i, name in known.items() if name == text] or [
        i for i, name in known.items() if name.casefold() == text.casefold()]
    if len(found) > 1:
        raise KnownError(f"More than one agency is named {text!r}; give its id (see "
                         "'jointops partner list --json').")
    if not found:
        raise NotFoundError(f"{text!r} is neither this agency nor a partner of it; add the "
                            "partner from its roster file first (jointops partner add).")
    return found[0]


# ---- identity ------------------------------------------------------------------------


def cmd_identity_show(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        info = exchange.identity_info(ctx)
    if args.json:
        print_json({"agency_id": info.agency_id, "name": info.name, "country": info.country,
                    "root_fingerprint": info.root_fingerprint, "device_id": info.device_id,
                    "roster_version": info.roster_version})
    else:
        for label, value in (("Agency", f"{info.name} ({info.country})"),
                             ("Agency id", info.agency_id),
                             ("Root fingerprint", info.root_fingerprint),
                             ("This device", info.device_id),
                             ("Roster version", info.roster_version)):
            print(f"{label + ':':<18}{value}")
    return 0


def cmd_identity_export(args: argparse.Namespace) -> int:
    target = new_file(args.output)
    with unlocked(args) as ctx:
        exchange.export_identity(ctx, target)
        info = exchange.identity_info(ctx)
    print(f"Wrote the roster of {info.name} (version {info.roster_version}) to {target}.")
    print(f"Root fingerprint: {info.root_fingerprint}")
    print("A partner adds it with 'jointops partner add FILE --fingerprint ...' after "
          "comparing the fingerprint with you out of band (by phone, in person).")
    return 0


def cmd_enrol_offer(args: argparse.Namespace) -> int:
    target = new_file(args.output)
    with unlocked(args) as ctx:
        exchange.enrolment_offer(ctx, target)
    print(f"Wrote the enrolment offer to {target}. On the new device run "
          f"'jointops --store DIR init --enrol {target.name}', then bring back the request "
          "it writes for 'jointops identity enrol'.")
    return 0


def cmd_enrol_request(args: argparse.Namespace) -> int:
    target = new_file(args.output)
    with unlocked(args) as ctx:
        exchange.enrolment_request(ctx, target)
    print(f"Wrote this device's enrolment request to {target}; on the agency's root store "
          "run 'jointops identity enrol FILE'.")
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    source = existing_file(args.file, "enrolment request")
    with unlocked(args) as ctx:
        device = exchange.enrol_device(ctx, source)
        info = exchange.identity_info(ctx)
    print(f"Enrolled the device {device.name} ({device.id}) in roster version "
          f"{info.roster_version}. It learns this from the next bundle sent to your own "
          f"agency: jointops bundle export CODENAME --to {shlex.quote(info.name)} -o FILE")
    return 0


def cmd_rotate_root(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        fingerprint = exchange.rotate_root(ctx)
        version = exchange.identity_info(ctx).roster_version
    print(f"The agency's root key was rotated (roster version {version}).")
    print(f"New root fingerprint: {fingerprint}")
    print("Partners follow the rotation with the next bundle they receive; tell them the "
          "new fingerprint.")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        device = exchange.revoke_device(ctx, args.device)
        version = exchange.identity_info(ctx).roster_version
    print(f"Revoked the device {device.name} ({device.id}) in roster version {version}; "
          "partners refuse what it signs once they receive that roster in a bundle.")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        devices = exchange.roster_devices(ctx)
        me = exchange.identity_info(ctx)
    if args.json:
        print_json([{"id": d.id, "name": d.name, "sign": d.sign, "age": d.age,
                     "valid_from": d.valid_from, "valid_until": d.valid_until,
                     "this_device": d.id == me.device_id} for d in devices])
    elif not devices:
        print("The roster lists no devices.")
    else:
        print(f"Devices in the roster of {me.name} (version {me.roster_version}):")
        print_table(("ID", "NAME", "VALID UNTIL", ""),
                    [(d.id, d.name, d.valid_until[:10],
                      "this device" if d.id == me.device_id else "") for d in devices])
    return 0


# ---- partners ------------------------------------------------------------------------


def cmd_partner_add(args: argparse.Namespace) -> int:
    source = existing_file(args.file, "roster file")
    with unlocked(args) as ctx:
        added = exchange.add_partner_from_file(ctx, source, args.fingerprint)
    print(f"Added {added.name} ({added.country}) as a trusted partner (roster version "
          f"{added.roster_version}, TLP ceiling {added.tlp_ceiling}).")
    return 0


def cmd_partner_list(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        found = exchange.list_partners(ctx)
        own = ctx.agency_id
    if args.json:
        print_json([{"agency_id": p.agency_id, "name": p.name, "country": p.country,
                     "fingerprint": p.fingerprint, "trust": p.trust,
                     "roster_version": p.roster_version, "tlp_ceiling": p.tlp_ceiling,
                     "last_sent": utc_text(p.last_sent),
                     "last_received": utc_text(p.last_received),
                     "this_agency": p.agency_id == own} for p in found])
    elif not found:
        print("No partners yet; add one with 'jointops partner add FILE --fingerprint FPR'.")
    else:
        print_table(("NAME", "COUNTRY", "FINGERPRINT", "TRUST", "ROSTER", "TLP CEILING",
                     "LAST SENT", "LAST RECEIVED"),
                    [(p.name + (" (this agency)" if p.agency_id == own else ""), p.country,
                      p.fingerprint, p.trust, p.roster_version, p.tlp_ceiling,
                      short_utc(p.last_sent) or "never",
                      short_utc(p.last_received) or "never") for p in found])
    return 0


def cmd_partner_set(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        chosen = agency_id(ctx, args.agency)
        exchange.set_tlp_ceiling(ctx, chosen, args.tlp_ceiling)
        partner = next(p for p in exchange.list_partners(ctx) if p.agency_id == chosen)
    print(f"{partner.name} now receives records up to TLP:{partner.tlp_ceiling}.")
    return 0


def cmd_partner_trust(args: argparse.Namespace) -> int:
    with unlocked(args) as ctx:
        chosen = agency_id(ctx, args.agency)
        exchange.trust_partner(ctx, chosen, args.fingerprint)
        partner = next(p for p in exchange.list_partners(ctx) if p.agency_id == chosen)
    print(f"{partner.name} is now a trusted partner; its changesets held back so far are "
          "applied with the next bundle that arrives.")
    return 0


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="the file to write")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ident = sub.add_parser("identity", help="this agency's keys, roster and devices")
    cmds = ident.add_subparsers(dest="identity_command", metavar="COMMAND", required=True)
    show = cmds.add_parser("show", help="agency, root fingerprint, this device")
    _json_flag(show)
    show.set_defaults(func=cmd_identity_show)
    export = cmds.add_parser("export", help="write the agency's signed roster for partners")
    _output(export)
    export.set_defaults(func=cmd_identity_export)
    offer = cmds.add_parser("enrol-offer", help="write the file a second device of the "
                            "agency is set up from (on the root store)")
    _output(offer)
    offer.set_defaults(func=cmd_enrol_offer)
    request = cmds.add_parser("enrol-request", help="write this device's enrolment request "
                              "again (init --enrol writes it once)")
    _output(request)
    request.set_defaults(func=cmd_enrol_request)
    enrol = cmds.add_parser("enrol", help="add a device to the roster from its request "
                            "(on the root store)")
    enrol.add_argument("file", type=Path, metavar="REQUEST_FILE")
    enrol.set_defaults(func=cmd_enrol)
    cmds.add_parser("rotate-root", help="replace the agency's root key (the next roster is "
                    "signed by the old and the new)").set_defaults(func=cmd_rotate_root)
    revoke = cmds.add_parser("revoke", help="take a device (a lost laptop) out of the roster")
    revoke.add_argument("device", metavar="DEVICE", help="the device's id or name")
    revoke.set_defaults(func=cmd_revoke)
    devices = cmds.add_parser("devices", help="the devices in the agency's roster")
    _json_flag(devices)
    devices.set_defaults(func=cmd_devices)

    partner = sub.add_parser("partner", help="the partner agencies bundles go to and come from")
    pcmds = partner.add_subparsers(dest="partner_command", metavar="COMMAND", required=True)
    add = pcmds.add_parser("add", help="add a partner from its roster file, trusted once its "
                           "root fingerprint matches")
    add.add_argument("file", type=Path, metavar="FILE")
    add.add_argument("--fingerprint", required=True, metavar="FPR",
                     help="the partner's root fingerprint, as it told you out of band")
    add.set_defaults(func=cmd_partner_add)
    plist = pcmds.add_parser("list", help="partners with trust, roster and last bundles")
    _json_flag(plist)
    plist.set_defaults(func=cmd_partner_list)
    pset = pcmds.add_parser("set", help="set what a partner may receive")
    pset.add_argument("agency", metavar="AGENCY", help="the partner's name or id")
    pset.add_argument("--tlp-ceiling", required=True, metavar="LEVEL",
                      help="the highest TLP it receives: CLEAR, GREEN, AMBER, AMBER+STRICT "
                      "or RED")
    pset.set_defaults(func=cmd_partner_set)
    trust = pcmds.add_parser("trust", help="trust an agency first seen through a relay, once "
                             "its fingerprint is compared")
    trust.add_argument("agency", metavar="AGENCY", help="the agency's name or id")
    trust.add_argument("--fingerprint", required=True, metavar="FPR")
    trust.set_defaults(func=cmd_partner_trust)
