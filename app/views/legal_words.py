"""How the Legal tab words and colours the legal answers: verdicts, the data an answer
rests on (with source, as-of date and confidence), and the detail shown for a line."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from app.core.countries import country as find_country
from app.core.legal import (
    SEVERITIES,
    STATUS_TEXT,
    BasisAnswer,
    DataRef,
    LegalWarning,
    PersonLegal,
    RouteAnswer,
)

# Verdict -> (text colour, background): the worst reads red, a route reads green.
SEVERITY_COLOURS = {
    "no route": ("#ffffff", "#b71c1c"),
    "barred, fallback only": ("#ffffff", "#d84315"),
    "gap in data": ("#3e2723", "#ffcc80"),
    "low confidence": ("#3e2723", "#fff59d"),
    "conditions": ("#1a237e", "#e3f2fd"),
}
STATUS_SEVERITY = {"no_route": "no route", "barred": "barred, fallback only",
                   "gap": "gap in data", "conditional": "conditions", "none": "no route"}
OK_COLOURS = ("#1b5e20", "#c8e6c9")
BASIS_TEXT = {"basis": "basis recorded", "gap": "gap in data", "none": "no basis"}


def state_name(code: str) -> str:
    found = find_country(code)
    return f"{found.name} ({code})" if found else code


def short_state(code: str) -> str:
    found = find_country(code)
    return found.name if found else code


def verdict_colours(verdict: str) -> tuple[str, str]:
    return SEVERITY_COLOURS.get(verdict, OK_COLOURS)


def status_verdict(status: str) -> str:
    """A route status ("barred") as the severity words the warnings use."""
    return STATUS_SEVERITY.get(status, STATUS_TEXT.get(status, BASIS_TEXT.get(status,
                                                                                status)))


def answer_text(answer: RouteAnswer) -> str:
    if answer.status == "domestic":
        return "tried at home: no extradition needed"
    text = STATUS_TEXT[answer.status]
    if answer.route is not None:
        via = answer.route.key or answer.route.label
        # A gap with an instrument: the route exists, a fact it needs is not recorded.
        text += f" ({via} applies)" if answer.status == "gap" else f" via {via}"
    return text


def person_verdict(person: PersonLegal) -> tuple[str, str]:
    """(verdict words, the severity or status they are coloured by)."""
    case = person.case
    if not case.custody:
        return "no location: set its country", "gap in data"
    if not case.wanted_by:
        return "no requesting state set", "gap in data"
    best = person.best()
    assert best is not None
    if best.status == "route" and best.confidence in ("low", "unknown"):
        return f"{answer_text(best)} (low confidence)", "low confidence"
    return answer_text(best), status_verdict(best.status)


def _host(source: str) -> str:
    """A source as the list names it: a web page by its site, anything else as given."""
    if "://" in source:
        host = source.split("://", 1)[1].split("/", 1)[0]
        return host.removeprefix("www.")
    return source if len(source) <= 60 else source[:57] + "…"


def short_label(ref: DataRef, most: int = 70) -> str:
    label = ref.label.split(" - ")[0]
    return label if len(label) <= most else label[:most - 1] + "…"


def ref_line(ref: DataRef) -> str:
    """One line per piece of data: what it is, its confidence, as-of date and source
    (the first, by its site; the detail under the list has them all)."""
    if ref.kind == "nationals":
        what = f"nationals entry, {ref.label}"
    elif ref.key and ref.key != ref.label:
        what = f"{ref.key} ({short_label(ref)})"
    else:
        what = short_label(ref)
    as_of = (ref.as_of or "unknown").split(";")[0].strip()
    more = f" (+{len(ref.sources) - 1})" if len(ref.sources) > 1 else ""
    source = f"{_host(ref.sources[0])}{more}" if ref.sources else "not recorded"
    return f"{what} · confidence {ref.level} · as of {as_of} · source {source}"


def _ref_html(ref: DataRef) -> str:
    sources = "; ".join(
        f"<a href='{escape(s)}'>{escape(s)}</a>" if s.startswith(("http://", "https://"))
        else escape(s) for s in ref.sources) or "source not recorded"
    kind = "Nationals entry" if ref.kind == "nationals" else "Instrument"
    return (f"<li><b>{kind}:</b> {escape(ref.label)}"
            + (f" <span style='color:gray'>[{escape(ref.key)}]</span>"
               if ref.kind == "instrument" and ref.key else "")
            + f"<br><span style='color:#555'>Source: {sources} · as of "
            f"{escape(ref.as_of or 'unknown')} · confidence "
            f"<b>{escape(ref.confidence or 'not stated')}</b> (read as {ref.level})"
            "</span></li>")


def refs_html(title: str, refs: Iterable[DataRef]) -> str:
    items = "".join(_ref_html(r) for r in refs)
    return f"<p><b>{escape(title)}</b></p><ul>{items}</ul>" if items else ""


def _badge(verdict: str, text: str = "") -> str:
    """``text`` on the colours of ``verdict`` (the verdict itself by default)."""
    fg, bg = verdict_colours(verdict)
    return (f"<span style='background:{bg}; color:{fg}; font-weight:bold'>&nbsp;"
            f"{escape((text or verdict).upper())}&nbsp;</span>")


def warning_html(warning: LegalWarning, verdict: str = "") -> str:
    text = (f"<p>{_badge(warning.level, verdict)} <b>{escape(warning.subject)}</b></p>"
            f"<p>{escape(warning.reason)}</p>")
    if warning.data:
        text += refs_html(f"Rests on (confidence {warning.confidence}):", warning.data)
    else:
        text += "<p style='color:gray'>No recorded data bears on this: that is the gap.</p>"
    return text


def answer_html(answer: RouteAnswer, name: str, alternative: bool = False) -> str:
    verdict = status_verdict(answer.status)
    where = (f"arrested in {state_name(answer.custody)} (where the person travels)"
             if alternative else f"held in {state_name(answer.custody)}")
    text = (f"<p>{_badge(verdict)} <b>{escape(name)}</b>, {escape(where)}, wanted by "
            f"{escape(state_name(answer.requesting))}: {escape(answer_text(answer))}"
            f" · confidence <b>{answer.confidence}</b></p><p>{escape(answer.reason)}</p>")
    if answer.fallback:
        text += f"<p><b>Fallback:</b> {escape(answer.fallback)}</p>"
    if answer.conditions:
        items = "".join(f"<li>{escape(c)}</li>" for c in answer.conditions)
        text += f"<p><b>Conditions to meet:</b></p><ul>{items}</ul>"
    text += refs_html("Rests on:", answer.rests_on)
    others = [r for r in answer.instruments if r not in answer.rests_on]
    text += refs_html("Other instruments between them:", others)
    text += refs_html("May also apply (party list not recorded):", answer.gaps)
    return text


def basis_html(answer: BasisAnswer, subject: str) -> str:
    verdict = BASIS_TEXT[answer.status]
    colour = status_verdict(answer.status) if answer.status != "basis" else "basis"
    text = (f"<p>{_badge(colour, verdict)} "
            f"<b>{escape(subject)}</b>: seized in {escape(state_name(answer.state))}, "
            f"victims in {escape(state_name(answer.victim_state))}</p>"
            f"<p>{escape(answer.reason)}</p>")
    text += refs_html("Basis:", answer.instruments)
    text += refs_html("May apply (party list not recorded):", answer.gaps)
    return text


def person_html(person: PersonLegal) -> str:
    case = person.case
    verdict, colour = person_verdict(person)
    nationalities = ", ".join(state_name(c) for c in case.nationalities) or "not recorded"
    custody = ", ".join(state_name(c) for c in case.custody) or "not known"
    wanted = ", ".join(state_name(c) for c in case.wanted_by) or "none set"
    travels = ", ".join(state_name(c) for c in case.travels) or "none recorded"
    arrests = (f"{case.arrests} planned arrest(s)" if case.arrests else
               "no planned arrest (requesting states set)")
    return (f"<p>{_badge(colour, verdict)}"
            f" <b>{escape(case.name)}</b> · {escape(arrests)}</p>"
            f"<p>Held in: <b>{escape(custody)}</b><br>Nationalities: "
            f"{escape(nationalities)}<br>Wanted by: <b>{escape(wanted)}</b><br>Travels "
            f"through: {escape(travels)}</p><p style='color:gray'>Select a requesting "
            "state below the name for its route, its reason and the data it rests on. "
            "<i>Requesting states…</i> changes them.</p>")


COUNTED = {"no route": ("with no route or basis", "with no route or basis"),
           "barred, fallback only": ("barred (fallback only)", "barred (fallback only)"),
           "gap in data": ("gap in the data", "gaps in the data"),
           "low confidence": ("resting on low-confidence data",
                              "resting on low-confidence data"),
           "conditions": ("with conditions to meet", "with conditions to meet")}


def severity_counts(warnings: Iterable[LegalWarning]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for w in warnings:
        counts[w.level] += 1
    return [(level, n) for level, n in counts.items() if n]


def counted(level: str, count: int) -> str:
    """"5 gaps in the data"."""
    one, many = COUNTED.get(level, (level, level))
    return f"{count} {one if count == 1 else many}"


def warning_verdict(warning: LegalWarning, seizure: bool) -> str:
    """The warning's level, in the words of what it is about: a seizure has a basis, not
    a route."""
    if seizure and warning.level == "no route":
        return "no basis"
    return warning.level
