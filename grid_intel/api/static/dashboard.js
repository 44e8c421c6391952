// Wiring: fetch each panel's endpoints, hand the payloads to Panels, draw, and mark each
// container with data-state ("ready" | "empty" | "error"), data-points and data-series.
// Alerts also arrive live over the WebSocket. Everything refreshes once a minute.
"use strict";

(() => {
  const REFRESH_MS = 60 * 1000;
  const MAX_LIVE = 50; // live alerts kept above the warehouse's latest 50 events
  const params = new URLSearchParams(location.search);
  const charts = new Map();
  const live = []; // alerts from the WebSocket, newest first
  let batch = []; // anomaly events from the warehouse

  const $ = (id) => document.getElementById(id);
  const fmt = (v, digits = 0) => {
    const n = Panels.num(v);
    return n === null ? "–" : n.toLocaleString("en-CA", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  };
  const when = (ts, withDay = false) => {
    if (!ts) return "–";
    const opts = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (withDay) Object.assign(opts, { weekday: "short" });
    return new Date(ts).toLocaleString("en-CA", opts);
  };

  class Missing extends Error {}

  /** GET a JSON endpoint; 404 (nothing issued yet) comes back as null. */
  async function api(path) {
    const res = await fetch(path, { headers: { Accept: "application/json" } });
    if (res.status === 404) return null;
    if (!res.ok) {
      let detail = res.statusText;
      try { detail = (await res.json()).error || detail; } catch (_) { /* not JSON */ }
      throw new Error(`${res.status} ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
    }
    return res.json();
  }

  function note(el, text, isError) {
    el.querySelectorAll(":scope > .note").forEach((n) => n.remove());
    if (!text) return;
    const n = document.createElement(el.tagName === "UL" ? "li" : "div");
    n.className = isError ? "note error" : "note";
    n.textContent = text;
    el.appendChild(n);
  }

  function mark(el, state, points = 0, series = []) {
    el.dataset.state = state;
    el.dataset.points = String(points);
    el.dataset.series = series.join(",");
  }

  /** Draw a Panels result into a chart container, or show why there is nothing to draw. */
  function draw(id, built) {
    const el = $(id);
    if (typeof echarts === "undefined") throw new Error("charting library missing: run bash infra/dev.sh setup");
    if (!built.points) {
      charts.get(id)?.clear();
      mark(el, "empty");
      note(el, "no data yet");
      return;
    }
    note(el, null);
    if (!charts.has(id)) charts.set(id, echarts.init(el, null, { renderer: "canvas" }));
    charts.get(id).setOption(built.option, true);
    mark(el, "ready", built.points, built.series);
  }

  function failed(id, err) {
    const el = $(id);
    charts.get(id)?.clear();
    mark(el, "error");
    note(el, `could not load: ${err.message}`, true);
    console.error(id, err);
  }

  async function panel(id, load) {
    try {
      await load();
    } catch (err) {
      failed(id, err);
    }
  }

  async function status() {
    const box = $("grid-status");
    try {
      const s = await api("/api/v1/grid/status");
      const any = s && ["frequency_hz", "demand_mw", "generation_mw", "net_export_mw"].some((k) => Panels.num(s[k]) !== null);
      $("stat-frequency").textContent = fmt(s?.frequency_hz, 3);
      $("stat-demand").textContent = fmt(s?.demand_mw);
      $("stat-generation").textContent = fmt(s?.generation_mw);
      $("stat-export").textContent = fmt(s?.net_export_mw);
      $("stat-asof").textContent = s?.as_of ? new Date(s.as_of).toLocaleString("en-CA", { dateStyle: "short", timeStyle: "short", hour12: false }) : "no data yet";
      box.dataset.state = any ? "ready" : "empty";
      return s?.as_of || null;
    } catch (err) {
      box.dataset.state = "error";
      $("stat-asof").textContent = `error: ${err.message}`;
      return null;
    }
  }

  async function prices() {
    try {
      const p = await api("/api/v1/prices/current?node=MHEB");
      const lmp = (x) => (x ? x.lmp ?? x.da_lmp ?? x.rt_lmp : null);
      $("stat-lmp").textContent = p ? `${fmt(lmp(p.day_ahead), 1)} / ${fmt(lmp(p.real_time), 1)}` : "–";
    } catch (err) {
      $("stat-lmp").textContent = "error";
    }
  }

  function renderSignals(built, issuedAt) {
    const table = $("signals-table");
    const body = table.querySelector("tbody");
    body.replaceChildren(...built.rows.map((r) => {
      const tr = document.createElement("tr");
      const cells = [
        when(r.hour, true), r.action, fmt(r.quantity_mw), fmt(r.lmp_p50, 1),
        fmt(r.marginal_cost, 1), fmt(r.expected_value_usd), fmt(Panels.num(r.confidence) * 100) + "%",
      ];
      cells.forEach((c, i) => {
        const td = document.createElement("td");
        td.textContent = c;
        if (i === 1) td.className = `action-${r.action}`;
        tr.appendChild(td);
      });
      return tr;
    }));
    mark(table, built.rows.length ? "ready" : "empty", built.rows.length, built.series);
    table.parentElement.querySelectorAll(".note").forEach((n) => n.remove());
    $("signals-issued").textContent = issuedAt ? `issued ${when(issuedAt, true)}` : "next 24 h vs MISO";
  }

  function renderAlerts() {
    const list = $("alerts-list");
    const all = [...live, ...batch];
    list.replaceChildren(...all.map((a) => {
      const li = document.createElement("li");
      li.className = `${Panels.severityClass(a)}${a.live ? " live" : ""}`;
      const sev = typeof a.severity === "number" ? fmt(a.severity, 2) : a.severity || "";
      const parts = [
        ["when", when(a.ts || a.start_ts)],
        ["what", `${a.kind || "alert"} · ${a.asset || "?"}`],
        ["sev", `${a.live ? "LIVE " : ""}${sev}`],
        ["msg", a.message || (a.end_ts ? `${when(a.start_ts)}–${when(a.end_ts)}` : "")],
      ];
      for (const [cls, text] of parts) {
        const span = document.createElement("span");
        span.className = cls;
        span.textContent = text;
        li.appendChild(span);
      }
      return li;
    }));
    mark(list, all.length ? "ready" : "empty", all.length, [...new Set(all.map((a) => a.kind))].sort());
    if (!all.length) note(list, "no alerts yet");
  }

  async function refresh() {
    const asOf = await status();
    const { start, end } = Panels.window24(params.get("at") || asOf || new Date());
    const range = `start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`;
    let mixPayload = null;
    const mixLoaded = api(`/api/v1/generation/mix?${range}`).then((m) => (mixPayload = m));
    await Promise.all([
      prices(),
      panel("chart-mix", async () => draw("chart-mix", Panels.mix(await mixLoaded))),
      panel("chart-demand", async () => {
        const [actual, forecast, issued, accuracy] = await Promise.all([
          api(`/api/v1/demand/actual?region=manitoba&${range}`),
          api("/api/v1/demand/forecast?region=manitoba&horizon=24h"),
          api(`/api/v1/demand/forecast/issued?region=manitoba&horizon=24h&${range}`),
          api("/api/v1/demand/forecast/accuracy?region=manitoba&days=7"),
          mixLoaded.catch(() => null),
        ]);
        $("demand-accuracy").textContent = Panels.accuracyLine(accuracy) || "no forecast scored yet";
        draw("chart-demand", Panels.demand(actual, mixPayload, forecast, issued));
      }),
      panel("chart-health", async () => draw("chart-health", Panels.health(await api("/api/v1/equipment/health?limit=500")))),
      panel("chart-carbon", async () => draw("chart-carbon", Panels.carbon(await api(`/api/v1/carbon/intensity?${range}`)))),
      panel("chart-signals", async () => {
        const payload = await api("/api/v1/prices/signals");
        const built = Panels.signals(payload);
        renderSignals(built, payload?.issued_at);
        draw("chart-signals", built);
      }).catch(() => null),
      panel("alerts-list", async () => {
        const payload = await api("/api/v1/anomalies?limit=50");
        batch = (payload?.items || []).map((a) => ({ ...a, live: false }));
        renderAlerts();
      }),
    ]);
    if ($("chart-signals").dataset.state === "error") {
      mark($("signals-table"), "error");
    }
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  }

  /** The live alert stream; reconnects with a growing pause after a drop. */
  function connect(delay = 1000) {
    const state = $("ws-state");
    const proto = location.protocol === "https:" ? "wss" : "ws";
    let ws;
    try {
      ws = new WebSocket(`${proto}://${location.host}/ws/v1/stream?types=alert`);
    } catch (err) {
      state.dataset.state = "closed";
      state.textContent = "unavailable";
      return;
    }
    ws.onopen = () => {
      delay = 1000;
      state.dataset.state = "open";
      state.textContent = "connected";
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (_) { return; }
      if (msg.type === "heartbeat" && msg.data) {
        state.dataset.kafka = String(Boolean(msg.data.kafka));
        state.textContent = msg.data.kafka ? "connected" : "connected, Kafka unreachable";
      }
      if (msg.type !== "alert" || !msg.data) return;
      if (msg.data.id && live.some((a) => a.id === msg.data.id)) return;
      live.unshift({ ...msg.data, live: true });
      live.length = Math.min(live.length, MAX_LIVE);
      renderAlerts();
    };
    ws.onclose = () => {
      state.dataset.state = "closed";
      state.textContent = "reconnecting";
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  refresh();
  setInterval(refresh, REFRESH_MS);
  connect();
})();
