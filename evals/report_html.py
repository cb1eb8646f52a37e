"""One self-contained HTML file (inline CSS and SVG, no network at view time)."""

from __future__ import annotations

import html
import math
import unicodedata
from typing import Any

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2733;max-width:1200px}
h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.kpi{background:#f3f6f9;border-radius:8px;padding:10px 14px}
.kpi b{display:block;font-size:20px}table{border-collapse:collapse}td,th{padding:3px 8px;border:1px solid #e3e8ee;
text-align:right}th{background:#f3f6f9}td:first-child,th:first-child{text-align:left}
details{border:1px solid #e3e8ee;border-radius:6px;margin:6px 0;padding:6px 10px}summary{cursor:pointer}
.msg{white-space:pre-wrap;margin:4px 0;padding:6px 8px;border-radius:6px}
.you{background:#eef4ff}.bot{background:#f4f4f4}
.bad{color:#b42318}.ok{color:#067647}small{color:#667085}"""


def e(value: Any) -> str:
    return html.escape(str(value))


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def bar_chart(rows: list[tuple[str, float]], width: int = 640) -> str:
    bar_h, gap, label_w = 18, 6, 110
    height = len(rows) * (bar_h + gap) + 10
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="pass rate by language">']
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = max(1, int((width - label_w - 60) * value))
        color = "#12b76a" if value >= 0.9 else "#f79009" if value >= 0.75 else "#f04438"
        parts += [f'<text x="0" y="{y + 13}" font-size="12">{e(label)}</text>',
                  f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{color}" rx="3"/>',
                  f'<text x="{label_w + w + 6}" y="{y + 13}" font-size="12">{value * 100:.0f}%</text>']
    return "".join(parts) + "</svg>"


# Text in SVG is not measured at write time: widths are estimated generously so that no label is ever cut off.
EM_PER_CHAR = 0.65  # average advance of a Latin character in system-ui sans-serif is about 0.55 em
ASCENT, DESCENT = 0.9, 0.3  # of the font size, above and below the baseline
LABEL_FONT = 11
LABEL_ANGLE = -60  # column labels of the heat map, degrees (SVG: negative is counter-clockwise)


def text_width(text: str, font_size: float) -> float:
    """Estimated rendered width of text; wide (CJK) characters count as a full em."""
    return sum(font_size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else EM_PER_CHAR) for ch in text)


def text_box(x: float, y: float, text: str, font_size: float, angle: float = 0.0) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of text drawn at baseline origin (x, y), rotated by angle degrees about it."""
    a = math.radians(angle)
    along = (math.cos(a), math.sin(a))  # the baseline's direction
    up = (math.sin(a), -math.cos(a))  # towards the top of the glyphs
    w = text_width(text, font_size)
    corners = [(x + t * along[0] + h * up[0], y + t * along[1] + h * up[1])
               for t in (0.0, w) for h in (-DESCENT * font_size, ASCENT * font_size)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def heat_map(confusion: dict[str, dict[str, int]]) -> str:
    labels = sorted(set(confusion) | {p for row in confusion.values() for p in row})
    cell, pad = 34, 6
    left = math.ceil(pad + max((text_width(label, LABEL_FONT) for label in labels), default=0) + pad)
    # Column labels hang from (x, top - pad): the longest decides how high the header is and how far right the
    # last one reaches.
    reach = [text_box(left + j * cell + cell // 2, 0, label, LABEL_FONT, LABEL_ANGLE) for j, label in enumerate(labels)]
    top = math.ceil(pad + max((-box[1] for box in reach), default=0) + pad)
    size_w = math.ceil(max([left + cell * len(labels), *(box[2] for box in reach)]) + pad)
    size_h = top + cell * len(labels) + pad
    parts = [f'<svg width="{size_w}" height="{size_h}" viewBox="0 0 {size_w} {size_h}" role="img" '
             f'aria-label="intent confusion">']
    for j, label in enumerate(labels):
        x = left + j * cell + cell // 2
        parts.append(f'<text transform="translate({x},{top - pad}) rotate({LABEL_ANGLE})" '
                     f'font-size="{LABEL_FONT}">{e(label)}</text>')
    for i, expected in enumerate(labels):
        row = confusion.get(expected, {})
        total = sum(row.values()) or 1
        parts.append(f'<text x="{pad}" y="{top + i * cell + 21}" font-size="{LABEL_FONT}">{e(expected)}</text>')
        for j, predicted in enumerate(labels):
            n = row.get(predicted, 0)
            share = n / total
            color = f"rgba(18,183,106,{share:.2f})" if expected == predicted else f"rgba(240,68,56,{share:.2f})"
            parts.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{color}" stroke="#e3e8ee"><title>{e(expected)} → {e(predicted)}: {n}</title></rect>')
            if n:
                parts.append(f'<text x="{left + j * cell + 8}" y="{top + i * cell + 21}" font-size="11">{n}</text>')
    return "".join(parts) + "</svg>"


def histogram(values: list[float], width: int = 640, height: int = 160, bins: int = 24) -> str:
    if not values:
        return "<p>no turns</p>"
    hi = max(values) or 1
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / hi * bins))] += 1
    peak = max(counts) or 1
    bw = (width - 40) / bins
    parts = [f'<svg width="{width}" height="{height + 24}" role="img" aria-label="latency histogram">']
    for i, c in enumerate(counts):
        h = int((height - 10) * c / peak)
        parts.append(f'<rect x="{30 + i * bw:.1f}" y="{height - h}" width="{bw - 2:.1f}" height="{h}" fill="#2e90fa">'
                     f'<title>{i * hi / bins:.0f}-{(i + 1) * hi / bins:.0f} ms: {c}</title></rect>')
    parts.append(f'<text x="30" y="{height + 16}" font-size="11">0 ms</text>'
                 f'<text x="{width - 70}" y="{height + 16}" font-size="11">{hi:.0f} ms</text>')
    return "".join(parts) + "</svg>"


def table(title: str, rows: dict[str, dict[str, Any]], count_key: str) -> str:
    body = "".join(f"<tr><td>{e(k)}</td><td>{v[count_key]}</td><td>{_pct(v['pass_rate'])}</td></tr>"
                   for k, v in rows.items())
    return f"<table><tr><th>{e(title)}</th><th>{e(count_key)}</th><th>pass rate</th></tr>{body}</table>"


def render(report: dict[str, Any]) -> str:
    m, meta = report["metrics"], report["meta"]
    kpis = [("cases", f"{m['passed']}/{m['cases']}"), ("pass rate", _pct(m["pass_rate"])),
            ("intent accuracy", _pct(m["intent_accuracy"])), ("language match", _pct(m["language_match"])),
            ("groundedness", _pct(m["groundedness"])), ("citation hit", _pct(m["citation_hit"])),
            ("escalation P/R", f"{_pct(m['escalation_precision'])} / {_pct(m['escalation_recall'])}"),
            ("containment", _pct(m["containment"])), ("leaks", m["leaks"]),
            ("latency p50/p95", f"{m['latency_p50_ms']} / {m['latency_p95_ms']} ms")]
    failures = []
    for case in report["cases"]:
        if case["passed"]:
            continue
        turns = []
        for t in case["turns"]:
            bad = "".join(f'<div class="bad">✗ {e(c["name"])}: {e(c["detail"])}</div>'
                          for c in t["checks"] if not c["ok"])
            bad += "".join(f'<div class="bad">✗ leak: {e(x)}</div>' for x in t["leaks"])
            turns.append(f'<div class="msg you">{e(t["say"])}</div><div class="msg bot">{e(t["reply"])}</div>'
                         f'<small>{e(t["language"])} · {e(t["intent"])} (expected {e(t["expected_intent"])}) · '
                         f'{t["latency_ms"]:.0f} ms · citations {e(", ".join(t["citations"]))} · actions '
                         f'{e(", ".join(str(a.get("type")) for a in t["actions"]))}</small>{bad}')
        error = f'<pre class="bad">{e(case["error"])}</pre>' if case.get("error") else ""
        failures.append(f'<details><summary><b>{e(case["id"])}</b> <small>{e(case["suite"])} · '
                        f'{e(case["language"])} · {e(", ".join(case["tags"]))}</small></summary>'
                        f'{error}{"".join(turns)}</details>')
    lang_rows = [(k, v["pass_rate"] or 0.0) for k, v in m["by_language"].items()]
    return f"""<!doctype html><html lang="en"><meta charset="utf-8"><title>Portside eval report</title>
<style>{CSS}</style><body><h1>Portside eval report</h1>
<small>engine {e(meta['engine'])} {e(meta.get('model') or '')} · {e(meta['started'])} · {meta['duration_s']:.0f} s ·
suites {e(', '.join(meta['suites']))}</small>
<div class="kpis">{''.join(f'<div class="kpi"><small>{e(k)}</small><b>{e(v)}</b></div>' for k, v in kpis)}</div>
<h2>Pass rate by language</h2>{bar_chart(lang_rows)}
<h2>By suite and intent</h2><div style="display:flex;gap:24px;flex-wrap:wrap">
{table('suite', m['by_suite'], 'cases')}{table('language', m['by_language'], 'cases')}
{table('intent', m['by_intent'], 'turns')}</div>
<h2>Intent confusion</h2><small>rows: expected · columns: predicted</small><br>{heat_map(m['confusion'])}
<h2>Latency per turn</h2>{histogram(m['latencies_ms'])}
<h2>Failures ({m['cases'] - m['passed']})</h2>{''.join(failures) or '<p class="ok">None.</p>'}
</body></html>"""
