"""The Outcomes dashboard as one matplotlib figure, the same on screen and in the PNG or
PDF a commander sends home: the headline figures, then six charts read at a glance
(what was done by country, value by country, each asset from trace to recovery, time
from request to freeze, restitution by country, value over time).

Every chart says its unit; a chart with nothing to show says why instead of drawing
empty axes. What is drawn is kept as ``self.shown`` so tests read it, not pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from app.core.countries import country
from app.core.errors import KnownError
from app.services.outcomes import (
    Comparison,
    CountryOutcome,
    Outcomes,
    duration_text,
    rate_text,
    value_text,
)

Canvas: Callable[[Figure], FigureCanvasQTAgg] = FigureCanvasQTAgg
# matplotlib.dates is untyped: its few calls, typed here once.
DateLocator: Callable[..., Any] = mdates.AutoDateLocator
DayFormatter: Callable[..., Any] = mdates.DateFormatter
date_numbers: Callable[[list[date]], Any] = mdates.date2num

INK = "#263238"
MUTED = "#78909c"
GRID = "#eceff1"
COUNT_COLOURS = {"Arrests done": "#1f4e79", "Sites shut down": "#6a1b9a",
                 "Victims identified": "#00838f"}
STAGE_COLOURS = {"seized": "#5d4037", "frozen": "#1565c0", "recovered": "#2e7d32",
                 "returned": "#f9a825", "repaid": "#c62828", "traced": "#b0bec5",
                 "requested": "#78909c"}
FLOW_STAGES = ("traced", "requested", "frozen", "recovered", "returned")
LOSS = "#ffcdd2"
MOST_COUNTRIES = 12
MARKERS = {"seized": "o", "frozen": "s", "recovered": "^", "returned": "D", "repaid": "o"}
MOST_ASSETS = 5


def short_number(value: float) -> str:
    """1,234,567 -> 1.23M; for bar labels, where the exact figure is in the table."""
    size = abs(value)
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.4g}"


def country_label(code: str) -> str:
    """The country's name when it is short enough for an axis, else its code."""
    found = country(code) if code != "?" else None
    if found is None:
        return "unknown" if code == "?" else code
    return found.name if len(found.name) <= 16 else code


def _money_axis(axis: Any) -> None:
    """Few ticks, short numbers: every tick label is text to draw, and text is most of
    the drawing's time."""
    axis.set_major_locator(MaxNLocator(nbins=4))
    axis.set_major_formatter(lambda x, _pos: short_number(x))


def _empty(ax: Axes, title: str, message: str) -> None:
    ax.set_title(title, fontsize=10, loc="left", color=INK, fontweight="bold")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center",
            color=MUTED, fontsize=9, wrap=True)


def _style(ax: Axes, title: str, axis: Literal["x", "y"] = "x") -> None:
    ax.set_title(title, fontsize=10, loc="left", color=INK, fontweight="bold")
    ax.tick_params(labelsize=8, colors=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=axis, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _grouped_barh(ax: Axes, labels: Sequence[str], series: dict[str, list[float]],
                  colours: dict[str, str], text: Callable[[float], str]) -> None:
    """Horizontal bars, one group per label (top to bottom), one bar per series."""
    n = max(len(series), 1)
    height = 0.8 / n
    top = len(labels) - 1
    for k, (name, values) in enumerate(series.items()):
        ys = [top - i + 0.4 - height * (k + 0.5) for i in range(len(labels))]
        bars = ax.barh(ys, values, height=height * 0.92, color=colours[name], label=name)
        for bar, value in zip(bars, values, strict=True):
            if value:
                ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + text(value),
                        va="center", ha="left", fontsize=7, color=INK)
    ax.set_yticks([top - i for i in range(len(labels))], labels, fontsize=8)
    ax.margins(x=0.18)


