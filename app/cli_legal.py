"""The legal-route commands: `plan legal` (the readiness check of an operation) and
`target set` (a person target's requesting states, nationalities and travels)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli_output import plural, print_json
from app.cli_secrets import unlocked

if TYPE_CHECKING:
    # Loaded when a legal command runs, so that other commands start without networkx.
    from app.core import legal
    from app.services.legal import LegalReport


def codes(text: str) -> list[str]:
    """"de, FR" -> ["DE", "FR"]; an unknown code is a known error before unlocking."""
    from app.services.legal import country_list

    return country_list(text.split(","))


# ---- JSON --------------------------------------------------------------------------------


def _ref(ref: legal.DataRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"kind": ref.kind, "id": ref.id, "key": ref.key, "label": ref.label,
            "confidence": ref.confidence, "level": ref.level, "as_of": ref.as_of,
            "sources": list(ref.sources)}


def _refs(refs: tuple[legal.DataRef, ...]) -> list[dict[str, Any] | None]:
    return [_ref(r) for r in refs]


def _answer(a: legal.RouteAnswer) -> dict[str, Any]:
    from app.core.legal import STATUS_TEXT

    return {"requesting": a.requesting, "custody": a.custody, "status": a.status,
            "status_text": STATUS_TEXT[a.status], "reason": a.reason,
            "route": _ref(a.route), "instruments": _refs(a.instruments),
            "gaps": _refs(a.gaps), "nationals": _ref(a.nationals),
            "bar_lifted": a.bar_lifted, "fallback": a.fallback or None,
            "conditions": list(a.conditions), "confidence": a.confidence,
            "rests_on": _refs(a.rests_on)}


def legal_document(report: LegalReport) -> dict[str, Any]:
    r = report.readiness
    return {
        "operation": report.codename, "ready": r.ready, "date": report.today.isoformat(),
        "victim_states": list(r.victim_states),
        "victim_states_from": report.victim_states_from,
        "targets": [{"id": p.case.target_id, "name": p.case.name,
                     "nationalities": list(p.case.nationalities),
                     "custody": list(p.case.custody), "wanted_by": list(p.case.wanted_by),
                     "travels": list(p.case.travels), "planned_arrests": p.case.arrests,
                     "requesting": [_answer(a) for a in p.answers],
                     "alternatives": [_answer(a) for a in p.alternatives]}
                    for p in r.people],
        "seizures": [{"action": s.case.action_id, "target": s.case.target,
                      "site": s.case.site or None, "state": s.case.state or None,
                      "abroad": s.abroad,
                      "bases": [{"victim_state": b.victim_state, "status": b.status,
                                 "reason": b.reason, "instruments": _refs(b.instruments),
                                 "gaps": _refs(b.gaps), "confidence": b.confidence}
                                for b in s.answers]}
                     for s in r.seizures],
        "warnings": [{"severity": w.level, "rank": w.severity, "subject": w.subject,
                      "record_id": w.record_id or None, "reason": w.reason,
                      "confidence": w.confidence, "data": _refs(w.data)}
                     for w in r.warnings],
        "unplaced_instruments": _refs(r.unplaced),
    }


# ---- text --------------------------------------------------------------------------------


def _data_line(refs: tuple[legal.DataRef, ...]) -> str:
    return "; ".join(f"{r.key if r.kind == 'instrument' else r.key + ' nationals entry'} "
                     f"({r.confidence or 'confidence not stated'}, as of "
                     f"{r.as_of or 'unknown'})" for r in refs)


def print_legal(report: LegalReport) -> None:
    r = report.readiness
    counts: dict[str, int] = {}
    for w in r.warnings:
        counts[w.level] = counts.get(w.level, 0) + 1
    summary = ", ".join(f"{n} {level}" for level, n in counts.items())
    print(f"Operation {report.codename}: legal readiness on {report.today.isoformat()}: "
          f"{'READY' if r.ready else 'NOT READY'} ({plural(len(r.warnings), 'warning')}"
          f"{': ' + summary if summary else ''}).")
    victims = ", ".join(r.victim_states) or "none"
    origin = (" (the lead agency's country; set them with --victims)"
              if report.victim_states_from == "lead agency" else "")
    print(f"Victims' states: {victims}{origin}.")
    if r.warnings:
        print()
        print("Warnings (most severe first):")
        for w in r.warnings:
            print(f"  [{w.level}] {w.subject}: {w.reason}")
            if w.data:
                print(f"      data: {_data_line(w.data)}; confidence {w.confidence}")
    print()
    if not r.people:
        print("No person target has a planned arrest or a requesting state.")
    else:
        print("Person targets:")
    for p in r.people:
        case = p.case
        print(f"  {case.name}: national of {', '.join(case.nationalities) or 'unknown'}; "
              f"held in {', '.join(case.custody) or 'unknown (no location)'}"
              + (f"; travels through {', '.join(case.travels)}" if case.travels else "")
              + f"; {plural(case.arrests, 'planned arrest')}")
        if not case.wanted_by:
            print("    no requesting state set")
        for a in p.answers:
            _print_answer(a, "wanted by")
        for a in p.alternatives:
            _print_answer(a, "if arrested in " + a.custody + ", for")
    abroad = [s for s in r.seizures if s.abroad or not s.case.state]
    if abroad:
        print()
        print("Seizures abroad:")
        for s in abroad:
            where = f" at {s.case.site}" if s.case.site else ""
            print(f"  {s.case.target}{where} ({s.case.state or 'state unknown'}):")
            for b in s.answers:
                print(f"    to {b.victim_state}: {b.status}: {b.reason}")
    if r.unplaced:
        print()
        print("Instruments whose party list is unknown and names no possible party (a route "
              "may run through them; complete their parties):")
        for ref in r.unplaced:
            print(f"  {ref.key}: {ref.label}")


def _print_answer(a: legal.RouteAnswer, lead: str) -> None:
    from app.core.legal import STATUS_TEXT

    held = "" if lead != "wanted by" else f" (held in {a.custody})"
    print(f"    {lead} {a.requesting}{held}: {STATUS_TEXT[a.status]}: {a.reason}")
    if a.fallback:
        print(f"      fallback: {a.fallback}")
    if a.conditions:
        print(f"      conditions: {'; '.join(a.conditions)}")
    if a.rests_on:
        print(f"      rests on: {_data_line(a.rests_on)}; confidence {a.confidence}")


# ---- commands ----------------------------------------------------------------------------


def cmd_plan_legal(args: argparse.Namespace) -> int:
    from app.services.legal import legal_report, set_victim_states

    victims = codes(args.victims) if args.victims is not None else None
    with unlocked(args) as ctx:
        if victims is not None:
            set_victim_states(ctx, args.codename, victims)
        report = legal_report(ctx, args.codename)
    if args.json:
        print_json(legal_document(report))
        return 0
    if victims is not None:
        print(f"Set the victims' states of {report.codename} to "
              f"{', '.join(victims) or 'none (the lead agency country applies)'}.")
    print_legal(report)
    return 0


def cmd_target_set(args: argparse.Namespace) -> int:
    from app.services.legal import set_target_legal

    wanted = codes(args.wanted_by)
    nationality = codes(args.nationality) if args.nationality is not None else None
    travels = codes(args.travels) if args.travels is not None else None
    with unlocked(args) as ctx:
        change = set_target_legal(ctx, args.codename, args.target, wanted, nationality,
                                  travels)
    said = [f"wanted by {', '.join(wanted) or 'no state'}"]
    if nationality is not None:
        said.append(f"national of {', '.join(nationality) or 'no recorded state'}")
    if travels is not None:
        said.append(f"travels through {', '.join(travels) or 'no recorded state'}")
    verb = "Set" if change.kinds() else "Unchanged"
    print(f"{verb}: {args.target} in {args.codename} is {'; '.join(said)}.")
    return 0


def _subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                 help_text: str, dest: str
                 ) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """The subcommands of ``name`` (plan, target), made by another module or here."""
    parser = sub._name_parser_map.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        return parser.add_subparsers(dest=dest, metavar="COMMAND", required=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=dest, metavar="COMMAND", required=True)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `plan legal` and `target set` (after the modules that make `plan` and
    `target`, or alone)."""
    plan = _subcommands(sub, "plan", "H-hour, briefing packs, legal routes", "plan_command")
    check = plan.add_parser(
        "legal", help="the legal readiness check: a route for every arrest, a basis for "
        "every seizure abroad",
        description="For each person target, its requesting states and, for each, the "
        "route from where it is held (the instruments that apply, the bar on extraditing "
        "nationals and its exceptions, the fallback of prosecution at home) or why there is "
        "none; better places of arrest among the states it travels through; for each "
        "seizure abroad, the basis for returning the assets to the victims' states. Every "
        "answer names the data it rests on and its confidence. Warnings are sorted by "
        "severity: no route, barred (fallback only), gap in data, low confidence, "
        "conditions.")
    check.add_argument("codename", metavar="CODENAME")
    check.add_argument("--victims", metavar="CC[,CC]",
                       help="set the victims' states first (empty: the lead agency's "
                       "country applies)")
    check.add_argument("--json", action="store_true", help="one JSON document on stdout")
    check.set_defaults(func=cmd_plan_legal)

    target = _subcommands(sub, "target", "list, add or set an operation's targets",
                          "target_command")
    setter = target.add_parser(
        "set", help="a person target's requesting states, nationalities and travels",
        description="Set the states that want a person target (requesting states), and, "
        "when given, its nationalities and the states it is known to travel through. "
        "Codes are ISO 3166 two-letter codes separated by commas; an empty value clears "
        "the list. The target must have a location (a country, or an arrest at a site).")
    setter.add_argument("codename", metavar="CODENAME")
    setter.add_argument("target", metavar="TARGET", help="the target's name or id")
    setter.add_argument("--wanted-by", required=True, metavar="CC[,CC]",
                        help="the requesting states")
    setter.add_argument("--nationality", metavar="CC[,CC]", help="its nationalities")
    setter.add_argument("--travels", metavar="CC[,CC]",
                        help="states it is known to travel through")
    setter.set_defaults(func=cmd_target_set)
