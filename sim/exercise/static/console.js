// The exercise console (演练指挥台): plain JavaScript, no libraries, served by sim itself.
// The facilitator's view drives the exercise through the JSON API; the players' view
// (/players) only reads /api/players/*, which leave out future injects and expected actions.
"use strict";

const VIEW = document.body.dataset.view === "players" ? "players" : "facilitator";
const API = VIEW === "players" ? "/api/players" : "/api";
// The page's language: ?lang= in the address, else the server's (--lang); its words come from
// the server (/api/meta's strings), so the page holds no second copy of them.
const LANG = new URLSearchParams(location.search).get("lang")
  || document.body.dataset.lang || "en";
const ZH = LANG === "zh";
const Q = `lang=${encodeURIComponent(LANG)}`;
const SVGNS = "http://www.w3.org/2000/svg";
const STATE_COLOURS = {
  at_home: "#d0d5dd", warned: "#fdb022", evacuating: "#f79009", sheltered: "#2e90fa",
  dispersed: "#7cd4fd", exposed: "#98a2b3", displaced: "#d92d20", injured: "#e31b54",
  trapped: "#7a2e0e", rescued: "#12b76a", killed: "#101828",
};

const ui = {
  logLength: 0,
  stockMax: {},       // point -> item -> largest quantity seen (the gauge's full mark)
  schema: null,
  lastForkId: null,
  busy: false,
  strings: {},        // key -> the page's words in LANG (from /api/meta)
  namesZh: {},        // scenario name -> its Chinese name
};

// ---------------------------------------------------------------- words
// The words of `key`, with its {fields} filled in from `vars`; the key itself if unknown.
function T(key, vars) {
  const text = ui.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
}
// A scenario name as the page shows it: its Chinese name in Chinese where it has one.
function nm(name) { return ZH && name ? (ui.namesZh[name] || name) : name; }
// Two-language text: English with its Chinese beside it, or the Chinese alone (else English).
function both(en, zh) { return ZH ? (zh || en || "") : `${en || ""}${zh ? " · " + zh : ""}`; }
function applyStrings() {
  for (const e of document.querySelectorAll("[data-t]")) {
    if (e.dataset.t in ui.strings) e.textContent = T(e.dataset.t);
  }
  for (const e of document.querySelectorAll("[data-t-label]")) {
    e.setAttribute("aria-label", T(e.dataset.tLabel));
  }
  document.title = T("title");
}

// ---------------------------------------------------------------- helpers
function $(id) { return document.getElementById(id); }
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) {
    e.append(typeof kid === "string" ? document.createTextNode(kid) : kid);
  }
  return e;
}
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function clockText(t) {
  if (t === null || t === undefined) return "T —";
  const sign = t < 0 ? "−" : "+";
  const a = Math.abs(t);
  return `T${sign}${Number.isInteger(a) ? a : a.toFixed(1)} h`;
}
function fmt(x, digits = 0) {
  if (x === null || x === undefined) return "—";
  if (typeof x !== "number") return String(x);
  return x.toLocaleString("en", { maximumFractionDigits: digits });
}
function plain(doc) { return String(doc).replace(/``/g, ""); }  // docstring markup out
function pct(p) { return p === null || p === undefined ? "—" : `${(100 * p).toFixed(0)} %`; }

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { error: `HTTP ${r.status}` }; }
  if (!r.ok) throw new Error((data && data.error) || `HTTP ${r.status}`);
  return data;
}
function sayError(e) { say(T("error", { error: e.message }), "error"); }
function say(text, kind) {
  const m = $("message");
  if (!m) return;
  m.textContent = text;
  m.className = `message ${kind || ""}`;
}

// ---------------------------------------------------------------- status
function renderStatus(st) {
  if (!st || st.time_h === undefined) return;
  $("clock").textContent = clockText(st.time_h);
  $("clock").dataset.t = st.time_h;
  const span = st.end_h - st.start_h;
  $("timeline-bar").style.width = `${span > 0 ? (100 * (st.time_h - st.start_h) / span) : 0}%`;
  $("clock-range").textContent = `${clockText(st.start_h)} … ${clockText(st.end_h)}`
    + (st.finished ? T("clock.ended") : "");
  ui.busy = !!st.busy;
  $("busy").hidden = !st.busy;
  for (const b of document.querySelectorAll("button")) {
    b.disabled = ui.busy || (!!st.finished && b.id !== "btn-save");
  }
  const nx = $("next-inject");
  if (nx) {
    const n = st.next_inject;
    nx.textContent = n ? T("next", { n: n.number, t: clockText(n.at_h), to: nm(n.to),
                                     synopsis: ZH ? (n.message_zh || n.synopsis) : n.synopsis })
      + (n.contingency ? T("next.contingency") : "")
      : T("next.none");
  }
  renderMap(st);
  renderPeople(st.people || {});
  renderTargets(st.targets || []);
  renderShelters(st.shelters || []);
  renderStock(st.stock || []);
  renderVehicles(st.vehicles || [], st.teams || []);
  if ((st.log_length || 0) > ui.logLength) refreshLog();
}