def headline_cards(o: Outcomes) -> list[tuple[str, str, str]]:
    """(name, the figure, what it is of) for the figures above the charts."""
    cur = o.currency
    frozen_note = (f"{o.frozen_valued} of {o.frozen_requests} freezes valued"
                   if o.frozen_requests else "no freeze yet")
    return [
        ("Arrests", f"{o.arrests}", f"of {o.arrests_planned} planned"),
        ("Sites shut down", f"{o.sites_shut_down}", f"of {o.sites} sites"),
        ("Seized", value_text(o.seized), cur),
        ("Frozen", value_text(o.frozen), f"{cur} · {frozen_note}"),
        ("Recovered", value_text(o.recovered), f"{cur} · returned {value_text(o.returned)}"),
        ("Restitution", rate_text(o.restitution_rate),
         f"{o.victims_repaid} of {o.victims} victims repaid"),
        ("Request to freeze", duration_text(o.time_to_freeze_median),
         f"median · 90% within {duration_text(o.time_to_freeze_p90)}"),
    ]


class OutcomeCharts(QWidget):
    """The dashboard figure in a canvas; ``show_outcomes`` draws, ``save`` exports."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure = Figure(figsize=(13, 8.4), dpi=96)
        self.canvas = Canvas(self.figure)
        self.draw_idle: Callable[[], None] = self.canvas.draw_idle
        self.canvas.setObjectName("outcomeCharts")
        self.canvas.setMinimumSize(900, 620)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.shown: dict[str, object] = {}
        self.last: tuple[Outcomes | Comparison, date] | None = None
        self.clear()

    def clear(self, message: str = "") -> None:
        self.shown = {}
        self.last = None
        self.figure.clear()
        self.figure.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, fontsize=11)
        self.draw_idle()

    def save(self, path: str) -> None:
        """What is shown, as PNG or PDF by the name's suffix, at print resolution; an
        operation's page also carries its title and headline figures, which the tab
        shows above the canvas."""
        if self.last is None:
            return
        page = Figure(figsize=(13, 8.4), dpi=96)
        data, as_of = self.last
        if isinstance(data, Outcomes):
            self._draw(page, data, as_of, headline=True)
        elif isinstance(data, Comparison):
            self._draw_comparison(page, data, as_of)
        page.savefig(path, dpi=150, facecolor="white")

    # ---- one operation --------------------------------------------------------------

    def show_outcomes(self, o: Outcomes, as_of: date) -> None:
        self.last = (o, as_of)
        self.shown = {"operation": o.codename, "currency": o.currency}
        self._draw(self.figure, o, as_of, headline=False)
        self.draw_idle()

    def _draw(self, fig: Figure, o: Outcomes, as_of: date, headline: bool) -> None:
        fig.clear()
        top = 0.985
        if headline:
            fig.text(0.012, 0.975, f"{o.codename}: outcomes on {as_of:%d %b %Y}",
                     fontsize=14, fontweight="bold", color=INK, va="top")
            fig.text(0.988, 0.975, f"values in {o.currency}, from the operation's records",
                     fontsize=9, color=MUTED, va="top", ha="right")
            for i, (name, big, small) in enumerate(headline_cards(o)):
                x = 0.012 + i * 0.976 / 7
                fig.text(x, 0.915, name.upper(), fontsize=8, color=MUTED, va="top")
                fig.text(x, 0.885, big, fontsize=17, fontweight="bold", color=INK, va="top")
                fig.text(x, 0.835, small, fontsize=7.5, color=MUTED, va="top")
            top = 0.80
        if o.other_currency:
            left = ", ".join(f"{n} in {code}" for code, n in sorted(o.other_currency.items()))
            fig.text(0.988, top, f"Not converted, so left out of the {o.currency} figures: "
                     f"{left}.", fontsize=7.5, color="#ef6c00", va="top", ha="right")
        self._legend(fig, top - 0.012)
        grid = fig.add_gridspec(2, 3, left=0.085, right=0.985, bottom=0.07, top=top - 0.075,
                                wspace=0.5, hspace=0.42)
        self._by_country(fig.add_subplot(grid[0, 0]), o)
        self._value_by_country(fig.add_subplot(grid[0, 1]), o)
        self._flow(fig.add_subplot(grid[0, 2]), o)
        self._time_to_freeze(fig.add_subplot(grid[1, 0]), o)
        self._restitution(fig.add_subplot(grid[1, 1]), o)
        self._over_time(fig.add_subplot(grid[1, 2]), o)

    def _legend(self, fig: Figure, y: float) -> None:
        """One key for every chart: a colour means the same stage everywhere."""
        entries = [*COUNT_COLOURS.items(),
                   *((name.capitalize(), STAGE_COLOURS[name]) for name in (
                       "traced", "requested", "seized", "frozen", "recovered", "returned")),
                   ("Victims' loss", LOSS), ("Repaid to victims", STAGE_COLOURS["repaid"])]
        fig.legend(handles=[Patch(color=colour, label=name) for name, colour in entries],
                   loc="upper left", bbox_to_anchor=(0.006, y), ncols=len(entries),
                   frameon=False, fontsize=7.5, handlelength=1.2, columnspacing=1.2)

    def _countries(self, o: Outcomes,
                   key: Callable[[CountryOutcome], float]) -> list[CountryOutcome]:
        ranked = sorted(o.by_country, key=lambda c: (-key(c), c.country))
        return [c for c in ranked if key(c)][:MOST_COUNTRIES]

    def _by_country(self, ax: Axes, o: Outcomes) -> None:
        title = "Done, by country"
        rows = self._countries(o, lambda c: c.arrests + c.sites_shut_down + c.victims)
        if not rows:
            _empty(ax, title, "No arrest done, site shut down or victim recorded yet.")
            return
        labels = [country_label(c.country) for c in rows]
        series = {"Arrests done": [float(c.arrests) for c in rows],
                  "Sites shut down": [float(c.sites_shut_down) for c in rows],
                  "Victims identified": [float(c.victims) for c in rows]}
        self.shown["by_country"] = {label: tuple(v[i] for v in series.values())
                                    for i, label in enumerate(labels)}
        _style(ax, title)
        _grouped_barh(ax, labels, series, COUNT_COLOURS, lambda v: f"{v:.0f}")
        ax.set_xlabel("count", fontsize=8, color=MUTED)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))

    def _value_by_country(self, ax: Axes, o: Outcomes) -> None:
        title = f"Value by country ({o.currency})"
        stages = ("seized", "frozen", "recovered", "returned")

        def total(c: CountryOutcome) -> float:
            return float(c.seized + c.frozen + c.recovered + c.returned)

        rows = self._countries(o, total)
        if not rows:
            _empty(ax, title, f"No value in {o.currency} recorded yet: add seizures and "
                              "recoveries with their value.")
            return
        labels = [country_label(c.country) for c in rows]
        series = {stage.capitalize(): [float(getattr(c, stage)) for c in rows]
                  for stage in stages}
        self.shown["value_by_country"] = {label: tuple(v[i] for v in series.values())
                                          for i, label in enumerate(labels)}
        _style(ax, title)
        _grouped_barh(ax, labels, series,
                      {s.capitalize(): STAGE_COLOURS[s] for s in stages}, short_number)
        ax.set_xlabel(o.currency, fontsize=8, color=MUTED)
        _money_axis(ax.xaxis)

    def _flow(self, ax: Axes, o: Outcomes) -> None:
        title = "Each asset, from trace to return"
        flows = [f for f in o.assets if f.traced or f.requested or f.frozen or f.recovered]
        flows = sorted(flows, key=lambda f: (-max(f.traced, f.requested), f.asset))
        flows = flows[:MOST_ASSETS]
        if not flows:
            _empty(ax, title, "Nothing traced, requested or frozen yet.")
            return
        _style(ax, title, axis="y")
        n = len(FLOW_STAGES)
        width = 0.8 / n
        shown: dict[str, list[float]] = {}
        for k, stage in enumerate(FLOW_STAGES):
            shares, amounts = [], []
            for f in flows:
                base = max(f.traced, f.requested, f.frozen, f.recovered) or Decimal(1)
                amount = getattr(f, stage)
                amounts.append(amount)
                shares.append(float(amount / base * 100))
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(flows))]
            bars = ax.bar(xs, shares, width=width * 0.92, color=STAGE_COLOURS[stage],
                          label=stage.capitalize())
            for bar, amount in zip(bars, amounts, strict=True):
                if amount:
                    ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(),
                            short_number(float(amount)), ha="center", va="bottom",
                            fontsize=6, color=INK, rotation=90)
            shown[stage] = shares
        self.shown["flow"] = {"assets": [f.asset for f in flows], **shown}
        ax.set_xticks(range(len(flows)), [f.asset for f in flows], fontsize=8)
        ax.set_ylim(0, 135)
        ax.set_yticks([0, 50, 100])
        ax.set_ylabel("% of the largest stage (amounts on bars)", fontsize=7.5, color=MUTED)

    def _time_to_freeze(self, ax: Axes, o: Outcomes) -> None:
        title = "Time from request to freeze"
        if not o.freeze_times:
            _empty(ax, title, "No freeze request has been frozen yet.")
            return
        hours = [t.total_seconds() / 3600 for t in o.freeze_times]
        _style(ax, title, axis="y")
        # One filled outline, not a patch per bin: much cheaper to draw.
        ax.hist(hours, bins=min(max(len(hours), 3), 24), color="#90caf9",
                histtype="stepfilled")
        for value, name, colour in ((o.time_to_freeze_median, "median", "#1565c0"),
                                    (o.time_to_freeze_p90, "90%", "#c62828")):
            if value is not None:
                x = value.total_seconds() / 3600
                ax.axvline(x, color=colour, linewidth=1.5, linestyle="--")
                ax.text(x, 1.0, f" {name} {duration_text(value)}", color=colour, fontsize=7.5,
                        transform=ax.get_xaxis_transform(), va="top", ha="left")
        ax.set_xlabel("hours from request sent to frozen", fontsize=8, color=MUTED)
        ax.set_ylabel("requests", fontsize=8, color=MUTED)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        self.shown["time_to_freeze_hours"] = hours

    def _restitution(self, ax: Axes, o: Outcomes) -> None:
        title = f"Restitution to victims by country ({o.currency})"
        rows = self._countries(o, lambda c: float(c.loss))
        if not rows:
            _empty(ax, title, f"No victim with a loss in {o.currency} recorded yet.")
            return
        _style(ax, title)
        labels = [country_label(c.country) for c in rows]
        ys = list(range(len(rows) - 1, -1, -1))
        ax.barh(ys, [float(c.loss) for c in rows], color=LOSS, height=0.6)
        ax.barh(ys, [float(c.repaid) for c in rows], color=STAGE_COLOURS["repaid"],
                height=0.6)
        for y, c in zip(ys, rows, strict=True):
            ax.text(float(c.loss), y, f" {rate_text(c.restitution_rate)}", va="center",
                    fontsize=7.5, color=INK)
        ax.set_yticks(ys, labels, fontsize=8)
        ax.margins(x=0.2)
        _money_axis(ax.xaxis)
        ax.set_xlabel(f"{o.currency} (label: share repaid)", fontsize=8, color=MUTED)
        self.shown["restitution"] = {label: c.restitution_rate
                                     for label, c in zip(labels, rows, strict=True)}

    def _over_time(self, ax: Axes, o: Outcomes) -> None:
        title = f"Over time ({o.currency}, running total)"
        if not o.dated:
            _empty(ax, title, "No dated value recorded yet.")
            return
        _style(ax, title, axis="y")
        per_day: dict[str, dict[date, Decimal]] = {}
        for d in o.dated:  # one point a day, however many records it has
            days = per_day.setdefault(d.stage, {})
            day = date.fromisoformat(d.on)
            days[day] = days.get(day, Decimal(0)) + d.value
        ends: dict[str, float] = {}
        first = min(date.fromisoformat(d.on) for d in o.dated)
        last = max(date.fromisoformat(d.on) for d in o.dated)
        for stage in ("seized", "frozen", "recovered", "returned", "repaid"):
            amounts = per_day.get(stage)
            if not amounts:
                continue
            ordered = sorted(amounts)
            running: list[float] = []
            total = Decimal(0)
            for day in ordered:
                total += amounts[day]
                running.append(float(total))
            # Held flat to the last day shown, so lines that end early still read.
            xs = [*ordered, last] if ordered[-1] < last else ordered
            ys = [*running, running[-1]] if ordered[-1] < last else running
            ax.step(date_numbers(xs), ys, where="post", color=STAGE_COLOURS[stage],
                    linewidth=1.8)
            # Markers of their own, so two stages with the same total on a day both show.
            ax.plot(date_numbers(ordered), running, MARKERS[stage], color=STAGE_COLOURS[stage],
                    markersize=5 if stage == "repaid" else 4, fillstyle="none"
                    if stage == "repaid" else "full")
            ends[stage] = running[-1]
        pad = timedelta(days=max((last - first).days // 12, 1))
        ax.set_xlim(date_numbers([first - pad, last + pad]))
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(DateLocator(minticks=3, maxticks=6))
        ax.xaxis.set_major_formatter(DayFormatter("%d %b"))
        _money_axis(ax.yaxis)
        ax.set_ylabel(o.currency, fontsize=8, color=MUTED)
        self.shown["over_time"] = ends

    # ---- several operations -----------------------------------------------------------

    def show_comparison(self, comparison: Comparison, as_of: date) -> None:
        self.last = (comparison, as_of)
        self.shown = {"operations": [o.codename for o in comparison.operations],
                      "currency": comparison.currency}
        self._draw_comparison(self.figure, comparison, as_of)
        self.draw_idle()

    def _draw_comparison(self, fig: Figure, comparison: Comparison, as_of: date) -> None:
        fig.clear()
        ops = comparison.operations
        names = [o.codename for o in ops]
        cur = comparison.currency
        fig.text(0.012, 0.975, f"Operations side by side on {as_of:%d %b %Y}", fontsize=14,
                 fontweight="bold", color=INK, va="top")
        fig.text(0.988, 0.975, f"values in {cur}", fontsize=9, color=MUTED, va="top",
                 ha="right")
        grid = fig.add_gridspec(2, 2, left=0.14, right=0.98, bottom=0.08, top=0.88,
                                wspace=0.35, hspace=0.4)
        done = fig.add_subplot(grid[0, 0])
        _style(done, "Done")
        _grouped_barh(done, names, {"Arrests done": [float(o.arrests) for o in ops],
                                    "Sites shut down": [float(o.sites_shut_down) for o in ops],
                                    "Victims identified": [float(o.victims) for o in ops]},
                      COUNT_COLOURS, lambda v: f"{v:.0f}")
        done.legend(fontsize=7, frameon=False, loc="lower right")
        values = fig.add_subplot(grid[0, 1])
        _style(values, f"Value ({cur})")
        stages = ("seized", "frozen", "recovered", "returned")
        series = {s.capitalize(): [float(getattr(o, s)) for o in ops] for s in stages}
        _grouped_barh(values, names, series,
                      {s.capitalize(): STAGE_COLOURS[s] for s in stages}, short_number)
        _money_axis(values.xaxis)
        values.legend(fontsize=7, frameon=False, loc="lower right")
        rates = fig.add_subplot(grid[1, 0])
        _style(rates, "Restitution rate (%)")
        _grouped_barh(rates, names, {"Repaid": [float((o.restitution_rate or 0) * 100)
                                                for o in ops]},
                      {"Repaid": STAGE_COLOURS["repaid"]}, lambda v: f"{v:.1f} %")
        rates.set_xlim(0, 110)
        times = fig.add_subplot(grid[1, 1])
        _style(times, "Request to freeze (hours)")
        _grouped_barh(times, names, {
            "Median": [(o.time_to_freeze_median.total_seconds() / 3600
                        if o.time_to_freeze_median else 0.0) for o in ops],
            "90th percentile": [(o.time_to_freeze_p90.total_seconds() / 3600
                                 if o.time_to_freeze_p90 else 0.0) for o in ops]},
            {"Median": "#1565c0", "90th percentile": "#c62828"}, lambda v: f"{v:.1f} h")
        times.legend(fontsize=7, frameon=False, loc="lower right")
        self.shown["values"] = series


EXPORT_FILTERS = "PNG image (*.png);;PDF document (*.pdf)"


def ask_export(parent: QWidget, charts: OutcomeCharts, suggested: str) -> str | None:
    """Ask where to write the charts (PNG or PDF, by the filter or the name given) and
    write them; returns the path written, or None when cancelled."""
    name, chosen = QFileDialog.getSaveFileName(parent, "Export the charts", suggested,
                                               EXPORT_FILTERS)
    if not name:
        return None
    if not name.lower().endswith((".png", ".pdf")):
        name += ".pdf" if "pdf" in chosen.lower() else ".png"
    try:
        charts.save(name)
    except OSError as error:
        raise KnownError(f"The charts could not be written to {name}: "
                         f"{error.strerror or error}.") from None
    return name
