"""`--report report.html`: one self-contained page to look at.

Everything is in the file: styles, the charts as inline SVG drawn here, a
few lines of script (sortable tables); nothing is fetched, so the page opens
offline, from a CI artifact or an e-mail. Sections: the run, the
differences from the baseline (by member, then the first differing events),
per-handler timings side by side with their latency distributions (baseline
against current), and the slowest events.
"""

from __future__ import annotations

import datetime
import math
from html import escape
from pathlib import Path
from typing import Any

from .compare import DiffSummary, EventDiff, show
from .stats import DEFAULT_SLOWER_PERCENT, HandlerTimes, TimingRow, timing_rows

CHART_QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
CHART_WIDTH, CHART_HEIGHT = 460, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 26, 14, 34
CURRENT_COLOUR, BASELINE_COLOUR = "#d9480f", "#1c7ed6"

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #212529; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #dee2e6; }
table { border-collapse: collapse; margin: .5em 0; } th, td { padding: .25em .7em; text-align: left; }
th { background: #f1f3f5; cursor: pointer; user-select: none; } tr:nth-child(even) td { background: #f8f9fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #2b8a3e; } .bad { color: #c92a2a; font-weight: 600; } .muted { color: #868e96; }
.facts span { display: inline-block; margin-right: 1.5em; }
.diff { font: 12px/1.4 ui-monospace, monospace; background: #f8f9fa; padding: .6em; border-radius: 4px; }
.diff .old { color: #c92a2a; } .diff .new { color: #2b8a3e; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; }
figcaption { font-weight: 600; font-size: .9em; }
svg text { font: 11px system-ui, sans-serif; fill: #495057; }
tr.slower td { background: #fff4e6; }
"""

SCRIPT = """
for (const table of document.querySelectorAll("table.sortable")) {
  table.querySelectorAll("th").forEach((th, column) => th.addEventListener("click", () => {
    const body = table.tBodies[0], rows = Array.from(body.rows);
    const key = r => { const t = r.cells[column].dataset.value ?? r.cells[column].textContent;
                       const n = parseFloat(t); return isNaN(n) ? t : n; };
    const down = th.dataset.order !== "down"; th.dataset.order = down ? "down" : "up";
    rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (down ? -1 : 1));
    rows.forEach(r => body.appendChild(r));
  }));
  table.dataset.sortable = "ready";
}
document.documentElement.dataset.ready = "yes";
"""


def write_report(path: Path, summary: Any, *, slower_percent: float = DEFAULT_SLOWER_PERCENT) -> None:
    path.write_text(render_report(summary, slower_percent=slower_percent), encoding="utf-8")


def render_report(summary: Any, *, slower_percent: float = DEFAULT_SLOWER_PERCENT) -> str:
    stats = summary.stats
    rows = timing_rows(stats.timings, stats.baseline_timings)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>crmscript replay report</title>", f"<style>{STYLE}</style></head><body>",
        _run_section(summary),
        _diff_section(stats.diff, summary.baseline),
        _timing_section(rows, stats.timings, stats.baseline_timings, slower_percent),
        _slowest_section(stats.slowest_events(), summary.baseline is not None),
        f"<script>{SCRIPT}</script>", "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _run_section(summary: Any) -> str:
    stats = summary.stats
    inputs = ", ".join(escape(file.label) for file in summary.files[:5])
    if len(summary.files) > 5:
        inputs += f" and {len(summary.files) - 5} more"
    facts = [f"<b>{summary.count:,}</b> events", f"<b>{stats.blocked:,}</b> blocked",
             f"<b>{stats.exceptions:,}</b> with exceptions", f"<b>{stats.bad:,}</b> bad lines",
             f"<b>{summary.seconds:.2f} s</b>", f"<b>{summary.events_per_second:,.0f}</b> events/s",
             f"on <b>{escape(summary.executor)}</b>", f"<b>{summary.partitions:,}</b> partition{'s' if summary.partitions != 1 else ''}"]
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    verdict = ""
    if stats.diff is not None:
        verdict = ('<p class="bad" id="verdict">Responses differ from the baseline.</p>' if stats.diff.any
                   else '<p class="ok" id="verdict">Every response equals the baseline\'s.</p>')
    return (f"<h1>crmscript replay</h1><p class=\"muted\">{escape(when)} · input: {inputs}"
            + (f" · baseline: {escape(summary.baseline)}" if summary.baseline else "") + "</p>"
            + '<p class="facts" id="facts">' + "".join(f"<span>{fact}</span>" for fact in facts) + "</p>"
            + verdict)


def _diff_section(diff: DiffSummary | None, baseline: str | None) -> str:
    if diff is None:
        return '<h2>Differences</h2><p class="muted">No baseline given (--baseline OLD.jsonl).</p>'
    out = [f'<h2 id="differences">Differences from {escape(baseline or "the baseline")}</h2>',
           f"<p>{diff.compared:,} events compared, <b>{diff.differing:,}</b> differ"
           + (f", {diff.missing_baseline:,} beyond the baseline's last line" if diff.missing_baseline else "")
           + (f", {diff.extra_baseline:,} baseline lines with no event here" if diff.extra_baseline else "")
           + ".</p>"]
    details = diff.member_details()
    if details:
        out.append('<table class="sortable" id="members"><thead><tr><th>member</th><th class="num">events</th>'
                   "<th>what changed</th></tr></thead><tbody>")
        out.extend(f'<tr><td>{escape(member)}</td><td class="num">{count:,}</td><td>{escape(detail)}</td></tr>'
                   for member, count, detail in details)
        out.append("</tbody></table>")
    if diff.examples:
        out.append(f"<h3>The first {len(diff.examples)} differing events</h3>")
        out.extend(_example(example) for example in diff.examples)
    return "\n".join(out)


def _example(example: EventDiff) -> str:
    lines = [f"<b>{escape(example.file)}:{example.line}</b> {escape(example.event_type or '(not a request)')}"]
    for change in example.changes:
        lines.append(f"  {escape(change.label)}")
        lines.append(f'    <span class="old">- baseline: {escape(show(change.baseline))}</span>')
        lines.append(f'    <span class="new">+ current:  {escape(show(change.current))}</span>')
    return '<pre class="diff">' + "\n".join(lines) + "</pre>"


def _timing_section(rows: list[TimingRow], current: HandlerTimes | None, baseline: HandlerTimes | None,
                    slower_percent: float) -> str:
    if not rows:
        return ""
    out = ["<h2 id=\"timings\">Handler timings</h2>",
           f"<p class=\"muted\">Microseconds per run of each handler. Rows marked slower grew by more than "
           f"{slower_percent:g}% at p50 or p95 against the baseline.</p>",
           '<table class="sortable" id="timing-table"><thead><tr><th>handler</th>'
           + "".join(f'<th class="num">{name}</th>' for name in ("runs", "p50", "p95", "p99", "events/s"))
           + "".join(f'<th class="num">base {name}</th>' for name in ("p50", "p95", "p99", "events/s"))
           + '<th class="num">p50 change</th></tr></thead><tbody>']
    for row in rows:
        growth = row.growth(1)
        out.append(f'<tr class="{"slower" if row.slower(slower_percent) else ""}"><td>{escape(row.handler)}</td>'
                   + _figure_cells(row.current, with_count=True) + _figure_cells(row.baseline, with_count=False)
                   + f'<td class="num" data-value="{growth or 0}">'
                   + ("" if growth is None else f"{growth - 1:+.0%}") + "</td></tr>")
    out.append("</tbody></table>")
    out.append('<h3>Latency by percentile</h3><div class="charts">')
    out.extend(_chart(row.handler, current, baseline) for row in rows)
    out.append("</div>")
    return "\n".join(out)


def _figure_cells(figures: tuple | None, *, with_count: bool) -> str:
    if figures is None:
        return '<td class="num muted">–</td>' * (5 if with_count else 4)
    count, p50, p95, p99, rate = figures
    cells = [f"{count:,}"] if with_count else []
    cells += [f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}", f"{rate:,.0f}"]
    return "".join(f'<td class="num">{cell}</td>' for cell in cells)


def _curve(times: HandlerTimes | None, handler: str) -> list[tuple[float, float]]:
    if times is None or handler not in times.sketches:
        return []
    return [(q, times.quantile(handler, q)) for q in CHART_QUANTILES]


def _chart(handler: str, current: HandlerTimes | None, baseline: HandlerTimes | None) -> str:
    """Latency (log scale) against percentile (0, 90, 99, 99.9: the tail stretched)."""
    curves = [(name, colour, points) for name, colour, points in
              (("baseline", BASELINE_COLOUR, _curve(baseline, handler)),
               ("current", CURRENT_COLOUR, _curve(current, handler))) if points]
    values = [max(value, 0.01) for _, _, points in curves for _, value in points]
    low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    high = max(high, low + 1)
    plot_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(q: float) -> float:
        return MARGIN_LEFT + plot_w * math.log10(1 / (1 - q)) / 3

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - (math.log10(max(value, 0.01)) - low) / (high - low))

    svg = [f'<svg width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
           f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" class="latency-chart" '
           f'data-handler="{escape(handler)}"><title>{escape(handler)}: latency by percentile</title>']
    for decade in range(low, high + 1):
        top = y(10 ** decade)
        svg.append(f'<line x1="{MARGIN_LEFT}" x2="{CHART_WIDTH - MARGIN_RIGHT}" y1="{top:.1f}" y2="{top:.1f}" '
                   f'stroke="#e9ecef"/><text x="{MARGIN_LEFT - 6}" y="{top + 4:.1f}" text-anchor="end">'
                   f"{_micro_label(10 ** decade)}</text>")
    for q, label in ((0.5, "50%"), (0.9, "90%"), (0.99, "99%"), (0.999, "99.9%")):
        left = x(q)
        svg.append(f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{MARGIN_TOP}" y2="{CHART_HEIGHT - MARGIN_BOTTOM}" '
                   f'stroke="#e9ecef"/><text x="{left:.1f}" y="{CHART_HEIGHT - MARGIN_BOTTOM + 14}" '
                   f'text-anchor="middle">{label}</text>')
    for index, (name, colour, points) in enumerate(curves):
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(q):.1f},{y(v):.1f}" for i, (q, v) in enumerate(points))
        svg.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2" class="curve-{name}"/>')
        for q, value in points:
            svg.append(f'<circle cx="{x(q):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}">'
                       f"<title>{name} p{q * 100:g}: {value:.1f} µs</title></circle>")
        svg.append(f'<rect x="{MARGIN_LEFT + 8}" y="{MARGIN_TOP + 6 + index * 15}" width="10" height="3" '
                   f'fill="{colour}"/><text x="{MARGIN_LEFT + 22}" y="{MARGIN_TOP + 11 + index * 15}">{name}</text>')
    svg.append(f'<text x="{MARGIN_LEFT + plot_w / 2:.0f}" y="{CHART_HEIGHT - 4}" text-anchor="middle">'
               "percentile of runs</text></svg>")
    return f"<figure><figcaption>{escape(handler)}</figcaption>{''.join(svg)}</figure>"


def _micro_label(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:g} s"
    if value >= 1e3:
        return f"{value / 1e3:g} ms"
    return f"{value:g} µs"


def _slowest_section(events: list, with_baseline: bool) -> str:
    if not events:
        return ""
    out = ['<h2 id="slowest">Slowest events</h2>',
           '<table class="sortable" id="slowest-table"><thead><tr><th>event</th><th>type</th>'
           '<th class="num">µs</th>' + ('<th class="num">baseline µs</th>' if with_baseline else "")
           + "<th>handlers (µs)</th></tr></thead><tbody>"]
    for event in events:
        handlers = ", ".join(f"{escape(name)} {seconds * 1e6:,.1f}" for name, seconds in event.handlers)
        base = "" if not with_baseline else (
            '<td class="num muted">–</td>' if event.baseline_seconds is None
            else f'<td class="num">{event.baseline_seconds * 1e6:,.1f}</td>')
        out.append(f"<tr><td>{escape(event.file)}:{event.line}</td><td>{escape(event.event_type)}</td>"
                   f'<td class="num">{event.seconds * 1e6:,.1f}</td>{base}<td>{handlers}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)