function renderPeople(people) {
  const parts = Object.entries(people).filter(([, n]) => n > 0)
    .map(([s, n]) => `${T("state." + s)} ${fmt(n)}`);
  $("people").textContent = parts.join(" · ");
}

function renderMap(st) {
  const map = $("map");
  const zones = (st.zones || []).filter(z => Number.isFinite(z.lon) && Number.isFinite(z.lat));
  map.replaceChildren();
  if (!zones.length) return;
  const W = 640, H = 420, pad = 50;
  const lat0 = zones.reduce((a, z) => a + z.lat, 0) / zones.length;
  const kx = Math.cos(lat0 * Math.PI / 180);
  const xs = zones.map(z => z.lon * kx), ys = zones.map(z => z.lat);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const scale = Math.min((W - 2 * pad) / Math.max(x1 - x0, 1e-6),
                         (H - 2 * pad) / Math.max(y1 - y0, 1e-6));
  const cx = (W - scale * (x1 - x0)) / 2, cy = (H - scale * (y1 - y0)) / 2;
  const px = z => cx + (z.lon * kx - x0) * scale;
  const py = z => H - (cy + (z.lat - y0) * scale);
  const shelters = st.shelters || [], stock = st.stock || [], teams = st.teams || [];
  const maxPop = Math.max(...zones.map(z => z.population || 1));
  const pts = [];
  for (const z of zones) {
    const p = [px(z), py(z)];
    if (!pts.some(q => Math.hypot(q[0] - p[0], q[1] - p[1]) < 2)) pts.push(p);
  }
  // Radius: the largest pie about 0.6 of the median distance from a zone to its nearest.
  const nearest = pts.map(a => Math.min(...pts.filter(b => b !== a)
    .map(b => Math.hypot(a[0] - b[0], a[1] - b[1]))));
  nearest.sort((a, b) => a - b);
  const nn = nearest.length ? nearest[Math.floor(nearest.length / 2)] : Infinity;
  const rMax = Math.max(12, Math.min(44, Number.isFinite(nn) ? 0.6 * nn : 44));
  const radius = z => Math.max(4, rMax * Math.sqrt((z.population || 1) / maxPop));
  // Zones at the same place (a district and its hazard area): the smaller ones beside it.
  const at = new Map(), place = new Map();
  for (const z of [...zones].sort((a, b) => (b.population || 0) - (a.population || 0))) {
    const key = `${Math.round(px(z))},${Math.round(py(z))}`;
    const host = at.get(key);
    if (!host) { at.set(key, { z, n: 0 }); place.set(z.name, [px(z), py(z), true]); continue; }
    const a = Math.PI / 4 + 0.6 * host.n++, d = radius(host.z) + radius(z) + 2;
    place.set(z.name, [px(host.z) + d * Math.cos(a), py(host.z) + d * Math.sin(a), false]);
  }
  for (const z of zones) {
    const [x, y, labelled] = place.get(z.name);
    const r = radius(z);
    const g = svg("g", { class: "zone", "data-zone": z.name });
    const people = z.people || {};
    const total = Object.values(people).reduce((a, b) => a + b, 0);
    let a0 = -Math.PI / 2;
    const title = [`${ZH ? (z.name_zh || z.name) : z.name + (z.name_zh ? " " + z.name_zh : "")}`
      + `: ${fmt(z.population)}`];
    for (const [s, n] of Object.entries(people)) {
      if (!(n > 0) || !total) continue;
      title.push(`${T("state." + s)}: ${fmt(n)}`);
      const a1 = a0 + 2 * Math.PI * n / total;
      const colour = STATE_COLOURS[s] || "#888";
      if (n >= total) {
        g.append(svg("circle", { cx: x, cy: y, r, fill: colour }));
      } else {
        const large = a1 - a0 > Math.PI ? 1 : 0;
        const d = `M${x},${y} L${x + r * Math.cos(a0)},${y + r * Math.sin(a0)} `
          + `A${r},${r} 0 ${large} 1 ${x + r * Math.cos(a1)},${y + r * Math.sin(a1)} Z`;
        g.append(svg("path", { d, fill: colour, "data-state": s }));
      }
      a0 = a1;
    }
    g.append(svg("circle", { cx: x, cy: y, r, fill: "none", stroke: "#344054",
                             "stroke-width": 1 }));
    g.append(svg("title", {}, title.join("\n")));
    const label = z.name_zh || z.name;
    if (labelled && zones.length <= 40) {
      g.append(svg("text", { x, y: y + r + 13, "text-anchor": "middle", "font-size": 12,
                             fill: "#1d2330" }, label));
    }
    // Shelters (squares) and stock points (triangles) at their zone, around the pie.
    const here = shelters.filter(s => s.zone === z.name);
    here.forEach((s, i) => {
      const a = -Math.PI / 4 + i * 0.5, sx = x + (r + 7) * Math.cos(a), sy = y + (r + 7) * Math.sin(a);
      const full = s.capacity ? s.present / s.capacity : 0;
      const sq = svg("rect", { x: sx - 4, y: sy - 4, width: 8, height: 8, class: "shelter",
        fill: !s.open ? "#fff" : full >= 1 ? "#d92d20" : full > 0.8 ? "#f79009" : "#2e90fa",
        stroke: "#1d2330" });
      sq.append(svg("title", {}, `${nm(s.name)}: ${fmt(s.present)} / ${fmt(s.capacity)}`
        + (s.open ? "" : ` (${T("closed")})`)));
      g.append(sq);
    });
    stock.filter(p => p.zone === z.name).forEach((p, i) => {
      const a = Math.PI + Math.PI / 4 + i * 0.5;
      const sx = x + (r + 8) * Math.cos(a), sy = y + (r + 8) * Math.sin(a);
      const tri = svg("path", { d: `M${sx},${sy - 5} L${sx + 5},${sy + 4} L${sx - 5},${sy + 4} Z`,
        fill: "#12b76a", stroke: "#1d2330", class: "stock-point" });
      tri.append(svg("title", {}, `${nm(p.point)}: ` + Object.entries(p.items || {})
        .map(([k, v]) => `${nm(k)} ${fmt(v)}`).join(", ")));
      g.append(tri);
    });
    // Teams in the zone (at work or idle): a badge with their number.
    const crew = teams.filter(t => t.zone === z.name);
    if (crew.length) {
      const bx = x - r * 0.8 - 6, by = y - r * 0.8 - 6;
      const busy = crew.filter(t => t.task && t.task !== "idle").length;
      const badge = svg("g", { class: "teams", "data-teams": crew.length });
      badge.append(svg("circle", { cx: bx, cy: by, r: 8, fill: busy ? "#6941c6" : "#fff",
                                   stroke: "#6941c6" }));
      badge.append(svg("text", { x: bx, y: by + 3.5, "text-anchor": "middle", "font-size": 9,
                                 fill: busy ? "#fff" : "#6941c6" }, String(crew.length)));
      badge.append(svg("title", {}, crew.map(t => `${nm(t.fleet)} #${t.idx}: `
        + T("task." + (t.task || "idle"))).join("\n")));
      g.append(badge);
    }
    map.append(g);
  }
}

