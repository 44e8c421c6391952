// Pure functions from API payloads to what a panel draws: an ECharts option plus the
// number of points and the series names, which dashboard.js writes onto the chart's
// element (data-points, data-series) so a test can see real data behind the canvas.
"use strict";

const Panels = (() => {
  const HOUR = 3600 * 1000;
  const FUEL_COLOURS = {
    hydro: "#2c7fb8", wind: "#41ab5d", solar: "#fdb42f", gas: "#e6550d",
    natural_gas: "#e6550d", coal: "#636363", diesel: "#8c6d31", biomass: "#8c9f2f",
    nuclear: "#8856a7", imports: "#9ecae1", other: "#bdbdbd",
  };
  // Stream alerts carry a severity word; batch events a detector-unit number, so their
  // colour comes from the kind instead.
  const CRITICAL_KINDS = new Set([
    "breaker_chatter", "frequency_excursion", "transformer_overheating", "line_overload",
  ]);

  const num = (v) => (v === null || v === undefined || v === "" || Number.isNaN(Number(v)) ? null : Number(v));
  const ms = (ts) => new Date(ts).getTime();
  const items = (payload) => (payload && Array.isArray(payload.items) ? payload.items : []);

  /** The 24 whole hours up to and including the anchor's hour, as ISO strings. */
  function window24(anchor) {
    const end = new Date((Math.floor(ms(anchor) / HOUR) + 1) * HOUR);
    return { start: new Date(end.getTime() - 24 * HOUR).toISOString(), end: end.toISOString() };
  }

  function timeAxisBase() {
    return {
      animation: false,
      grid: { left: 52, right: 12, top: 30, bottom: 26 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      xAxis: { type: "time", axisLabel: { fontSize: 11, hideOverlap: true } },
      yAxis: { type: "value", scale: true, axisLabel: { fontSize: 11 } },
    };
  }

  /** A p10-p90 band as two stacked lines: the lower one invisible, the width shaded. */
  function band(name, rows, lo, hi, colour, stack) {
    const pts = rows.filter((r) => num(r[lo]) !== null && num(r[hi]) !== null);
    return [
      { name, type: "line", stack, symbol: "none", lineStyle: { opacity: 0 },
        data: pts.map((r) => [ms(r.ts), num(r[lo])]), tooltip: { show: false } },
      { name, type: "line", stack, symbol: "none", lineStyle: { opacity: 0 },
        areaStyle: { color: colour, opacity: 0.18 },
        data: pts.map((r) => [ms(r.ts), num(r[hi]) - num(r[lo])]), tooltip: { show: false } },
    ];
  }

  /** Total generation per hour from the mix rows. */
  function generationByHour(mixRows) {
    const total = new Map();
    for (const r of mixRows) {
      const v = num(r.generation_mw);
      if (v === null) continue;
      total.set(ms(r.hour), (total.get(ms(r.hour)) || 0) + v);
    }
    return [...total.entries()].sort((a, b) => a[0] - b[0]);
  }

  function quantileRows(payload) {
    return items(payload).map((r) => ({
      ts: r.ts, p50: num(r.p50 ?? r.yhat_p50 ?? r.yhat),
      p10: num(r.p10 ?? r.yhat_p10), p90: num(r.p90 ?? r.yhat_p90),
    })).filter((r) => r.p50 !== null);
  }

  /** Actual demand and generation; the day-ahead forecast as it was issued for the same
   * hours (so the band meets the actuals as they arrive); the latest forecast ahead. */
  function demand(actual, mix, forecast, issued) {
    const demandPts = items(actual).filter((r) => num(r.demand_mw) !== null)
      .map((r) => [ms(r.hour), num(r.demand_mw)]).sort((a, b) => a[0] - b[0]);
    const genPts = generationByHour(items(mix));
    const fc = quantileRows(forecast);
    const past = quantileRows(issued);
    const option = timeAxisBase();
    option.yAxis.name = "MW";
    option.series = [
      { name: "Demand", type: "line", symbol: "none", color: "#17324d", data: demandPts },
      { name: "Generation", type: "line", symbol: "none", color: "#41ab5d", data: genPts },
    ];
    if (past.length) {
      option.series.push(...band("Issued p10–p90", past, "p10", "p90", "#d94801", "issued-band"));
      option.series.push({ name: "Issued day ahead", type: "line", symbol: "none", color: "#d94801",
        lineStyle: { type: "dotted" }, data: past.map((r) => [ms(r.ts), r.p50]) });
    }
    if (fc.length) {
      option.series.push(...band("Forecast p10–p90", fc, "p10", "p90", "#17324d", "demand-band"));
      option.series.push({ name: "Forecast p50", type: "line", symbol: "none", color: "#17324d",
        lineStyle: { type: "dashed" }, data: fc.map((r) => [ms(r.ts), r.p50]) });
    }
    const shown = [
      ["demand", "Demand", demandPts.length], ["generation", "Generation", genPts.length],
      ["issued", "Issued day ahead", past.length], ["forecast", "Forecast p50", fc.length],
    ].filter(([, , n]) => n > 0);
    option.legend.data = shown.map(([, label]) => label);
    const points = demandPts.length + genPts.length + past.length + fc.length;
    return { option, points, series: shown.map(([name]) => name) };
  }

  /** "24 h MAPE 2.1 % over 7 d" from the accuracy endpoint, or null before any score. */
  function accuracyLine(payload, horizon = "24h") {
    const h = (payload?.horizons || []).find((x) => x.horizon === horizon);
    if (!h || num(h.mape_pct) === null) return null;
    return `${horizon} MAPE ${num(h.mape_pct).toFixed(1)} % over ${payload.days} d (${h.points} h)`;
  }

  function mix(payload) {
    const rows = items(payload).filter((r) => num(r.generation_mw) !== null && r.fuel);
    const fuels = [...new Set(rows.map((r) => r.fuel))].sort();
    const option = timeAxisBase();
    option.yAxis.name = "MW";
    option.yAxis.scale = false;
    option.tooltip.valueFormatter = (v) => (v === null || v === undefined ? "–" : `${Math.round(v)} MW`);
    option.series = fuels.map((fuel) => ({
      name: fuel, type: "line", stack: "mix", symbol: "none", areaStyle: { opacity: 0.85 },
      lineStyle: { width: 0.5 }, color: FUEL_COLOURS[fuel.toLowerCase()],
      data: rows.filter((r) => r.fuel === fuel).map((r) => [ms(r.hour), num(r.generation_mw)])
        .sort((a, b) => a[0] - b[0]),
    }));
    return { option, points: rows.length, series: fuels };
  }

  /** Latest row per asset, worst first, laid out as a grid: one row per asset kind. */
  function health(payload) {
    const latest = new Map();
    for (const r of items(payload)) {
      const score = num(r.health_index ?? r.health ?? r.score);
      if (!r.asset || score === null) continue;
      const prev = latest.get(r.asset);
      if (!prev || (r.day && prev.day && r.day > prev.day)) latest.set(r.asset, { ...r, score });
    }
    const assets = [...latest.values()].sort((a, b) => a.score - b.score);
    const kinds = [...new Set(assets.map((a) => a.asset_kind || "asset"))].sort();
    const column = new Map(kinds.map((k) => [k, 0]));
    const cells = assets.map((a) => {
      const kind = a.asset_kind || "asset";
      const x = column.get(kind);
      column.set(kind, x + 1);
      return { value: [x, kinds.indexOf(kind), Math.round(a.score * 10) / 10], asset: a };
    });
    const width = Math.max(1, ...column.values());
    const option = {
      animation: false,
      grid: { left: 84, right: 12, top: 8, bottom: 44 },
      tooltip: {
        formatter: (p) => {
          const a = p.data.asset;
          const where = a.substation ? ` · ${a.substation}` : "";
          return `<b>${a.asset}</b>${where}<br>${a.asset_kind || ""} health ${p.data.value[2]}` +
            (a.band ? ` (${a.band})` : "") + (a.worst_factor ? `<br>worst: ${a.worst_factor}` : "");
        },
      },
      xAxis: { type: "category", data: [...Array(width).keys()].map((i) => i + 1),
        axisLabel: { show: false }, axisTick: { show: false }, splitArea: { show: true } },
      yAxis: { type: "category", data: kinds, axisLabel: { fontSize: 11 } },
      visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center",
        bottom: 0, itemHeight: 120, itemWidth: 10, textStyle: { fontSize: 10 },
        text: ["100 as new", "0 "], inRange: { color: ["#b2182b", "#f4a582", "#fddbc7", "#d1e5f0", "#4393c3"] } },
      series: [{ type: "heatmap", data: cells, itemStyle: { borderColor: "#fff", borderWidth: 1 },
        label: { show: width <= 12, fontSize: 10 } }],
    };
    return { option, points: cells.length, series: kinds };
  }

  function carbon(payload) {
    const rows = items(payload);
    const prod = rows.filter((r) => num(r.production_g_kwh) !== null)
      .map((r) => [ms(r.hour), num(r.production_g_kwh)]).sort((a, b) => a[0] - b[0]);
    const cons = rows.filter((r) => num(r.consumption_g_kwh) !== null)
      .map((r) => [ms(r.hour), num(r.consumption_g_kwh)]).sort((a, b) => a[0] - b[0]);
    const fc = items(payload && payload.forecast).map((r) => ({
      ts: r.ts, p50: num(r.p50 ?? r.yhat_p50 ?? r.yhat), p10: num(r.p10 ?? r.yhat_p10),
      p90: num(r.p90 ?? r.yhat_p90),
    })).filter((r) => r.p50 !== null);
    const option = timeAxisBase();
    option.yAxis.name = "g/kWh";
    option.yAxis.scale = false;
    option.series = [
      { name: "Production", type: "line", symbol: "none", color: "#2c7fb8", data: prod },
      { name: "Consumption", type: "line", symbol: "none", color: "#e6550d", data: cons },
    ];
    if (fc.length) {
      option.series.push(...band("Forecast p10–p90", fc, "p10", "p90", "#e6550d", "carbon-band"));
      option.series.push({ name: "Forecast p50", type: "line", symbol: "none", color: "#e6550d",
        lineStyle: { type: "dashed" }, data: fc.map((r) => [ms(r.ts), r.p50]) });
    }
    option.legend.data = ["Production", "Consumption", ...(fc.length ? ["Forecast p50"] : [])];
    const names = ["production", "consumption", "forecast"].filter(
      (n, i) => [prod.length, cons.length, fc.length][i] > 0);
    return { option, points: prod.length + cons.length + fc.length, series: names };
  }

  /** Signed MW per hour: exports up, imports down, holds at zero. */
  function signals(payload) {
    const rows = items(payload).filter((r) => r.hour && r.action)
      .sort((a, b) => ms(a.hour) - ms(b.hour));
    const sign = { export: 1, import: -1, hold: 0 };
    const colour = { export: "#1f8a4c", import: "#c0392b", hold: "#8a94a3" };
    const option = {
      animation: false,
      grid: { left: 44, right: 8, top: 6, bottom: 18 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time", axisLabel: { fontSize: 10, hideOverlap: true } },
      yAxis: { type: "value", name: "", axisLabel: { fontSize: 10 }, splitNumber: 2 },
      series: [{ name: "MW (+export / −import)", type: "bar", barMaxWidth: 10,
        data: rows.map((r) => ({
          value: [ms(r.hour), (sign[r.action] ?? 0) * (num(r.quantity_mw) || 0)],
          itemStyle: { color: colour[r.action] || "#8a94a3" },
        })) }],
    };
    const actions = [...new Set(rows.map((r) => r.action))].sort();
    return { option, points: rows.length, series: actions, rows };
  }

  function severityClass(alert) {
    const s = alert.severity;
    if (typeof s === "string") return `sev-${s.toLowerCase()}`;
    return CRITICAL_KINDS.has(alert.kind) ? "sev-critical" : "sev-warning";
  }

  return { window24, demand, accuracyLine, mix, health, carbon, signals, severityClass, num };
})();
