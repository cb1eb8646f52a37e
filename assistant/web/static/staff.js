// The staff dashboard: reads /v1/insights with the session cookie and draws it with plotly (served by Portside).
(function () {
  "use strict";
  const LANGS = ["en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru", "ar", "zh", "ja", "ko", "id", "vi", "th"];
  const form = document.getElementById("filters");
  const status = document.getElementById("status");
  const langSelect = form.elements.language;
  LANGS.forEach(function (l) { const o = document.createElement("option"); o.value = l; o.textContent = l; langSelect.appendChild(o); });

  function pct(v) { return v === null ? "—" : Math.round(v * 100) + "%"; }
  function num(v, unit) { return v === null ? "—" : (Math.round(v * 10) / 10).toLocaleString() + unit; }
  function text(tag, value, attrs) {
    const el = document.createElement(tag); el.textContent = value;
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); }); return el;
  }
  function bar(id, title, data) {
    Plotly.react(id, [{ type: "bar", x: Object.keys(data), y: Object.values(data) }],
      { title: { text: title }, margin: { t: 40, r: 10, l: 40, b: 60 } }, { responsive: true, displaylogo: false });
  }
  function stack(id, title, table) {
    const cols = Array.from(new Set(Object.values(table).flatMap(function (row) { return Object.keys(row); }))).sort();
    const traces = Object.keys(table).map(function (reason) {
      return { type: "bar", name: reason, x: cols, y: cols.map(function (c) { return table[reason][c] || 0; }) };
    });
    Plotly.react(id, traces, { title: { text: title }, barmode: "stack", margin: { t: 40, r: 10, l: 40, b: 60 } },
      { responsive: true, displaylogo: false });
  }
  function lines(id, title, series) {
    const traces = Object.keys(series.counts).map(function (key) {
      return { type: "scatter", mode: "lines", stackgroup: "one", name: key, x: series.days, y: series.counts[key] };
    });
    Plotly.react(id, traces, { title: { text: title }, margin: { t: 40, r: 10, l: 40, b: 60 } },
      { responsive: true, displaylogo: false });
  }
  function kpis(r) {
    const c = r.conversations, x = r.returns;
    const items = [["Conversations", c.conversations.toLocaleString()], ["Automated resolution", pct(c.automated_resolution)],
      ["Handoff rate", pct(c.handoff_rate)], ["Median first response", num(c.median_first_response_minutes, " min")],
      ["Median resolution", num(c.median_resolution_minutes, " min")], ["CSAT ratings", String(c.csat_ratings)],
      ["Returns", String(x.returns)], ["Refund value", "$" + x.refund_value_usd.toLocaleString()],
      ["Refund without return", pct(x.refund_without_return_share)], ["Median approval", num(x.median_approval_hours, " h")]];
    const box = document.getElementById("kpis"); box.replaceChildren();
    items.forEach(function (kv) {
      const d = text("div", kv[0], { "class": "kpi", "data-kpi": kv[0] }); d.appendChild(text("b", kv[1])); box.appendChild(d);
    });
  }
  function gaps(list) {
    const body = document.getElementById("gaps"); body.replaceChildren();
    if (!list.length) { const tr = document.createElement("tr"); tr.appendChild(text("td", "No unanswered questions in this period.", { colspan: "4" })); body.appendChild(tr); return; }
    list.forEach(function (g) {
      const tr = document.createElement("tr"); tr.appendChild(text("td", String(g.count)));
      const samples = document.createElement("td");
      g.samples.forEach(function (s, i) { if (i) samples.appendChild(document.createElement("br")); samples.appendChild(text("span", s.text, { lang: s.language || "" })); });
      tr.appendChild(samples); tr.appendChild(text("td", g.gloss ? g.gloss + (g.gloss_source === "translation" ? " (machine translation)" : "") : "—"));
      const card = document.createElement("td");
      if (g.closest_card_url) { card.appendChild(text("a", g.closest_card, { href: g.closest_card_url })); } else { card.textContent = g.closest_card || "—"; }
      tr.appendChild(card); body.appendChild(tr);
    });
  }
  function load() {
    const params = new URLSearchParams();
    ["since", "language", "country", "channel"].forEach(function (k) { const v = form.elements[k].value.trim(); if (v) params.set(k, v); });
    status.textContent = "Loading…";
    return fetch("/v1/insights?" + params.toString(), { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { window.location.assign("/staff"); return null; }
      if (!r.ok) { return r.json().then(function (e) { throw new Error(e.error ? e.error.message : r.statusText); }); }
      return r.json();
    }).then(function (r) {
      if (!r) return;
      kpis(r);
      bar("chart-handoffs", "Handoffs by reason", r.conversations.handoffs_by_reason);
      bar("chart-csat_language", "CSAT by language", r.conversations.csat_by_language);
      bar("chart-csat_intent", "CSAT by intent", r.conversations.csat_by_intent);
      stack("chart-returns_country", "Return reasons by country", r.returns.by_reason_country);
      stack("chart-returns_product", "Return reasons by product", r.returns.by_reason_product);
      lines("chart-intents", "Conversations by intent", r.intents_over_time);
      lines("chart-languages", "Conversations by language", r.languages_over_time);
      gaps(r.gaps);
      status.textContent = "Showing " + r.filters.since.slice(0, 10) + " – " + r.filters.until.slice(0, 10);
      document.body.setAttribute("data-loaded", params.toString() || "all");
    }).catch(function (e) { status.textContent = "Could not load: " + e.message; });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
})();