function renderLegend() {
  const lg = $("legend");
  lg.replaceChildren();
  for (const [s, c] of Object.entries(STATE_COLOURS)) {
    lg.append(el("span", {}, el("i", { style: `background:${c}` }), T("state." + s)));
  }
  lg.append(el("span", {}, T("legend.marks")));
}

function gauge(label, value, full, opts = {}) {
  const share = full > 0 ? Math.max(0, Math.min(1, value / full)) : 0;
  let cls = "fill";
  if (opts.low && share < 0.2) cls += " low";
  else if (!opts.low && share >= 1) cls += " full";
  else if (!opts.low && share > 0.8) cls += " high";
  return el("div", { class: `gauge${opts.closed ? " closed" : ""}` },
    el("div", { class: "label" }, el("span", {}, label),
       el("span", {}, `${fmt(value)} / ${fmt(full)}`)),
    el("div", { class: "bar" }, el("div", { class: cls, style: `width:${100 * share}%` })));
}

function renderShelters(shelters) {
  const box = $("shelters");
  box.replaceChildren(...shelters.map(s => gauge(
    `${nm(s.name)} (${nm(s.zone)})${s.open ? "" : T("shelter.closed")}`, s.present, s.capacity,
    { closed: !s.open })));
}

function renderStock(stock) {
  const box = $("stock");
  box.replaceChildren();
  for (const p of stock) {
    const seen = ui.stockMax[p.point] || (ui.stockMax[p.point] = {});
    const full = p.full || {};
    const items = el("div", { class: "items" });
    for (const [item, q] of Object.entries(p.items || {})) {
      seen[item] = Math.max(seen[item] || 0, full[item] || 0, q);
      items.append(gauge(nm(item), q, seen[item], { low: true }));
    }
    box.append(el("div", { class: `point${p.out ? " out" : ""}`, "data-point": p.point },
      el("div", { class: "muted small" },
         `${nm(p.point)} (${nm(p.zone)})${p.out ? T("stock.lost") : ""}`),
      items));
  }
}

