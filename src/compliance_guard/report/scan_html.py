"""``cguard scan --html``: one self-contained page for an operator who never opens the JSONL.

No network at all: styles and a few lines of script are inline, charts are SVG generated
here. The page shows the summary counts, findings by category / rule / severity and flagged
listings by listing category as bar charts, the worst listings with each finding highlighted
in its field, the rows that could not be read, and filters by finding category and severity.
"""
from __future__ import annotations

import html
import json

from compliance_guard import __version__
from compliance_guard.model.finding import Severity
from compliance_guard.report import advice

_SEV_COLOUR = {"error": "#c62828", "warning": "#ef8f00", "info": "#1e88e5"}
CONTEXT = 40  # characters shown either side of a finding


def render(summary, top: int = 50) -> str:
    """The page for a batch ``Summary`` (see compliance_guard.scan.local)."""
    s = summary.to_dict(top=top)
    listings = summary.top(top)
    categories = sorted({f["category"] for r in listings for f in r["findings"]} | set(s["by_category"]))
    stats = [("rows", "rows read", s["rows"]), ("ok", "ok", s["ok"]), ("errors", "rows with errors", s["errors"]),
             ("flagged", "rows with findings", s["rows_with_findings"]), ("findings", "findings", s["findings"])]
    parts = [_HEAD.replace("{title}", html.escape(f"cguard scan — {s['path']}"))]
    parts.append(f"<header><h1>Compliance scan: {_e(s['path'])}</h1>"
                 f"<p class=meta>compliance-guard {__version__}"
                 + (f" · resumed run ({s['resumed']} rows from the earlier run)" if s["resumed"] else "")
                 + "</p></header>")
    parts.append("<section class=stats>" + "".join(
        f"<div class=stat><span class=num id=stat-{key} data-value={value}>{value:,}</span><span class=lbl>{label}</span></div>"
        for key, label, value in stats) + "</section>")
    parts.append("<section class=charts>")
    parts.append(_chart("chart-category", "Findings by category", list(s["by_category"].items())))
    parts.append(_chart("chart-severity", "Findings by severity", list(s["by_severity"].items()),
                        colours=_SEV_COLOUR))
    parts.append(_chart("chart-rule", "Findings by rule (top 20)", list(s["by_rule"].items())[:20]))
    flagged = sorted(((c, v["flagged"]) for c, v in s["listing_categories"].items() if v["flagged"]),
                     key=lambda kv: -kv[1])[:20]
    parts.append(_chart("chart-listing-category", "Flagged listings by listing category (top 20)", flagged))
    parts.append("</section>")
    parts.append(_filters(categories))
    parts.append(f"<section id=listings><h2>Worst listings <small id=visible-count>{len(listings)} of {len(listings)} "
                 "shown</small></h2>")
    if not listings:
        parts.append("<p class=empty>No listing has findings.</p>")
    for r in listings:
        parts.append(_listing(r))
    parts.append("</section>")
    if s["error_rows"]:
        parts.append("<section id=errors><h2>Rows that could not be read"
                     f" <small>({s['errors']} in all; first {len(s['error_rows'])})</small></h2><table>"
                     "<tr><th>row</th><th>id</th><th>reason</th></tr>")
        for e in s["error_rows"]:
            parts.append(f"<tr><td>{e['row']}</td><td>{_e(e['id'])}</td><td>{_e(e['error'])}</td></tr>")
        parts.append("</table></section>")
    parts.append(f"<script id=summary-data type=application/json>{_json(s)}</script>")
    parts.append(_SCRIPT + "</body></html>\n")
    return "".join(parts)


def write(summary, path: str, top: int = 50) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render(summary, top))


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _chart(ident: str, title: str, items: list[tuple[str, int]], colours: dict | None = None) -> str:
    """A horizontal bar chart as inline SVG; every bar carries its count as text."""
    if not items:
        return f"<figure id={ident}><figcaption>{_e(title)}</figcaption><p class=empty>none</p></figure>"
    top = max(v for _, v in items) or 1
    label_w, bar_w, row_h = 190, 330, 22
    height = row_h * len(items) + 6
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * row_h + 3
        w = max(2, round(bar_w * value / top))
        colour = (colours or {}).get(label, "#5c6bc0")
        short = label if len(label) <= 22 else label[:21] + "…"
        rows.append(
            f'<g class=bar data-label="{_e(label)}" data-value="{value}"><title>{_e(label)}: {value}</title>'
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{row_h - 6}" rx="2" fill="{colour}"></rect>'
            f'<text x="{label_w + w + 5}" y="{y + 15}" class=val>{value:,}</text></g>')
    return (f"<figure id={ident}><figcaption>{_e(title)}</figcaption>"
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 60} {height}" '
            f'width="100%" role="img" aria-label="{_e(title)}">{"".join(rows)}</svg></figure>')


def _filters(categories: list[str]) -> str:
    options = "".join(f"<option value=\"{_e(c)}\">{_e(c)}</option>" for c in categories)
    boxes = "".join(f"<label><input type=checkbox class=sev-filter value={s} checked> {s}</label>"
                    for s in ("error", "warning", "info"))
    return (f"<section class=filters><label>Category <select id=filter-category><option value=\"\">all</option>"
            f"{options}</select></label> <span class=sevs>Severity {boxes}</span></section>")