function renderVehicles(vehicles, teams) {
  $("vehicles").replaceChildren(...vehicles.map(v => gauge(
    T("vehicles.busy", { fleet: nm(v.fleet), kind: ZH ? T("vkind." + v.kind) : v.kind }),
    v.busy, v.total)));
  const body = $("teams").querySelector("tbody");
  body.replaceChildren(el("tr", {}, el("th", {}, T("th.team")), el("th", {}, T("th.zone")),
                          el("th", {}, T("th.task"))));
  for (const t of teams) {
    const last = t.last ? T("team.last", { what: ZH ? T("task." + t.last.what) : t.last.what,
                                           zone: nm(t.last.zone), t: clockText(t.last.until_h) })
      : "";
    const task = !t.task ? T("team.idle") : ZH ? T("task." + t.task) : t.task;
    body.append(el("tr", {}, el("td", {}, `${nm(t.fleet)} #${t.idx}`),
                   el("td", {}, nm(t.zone) || "—"), el("td", {}, `${task}${last}`)));
  }
}

function renderTargets(targets) {
  const body = $("targets").querySelector("tbody");
  body.replaceChildren(el("tr", {}, el("th", {}, T("th.target")), el("th", {}, T("th.value")),
                          el("th", {}, T("th.threshold")), el("th", {}, "")));
  for (const t of targets) {
    const verdict = t.met === false ? [T("verdict.missed"), "missed"]
      : t.at_risk ? [T("verdict.risk"), "risk"] : t.met ? [T("verdict.met"), "met"] : ["—", ""];
    body.append(el("tr", { "data-target": t.id, title: t.why || "" }, clauseCell(t),
      el("td", {}, fmt(t.value, 2)), el("td", {}, fmt(t.threshold, 2)),
      el("td", { class: verdict[1] }, verdict[0])));
  }
}

// A target's plan clause: English with the Chinese under it, or the Chinese alone.
function clauseCell(t) {
  if (ZH) return el("td", {}, el("div", {}, t.clause_zh || t.clause_en || t.id));
  return el("td", {}, el("div", {}, t.clause_en || t.id),
            el("div", { class: "muted" }, t.clause_zh || ""));
}

// ---------------------------------------------------------------- log feed
async function refreshLog() {
  const entries = await api(`${API}/log?since=${ui.logLength}&${Q}`);
  const feed = $("feed");
  for (const e of entries) {
    ui.logLength = Math.max(ui.logLength, e.index + 1);
    const li = el("li", { class: `entry ${e.kind}`, "data-kind": e.kind, "data-ref": e.ref },
      el("span", { class: "t" }, clockText(e.t_h)),
      el("span", { class: `badge ${e.kind}` }, T("log." + e.kind)),
      e.ref ? el("strong", {}, `${e.ref} `) : null,
      e.role ? el("span", { class: "muted" }, `[${nm(e.role)}] `) : null,
      ...(ZH ? [el("div", { class: "zh" }, e.zh || e.en || "")]
        : [el("div", { class: "en" }, e.en || ""), el("div", { class: "zh" }, e.zh || "")]));
    feed.prepend(li);
  }
}

// ---------------------------------------------------------------- forms from the schema
function resolve(schema, node) {
  while (node && node.$ref) node = schema.$defs[node.$ref.split("/").pop()];
  return node || {};
}
function nonNull(schema, prop) {
  prop = resolve(schema, prop);
  if (prop.anyOf) {
    const kinds = prop.anyOf.map(p => resolve(schema, p)).filter(p => p.type !== "null");
    if (kinds.length === 1) return { ...kinds[0], description: prop.description,
                                     title: prop.title, optional: true };
  }
  return prop;
}
// Which of the scenario's names a field takes, by the field's name (new kinds included).
const NAME_FIELDS = {
  zone: "zone", zones: "zone", a: "zone", b: "zone", point: "point", points: "point",
  fleet: "fleet", fleets: "fleet", shelter: "shelter", shelters: "shelter", team: "team",
  teams: "team", item: "item", items: "item", hospital: "hospital", hospitals: "hospital",
  supply: "supply", supplies: "supply", supplier: "supply",
};
function namesFor(field) {
  const names = (ui.schema && ui.schema.names) || {};
  const key = NAME_FIELDS[field];
  return key && names[key] && names[key].length ? names[key] : null;
}
function datalist(id, values) {
  const dl = el("datalist", { id });
  for (const v of values || []) {
    dl.append(el("option", { value: v, label: nm(v) !== v ? nm(v) : null }));
  }
  return dl;
}

// Builds the inputs of one intervention kind; returns a function that reads them back.
function buildFields(box, kind, prefix) {
  box.replaceChildren();
  if (!kind) return () => null;
  const schema = ui.schema.schema;
  const ref = schema.discriminator.mapping[kind];
  const def = resolve(schema, { $ref: ref });
  const required = new Set(def.required || []);
  const readers = [];
  // The schema's descriptions are English: shown under the fields in English, hovered in Chinese.
  if (def.description && !ZH) box.append(el("div", { class: "hint" }, plain(def.description)));
  for (const [name, raw] of Object.entries(def.properties || {})) {
    if (name === "kind" || name === "at_h" || name === "note") continue;  // the form's own
    const prop = nonNull(schema, raw);
    const id = `${prefix}-${name}`;
    const must = required.has(name) && !prop.optional;
    const title = ZH ? `${name}${prop.description ? ": " + plain(prop.description) : ""}`
      : prop.description || "";
    box.append(el("label", { for: id, title },
                  `${ZH ? (ui.schema.labels.fields[name] || name) : name}${must ? " *" : ""}`));
    let read;
    if (prop.enum || prop.const !== undefined) {
      const sel = el("select", { id, name });
      if (!must) sel.append(el("option", { value: "" }, "—"));
      for (const v of prop.enum || [prop.const]) sel.append(el("option", { value: v }, String(v)));
      box.append(sel);
      read = () => sel.value === "" ? undefined : sel.value;
    } else if (prop.type === "integer" || prop.type === "number") {
      const inp = el("input", { id, name, type: "number", step: prop.type === "integer" ? 1 : "any",
                                min: prop.minimum ?? prop.exclusiveMinimum,
                                max: prop.maximum ?? prop.exclusiveMaximum });
      box.append(inp);
      read = () => inp.value === "" ? undefined : Number(inp.value);
    } else if (prop.type === "boolean") {
      const inp = el("input", { id, name, type: "checkbox", checked: prop.default === true });
      box.append(inp);
      read = () => inp.checked;
    } else if (prop.type === "string") {
      const values = namesFor(name);
      const inp = el("input", { id, name, type: "text", list: values ? `${id}-list` : null });
      box.append(inp);
      if (values) box.append(datalist(`${id}-list`, values));
      read = () => inp.value.trim() === "" ? undefined : inp.value.trim();
    } else if (prop.type === "object") {
      const rows = el("div", { id, class: "kv" });
      const keys = namesFor(name) || namesFor("item");
      const add = () => {
        const k = el("input", { type: "text", class: "kv-key", list: `${id}-keys`,
                                placeholder: T("form.name") });
        const v = el("input", { type: "number", step: "any", class: "kv-value",
                                placeholder: T("form.value") });
        rows.append(el("div", { class: "kv-row" }, k, v));
      };
      add();
      const more = el("button", { type: "button", class: "small" }, "+");
      more.addEventListener("click", add);
      box.append(el("div", {}, rows, more, datalist(`${id}-keys`, keys)));
      read = () => {
        const out = {};
        for (const r of rows.querySelectorAll(".kv-row")) {
          const k = r.querySelector(".kv-key").value.trim();
          const v = r.querySelector(".kv-value").value;
          if (k) out[k] = v === "" ? null : Number(v);
        }
        return Object.keys(out).length ? out : undefined;
      };
    } else if (prop.type === "array" && namesFor(name)) {
      const sel = el("select", { id, name, multiple: true,
                                 size: Math.min(6, namesFor(name).length) });
      for (const v of namesFor(name)) sel.append(el("option", { value: v }, nm(v)));
      box.append(sel);
      read = () => {
        const v = [...sel.selectedOptions].map(o => o.value);
        return v.length ? v : undefined;
      };
    } else if (prop.type === "array" && ["string", "number", "integer"].includes(
        resolve(schema, prop.items).type)) {
      const numeric = resolve(schema, prop.items).type !== "string";
      const inp = el("input", { id, name, type: "text", placeholder: "a, b, c" });
      box.append(inp);
      read = () => {
        const v = inp.value.split(",").map(x => x.trim()).filter(x => x !== "");
        return v.length ? v.map(x => numeric && x !== "" && !isNaN(x) ? Number(x) : x)
          : undefined;
      };
    } else {  // anything else: JSON
      const ta = el("textarea", { id, name, rows: 2, placeholder: "JSON" });
      box.append(ta);
      read = () => {
        if (!ta.value.trim()) return undefined;
        try { return JSON.parse(ta.value); } catch (e) { return ta.value; }
      };
    }
    if (prop.description && !ZH) box.append(el("div", { class: "hint" }, plain(prop.description)));
    readers.push([name, read]);
  }
  return () => {
    const out = { kind };
    for (const [name, read] of readers) {
      const v = read();
      if (v !== undefined) out[name] = v;
    }
    return out;
  };
}