def _listing(record: dict) -> str:
    findings = record["findings"]
    texts = record.get("_texts") or {}
    cats = " ".join(sorted({f["category"] for f in findings}))
    sevs = " ".join(sorted({f["severity"] for f in findings}))
    worst = Severity.worst(f["severity"] for f in findings).value
    out = [f"<article class=\"listing sev-{worst}\" data-categories=\"{_e(cats)}\" data-severities=\"{sevs}\" "
           f"data-row=\"{record['row']}\"><h3>row {record['row']} · id {_e(record['id'])}"
           f" <span class=lcat>{_e(record.get('category') or '')}</span>"
           f" <span class=count>{len(findings)} finding{'s' if len(findings) != 1 else ''}</span></h3>"]
    by_field: dict[str, list[dict]] = {}
    for f in findings:
        by_field.setdefault(f.get("field") or "listing", []).append(f)
    for name, fs in by_field.items():
        text = texts.get(name)
        if text:
            out.append(f"<div class=field><span class=fname>{_e(name)}</span><p class=ctx>{_highlight(text, fs)}</p></div>")
    out.append("<ul class=findings>")
    for f in findings:
        sugg = "".join(f" <span class=sugg>{_e(line)}</span>" for line in advice.lines(f.get("suggestions") or (), None, "："))
        out.append(f"<li class=\"finding sev-{f['severity']}\" data-category=\"{_e(f['category'])}\" "
                   f"data-severity=\"{f['severity']}\">"
                   f"<span class=sev>{f['severity']}</span> <b>{_e(f['rule'])}</b> "
                   f"<span class=where>{_e(f.get('field') or '')}:{f['line']}:{f['column']}</span> "
                   f"{_e(f['message'])}{sugg}"
                   + "".join(f"<div class=src>{_e(line)}</div>" for line in advice.lines((), f.get("source"), "："))
                   + "</li>")
    out.append("</ul></article>")
    return "".join(out)


def _highlight(text: str, findings: list[dict]) -> str:
    """The field with every finding marked, cut to windows around the findings."""
    spans = [(f["start"], f["end"], f) for f in findings if 0 <= f["start"] <= f["end"] <= len(text)]
    if not spans:
        return _e(text[:2 * CONTEXT]) + ("…" if len(text) > 2 * CONTEXT else "")
    windows: list[list[int]] = []
    for s, e, _ in sorted(spans, key=lambda t: t[:2]):
        ws, we = max(0, s - CONTEXT), min(len(text), e + CONTEXT)
        if windows and ws <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], we)
        else:
            windows.append([ws, we])
    out = []
    for ws, we in windows:
        out.append("…" if ws > 0 else "")
        cuts = sorted({ws, we} | {p for s, e, _ in spans for p in (s, e) if ws <= p <= we})
        for a, b in zip(cuts, cuts[1:]):
            covering = [f for s, e, f in spans if s <= a and b <= e and s < e]
            piece = _e(text[a:b])
            if covering:
                worst = Severity.worst(f["severity"] for f in covering).value
                tip = "; ".join(f"{f['rule']}: {f['message']}" for f in covering)
                cats = " ".join(sorted({f["category"] for f in covering}))
                out.append(f"<mark class=\"sev-{worst}\" data-categories=\"{_e(cats)}\" title=\"{_e(tip)}\">{piece}</mark>")
            else:
                out.append(piece)
        out.append("…" if we < len(text) else "")
    return "".join(out)


_HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>{title}</title>
<style>
body{font:14px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#222;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px}h2 small{font-weight:normal;color:#666;font-size:13px}
.meta{color:#666;margin:0}.stats{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.stat{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:120px}
.stat .num{display:block;font-size:24px;font-weight:600}.stat .lbl{color:#666}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:8px 12px}
figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:12px;fill:#333}svg .val{fill:#555}
.filters{position:sticky;top:0;background:#fafafa;padding:8px 0;border-bottom:1px solid #ddd;margin-top:16px;z-index:1}
.filters label{margin-right:10px}
.listing{background:#fff;border:1px solid #ddd;border-left:5px solid #999;border-radius:6px;margin:10px 0;padding:8px 14px}
.listing.sev-error{border-left-color:#c62828}.listing.sev-warning{border-left-color:#ef8f00}.listing.sev-info{border-left-color:#1e88e5}
.listing h3{font-size:15px;margin:2px 0 6px}.lcat{background:#eee;border-radius:3px;padding:0 6px;font-weight:normal}
.count{color:#666;font-weight:normal;font-size:13px}.field{margin:4px 0}.fname{font-family:monospace;color:#555;margin-right:6px}
.ctx{display:inline;white-space:pre-wrap}mark{border-radius:2px;padding:0 1px}
mark.sev-error{background:#ffcdd2}mark.sev-warning{background:#ffe0b2}mark.sev-info{background:#bbdefb}
.findings{margin:6px 0 2px;padding-left:18px}.finding{margin:3px 0}.sev{font-size:12px;border-radius:3px;padding:0 5px;color:#fff}
.sev-error .sev{background:#c62828}.sev-warning .sev{background:#ef8f00}.sev-info .sev{background:#1e88e5}
.where{font-family:monospace;color:#666}.sugg{color:#2e7d32}.src{color:#777;font-size:12px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.empty{color:#777}.hidden{display:none}
</style></head><body>
"""  # noqa: E501 - the page's one line of base style

_SCRIPT = """<script>
(function () {
  var cat = document.getElementById('filter-category');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.sev-filter'));
  var cards = Array.prototype.slice.call(document.querySelectorAll('.listing'));
  var counter = document.getElementById('visible-count');
  function apply() {
    var c = cat.value;
    var sevs = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var shown = 0;
    cards.forEach(function (card) {
      var any = false;
      card.querySelectorAll('.finding').forEach(function (li) {
        var ok = (!c || li.dataset.category === c) && sevs.indexOf(li.dataset.severity) !== -1;
        li.classList.toggle('hidden', !ok);
        if (ok) { any = true; }
      });
      card.classList.toggle('hidden', !any);
      if (any) { shown += 1; }
    });
    counter.textContent = shown + ' of ' + cards.length + ' shown';
  }
  cat.addEventListener('change', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
</script>
"""