function kindSelect(id, noneLabel) {
  const s = ui.schema;
  const sel = el("select", { id, name: "kind" }, el("option", { value: "" }, noneLabel));
  const decisions = new Set(s.decision_kinds || []);
  const groups = s.decision_kinds
    ? [[T("kinds.decisions"), s.kinds.filter(k => decisions.has(k))],
       [T("kinds.events"), s.kinds.filter(k => !decisions.has(k))]]
    : [[T("kinds.all"), s.kinds]];
  for (const [label, kinds] of groups) {
    if (!kinds.length) continue;
    const g = el("optgroup", { label });
    for (const k of kinds) {
      g.append(el("option", { value: k, title: ZH ? k : null }, (ZH && s.labels.kinds[k]) || k));
    }
    sel.append(g);
  }
  return sel;
}

function setupDecide() {
  const s = ui.schema;
  const by = $("decide-by"), action = $("decide-action");
  by.replaceChildren(el("option", { value: "" }, "—"),
    ...s.roles.map(r => el("option", { value: r.id },
      ZH ? (r.name_zh || r.id) : `${r.id}${r.name_zh ? " " + r.name_zh : ""}`)));
  action.replaceChildren(el("option", { value: "" }, "—"),
    ...s.actions.map(a => el("option", { value: a.id, title: ZH ? a.id : a.en },
                             ZH ? (a.zh || a.en || a.id) : `${a.id}`)));
  const box = $("decide-fields");
  const fieldsBox = el("div", { class: "fields" });
  const sel = kindSelect("decide-kind", T("decide.none"));
  let read = () => null;
  // A kind the players choose is a decision; an event kind is the controllers' ad-hoc inject.
  const isEvent = () => sel.value !== "" && s.decision_kinds !== null
    && !s.decision_kinds.includes(sel.value);
  sel.addEventListener("change", () => {
    read = buildFields(fieldsBox, sel.value, "decide");
    $("btn-decide").textContent = isEvent() ? T("btn.inject") : T("btn.decide");
    action.disabled = isEvent();
  });
  box.replaceWith(el("div", { id: "decide-fields" },
    el("label", { class: "wide" }, `${T("decide.kind")} `, sel), fieldsBox));
  $("decide-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const note = $("decide-note").value || null;
    const [path, body] = isEvent()
      ? ["/api/inject", { event: read(), by: by.value || null, note }]
      : ["/api/decide", { decision: read(), by: by.value || null,
                          action: action.value || null, note }];
    try {
      const out = await api(path, body);
      say(`${clockText(out.entry.t_h)} ${both(out.entry.en, out.entry.zh)}`, "ok");
      renderStatus(out.status);
      await refreshLog();
    } catch (e) { sayError(e); }
  });
}

function setupFork() {
  const box = $("fork-fields");
  const fieldsBox = el("div", { class: "fields" });
  const sel = kindSelect("fork-kind", T("fork.none"));
  let read = () => null;
  sel.addEventListener("change", () => { read = buildFields(fieldsBox, sel.value, "fork"); });
  box.replaceWith(el("div", { id: "fork-fields" },
    el("label", { class: "wide" }, `${T("fork.kind")} `, sel), fieldsBox));
  $("fork-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const futures = Number($("fork-futures").value);
    try {
      await api("/api/fork", { futures, alternative: read() });
      say(T("fork.started", { n: futures }), "ok");
      pollFork();
    } catch (e) { sayError(e); }
  });
}

// ---------------------------------------------------------------- fork and fan chart
async function pollFork() {
  let f;
  try { f = await api("/api/fork"); } catch (e) { return; }
  const prog = $("fork-progress");
  if (f.state === "running") {
    $("busy").hidden = false;
    const est = f.estimate_s ? T("fork.estimate", { s: f.estimate_s }) : "";
    if (prog) prog.textContent = T("fork.running", { n: f.futures, s: f.elapsed_s }) + est;
    setTimeout(pollFork, 700);
    return;
  }
  if (prog) prog.textContent = f.state === "failed" ? T("fork.failed", { error: f.error }) : "";
  if (f.state === "failed") sayError(new Error(f.error));
  if (f.state === "done" && f.report) renderFork(f.report);
  await refresh();
}

function renderFork(rep) {
  const key = `${rep.id}@${rep.t_h}`;
  if (key === ui.lastForkId) return;
  ui.lastForkId = key;
  const [en, zh] = rep.decision || [];  // the alternative in English and Chinese
  const dec = rep.decision ? T("fork.alternative", { what: ZH ? (zh || en) : `${en} / ${zh}` })
    : "";
  $("fork-title").textContent = T("fork.title", { id: rep.id, t: clockText(rep.t_h),
    n: rep.futures, s: fmt(rep.seconds, 1) }) + dec;
  drawFan(rep.fan, rep.fan_alt);
  const body = $("fork-targets").querySelector("tbody");
  const alt = (rep.targets || []).some(t => t.p_alt !== null && t.p_alt !== undefined);
  const head = [el("th", {}, T("th.target")), el("th", {}, T("th.p"))];
  if (alt) head.push(el("th", {}, T("th.p_alt")), el("th", {}, T("th.diff")));
  body.replaceChildren(el("tr", {}, ...head));
  for (const t of rep.targets || []) {
    const row = [clauseCell(t), el("td", {}, `${pct(t.p)} [${pct(t.lo)}, ${pct(t.hi)}]`)];
    if (alt) {
      row.push(el("td", {}, `${pct(t.p_alt)} [${pct(t.lo_alt)}, ${pct(t.hi_alt)}]`),
               el("td", {}, t.diff === null || t.diff === undefined ? "—"
                 : `${t.diff >= 0 ? "+" : ""}${(100 * t.diff).toFixed(0)} ${T("pts")} `
                   + `[${(100 * t.diff_lo).toFixed(0)}, ${(100 * t.diff_hi).toFixed(0)}]`));
    }
    body.append(el("tr", { "data-target": t.id }, ...row));
  }
}

function drawFan(fan, fanAlt) {
  const chart = $("fan");
  chart.replaceChildren();
  if (!fan || !fan.times || !fan.times.length) return;
  const W = 640, H = 300, L = 70, R = 20, TOP = 20, B = 40;
  const all = [fan, fanAlt].filter(Boolean);
  const ts = fan.times;
  const vals = all.flatMap(f => [...f.q05, ...f.q95]).filter(Number.isFinite);
  const t0 = Math.min(...ts), t1 = Math.max(...ts);
  const v0 = Math.min(0, ...vals), v1 = Math.max(1e-9, ...vals);
  const X = t => L + (W - L - R) * (t1 > t0 ? (t - t0) / (t1 - t0) : 0.5);
  const Y = v => H - B - (H - TOP - B) * (v - v0) / (v1 - v0 || 1);
  // Axes with a few ticks.
  chart.append(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#667085" }));
  chart.append(svg("line", { x1: L, y1: TOP, x2: L, y2: H - B, stroke: "#667085" }));
  for (let i = 0; i <= 4; i++) {
    const v = v0 + (v1 - v0) * i / 4, t = t0 + (t1 - t0) * i / 4;
    chart.append(svg("text", { x: L - 6, y: Y(v) + 4, "text-anchor": "end", "font-size": 11 },
                     fmt(v, v1 < 10 ? 2 : 0)));
    chart.append(svg("text", { x: X(t), y: H - B + 16, "text-anchor": "middle", "font-size": 11 },
                     clockText(Math.round(t))));
  }
  chart.append(svg("text", { x: L, y: 13, "font-size": 12, fill: "#1d2330" },
                   ZH ? (fan.quantity_zh || fan.quantity_en || "")
                     : `${fan.quantity_en || ""} · ${fan.quantity_zh || ""}`));
  const band = (f, lo, hi, fill, cls) => {
    const up = f.times.map((t, i) => `${X(t)},${Y(f[hi][i])}`);
    const down = f.times.map((t, i) => `${X(t)},${Y(f[lo][i])}`).reverse();
    chart.append(svg("polygon", { points: [...up, ...down].join(" "), fill, class: cls }));
  };
  const line = (f, stroke, dash, cls) => chart.append(svg("polyline", {
    points: f.times.map((t, i) => `${X(t)},${Y(f.q50[i])}`).join(" "), fill: "none", stroke,
    "stroke-width": 2, "stroke-dasharray": dash, class: cls }));
  band(fan, "q05", "q95", "rgba(31,95,191,0.15)", "band90");
  band(fan, "q25", "q75", "rgba(31,95,191,0.30)", "band50");
  line(fan, "#1f5fbf", "", "median");
  if (fanAlt) {
    band(fanAlt, "q25", "q75", "rgba(199,119,0,0.25)", "band50 alt");
    line(fanAlt, "#c77700", "6 4", "median alt");
  }
  chart.append(svg("text", { x: W - R, y: H - 4, "text-anchor": "end", "font-size": 11,
                             fill: "#667085" },
                   T("fan.caption") + (fanAlt ? T("fan.dashed") : "")));
}

// ---------------------------------------------------------------- clock controls
async function act(path, body) {
  try {
    const out = await api(path, body);
    const n = (out.entries || []).length;
    say(`${clockText(out.status.time_h)}${n ? T(n === 1 ? "act.one" : "act.many", { n }) : ""}`,
        "ok");
    renderStatus(out.status);
    await refreshLog();
  } catch (e) { sayError(e); }
}

async function refresh() {
  try {
    renderStatus(await api(`${API}/status`));
  } catch (e) { sayError(e); }
}

async function init() {
  const meta = await api(`/api/meta?${Q}`);
  ui.strings = meta.strings || {};
  ui.namesZh = meta.names_zh || {};
  applyStrings();
  $("view-name").textContent = T(VIEW === "players" ? "view.players" : "view.facilitator");
  renderLegend();
  const t = meta.scenario.title || {};
  $("title").textContent = ZH ? (t.zh || t.en || meta.scenario.name)
    : `${t.en || meta.scenario.name}${t.zh ? " · " + t.zh : ""}`;
  const sub = meta.msel ? (ZH ? [meta.msel.name_zh || meta.msel.name]
    : [meta.msel.name, meta.msel.name_zh].filter(Boolean)) : [];
  if (VIEW === "facilitator") sub.push(T("seed", { seed: meta.seed }));
  $("subtitle").textContent = sub.join(" · ");
  if (VIEW === "facilitator") {
    ui.schema = await api(`/api/schema?${Q}`);
    setupDecide();
    setupFork();
    $("btn-step").addEventListener("click", () => act("/api/step", { hours: 1 }));
    $("btn-next").addEventListener("click", () => act("/api/next", {}));
    $("btn-to").addEventListener("click", () => {
      const v = $("to-t").value;
      act("/api/to", { t_h: v === "" ? null : Number(v) });
    });
    if (ui.schema.out_dir) {
      $("btn-save").hidden = $("btn-report").hidden = false;
      $("btn-save").title = $("btn-report").title = ui.schema.out_dir;
      $("btn-save").addEventListener("click", async () => {
        try {
          const out = await api("/api/save", {});
          say(T("saved", { t: clockText(out.time_h), path: out.saved }), "ok");
        } catch (e) { sayError(e); }
      });
      $("btn-report").addEventListener("click", async () => {
        if (!confirm(T("report.confirm"))) return;
        say(T("report.writing"), "");
        try {
          const out = await api("/api/report", {});
          say(T("report.written", { files: out.written.slice(0, 2).join(", ") }), "ok");
          renderStatus(out.status);
          await refreshLog();
        } catch (e) { sayError(e); }
      });
    }
    $("to-t").addEventListener("keydown", ev => {
      if (ev.key === "Enter" && !$("btn-to").disabled) $("btn-to").click();
    });
  }
  await refresh();
  await refreshLog();
  await pollFork();
  // Players' screens follow the facilitator; the facilitator's follows forks and other tabs.
  setInterval(async () => {
    await refresh();
    if (VIEW === "players") await pollFork();
  }, VIEW === "players" ? 2000 : 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  init().catch(e => sayError(e));
});
