"use strict";
// The detente page: edits a scenario held as JSON (the YAML file's structure) and talks to the JSON API.

const state = { scenario: null, models: [], job: null, validateTimer: null, lastForecast: null };
const $ = (selector) => document.querySelector(selector);

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: {} };
  if (options.json !== undefined) {
    init.method = options.method || "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    init.method = options.method || "POST";
    init.body = options.body;
  }
  const response = await fetch(path, init);
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.blob();
  return { ok: response.ok, status: response.status, data };
}

function errorText(data) {
  if (!data) return "unknown error";
  if (data.problems) return data.problems.map((p) => `${p.field ? p.field + ": " : ""}${p.message}`).join("\n");
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) return data.detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("\n");
  return data.error || JSON.stringify(data);
}

function showBox(element, text) {
  element.textContent = text || "";
  element.hidden = !text;
}

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- loading --------------------------------------------------------------------------------

async function loadBundledList() {
  const { data } = await api("/api/scenarios");
  const series = (await api("/api/series")).data || [];
  state.seriesOf = {};
  const grouped = new Set();
  for (const item of series) {
    const group = el("optgroup", { label: `${item.series}: ${item.snapshots.length} dated snapshots` });
    for (const snap of item.snapshots) {
      group.append(el("option", { value: snap.id, text: `${snap.as_of} · ${snap.title}` }));
      state.seriesOf[snap.id] = item.series;
      grouped.add(snap.id);
    }
    $("#bundled").append(group);
  }
  for (const item of data.filter((d) => !grouped.has(d.id))) {
    $("#bundled").append(el("option", { value: item.id, text: `${item.title} (${item.as_of || item.id})` }));
  }
}

async function showTimeline() {
  const series = state.seriesOf[$("#bundled").value];
  const box = $("#timeline-charts");
  box.replaceChildren(el("p", { text: `Running every snapshot of ${series}…` }));
  const { ok, data } = await api(`/api/series/${encodeURIComponent(series)}/timeline`);
  if (!ok) { box.replaceChildren(el("p", { class: "error-box", text: errorText(data) })); return; }
  box.replaceChildren();
  for (const figure of data.figures) {
    const div = el("div", { class: "chart" });
    box.append(div);
    Plotly.newPlot(div, figure.data, figure.layout, { responsive: true, displaylogo: false });
  }
}

async function loadModels() {
  const { data } = await api("/api/models");
  state.models = data;
  const box = $("#model-choices");
  box.replaceChildren(el("span", { text: "Models:" }));
  for (const model of data) {
    const input = el("input", { type: "checkbox", value: model.name, id: `model-${model.name}` });
    input.checked = model.default;
    box.append(el("label", { title: model.summary, class: "check" }, [input, ` ${model.title}`]));
  }
}

function useScenario(scenario) {
  state.scenario = scenario;
  showBox($("#load-error"), "");
  $("#editor").hidden = false;
  $("#run").hidden = false;
  renderEditor();
  scheduleValidate(0);
}

async function loadBundled(id) {
  if (!id) return;
  const { ok, data } = await api(`/api/scenarios/${encodeURIComponent(id)}`);
  if (ok) useScenario(data.scenario);
  else showBox($("#load-error"), errorText(data));
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file);
  const { ok, data } = await api("/api/upload", { body: form });
  if (ok) useScenario(data.scenario);
  else showBox($("#load-error"), `Could not load ${file.name}:\n${errorText(data)}`);
}

// ---- editor ---------------------------------------------------------------------------------

function numberOrNull(text) {
  if (text === "" || text === null) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

function input(value, field, onChange, attributes = {}) {
  const node = el("input", { value: value ?? "", "data-field": field, ...attributes });
  node.addEventListener("input", () => { onChange(node.value); scheduleValidate(); });
  return node;
}

function cell(children, field) {
  return el("td", { "data-cell": field }, [...children, el("div", { class: "cell-error" })]);
}

function renderEditor() {
  const s = state.scenario;
  $("#scenario-title").value = s.title || "";
  $("#scenario-id").value = s.id || "";
  renderIssues();
  renderActors();
  renderNotes();
}

function anchorsText(anchors) {
  return Object.entries(anchors || {}).map(([k, v]) => `${k}: ${v}`).join("\n");
}

function parseAnchors(text) {
  const anchors = {};
  for (const line of text.split("\n")) {
    const match = line.match(/^\s*([-+]?[0-9.eE]+)\s*:\s*(.+)$/);
    if (match) anchors[match[1]] = match[2].trim();
  }
  return anchors;
}

function renderIssues() {
  const body = $("#issues-table tbody");
  body.replaceChildren();
  state.scenario.issues.forEach((issue, k) => {
    const path = `issues[${issue.id}]`;
    const scale = issue.scale || [0, 100];
    const anchors = el("textarea", { rows: 3, cols: 40, "data-field": `${path}.anchors` });
    anchors.value = anchorsText(issue.anchors);
    anchors.addEventListener("input", () => { issue.anchors = parseAnchors(anchors.value); scheduleValidate(); });
    const remove = el("button", { type: "button", class: "remove", title: "Remove this issue", text: "✕", onclick: () => removeIssue(k) });
    body.append(el("tr", { "data-cell": path }, [
      cell([input(issue.id, `${path}.id`, (v) => renameIssue(issue, v), { size: 10 })], `${path}.id`),
      cell([input(issue.title, `${path}.title`, (v) => { issue.title = v; }, { size: 24 })], `${path}.title`),
      cell([input(scale[0], `${path}.scale`, (v) => { issue.scale = [numberOrNull(v), (issue.scale || scale)[1]]; }, { size: 5, type: "number" })], `${path}.scale`),
      cell([input(scale[1], `${path}.scale.1`, (v) => { issue.scale = [(issue.scale || scale)[0], numberOrNull(v)]; }, { size: 5, type: "number" })], `${path}.scale.1`),
      cell([input(issue.status_quo, `${path}.status_quo`, (v) => { issue.status_quo = numberOrNull(v); }, { size: 5, type: "number" })], `${path}.status_quo`),
      cell([anchors], `${path}.anchors`),
      el("td", {}, [remove]),
    ]));
  });
}

function renameIssue(issue, newId) {
  for (const actor of state.scenario.actors) {
    if (actor.stances && issue.id in actor.stances) {
      actor.stances[newId] = actor.stances[issue.id];
      delete actor.stances[issue.id];
    }
  }
  issue.id = newId;
  clearTimeout(state.renderTimer);
  state.renderTimer = setTimeout(() => { renderActors(); renderNotes(); }, 600);
}

function removeIssue(k) {
  const [issue] = state.scenario.issues.splice(k, 1);
  for (const actor of state.scenario.actors) delete (actor.stances || {})[issue.id];
  renderEditor();
  scheduleValidate(0);
}

function renderActors() {
  const s = state.scenario;
  const head = $("#actors-table thead");
  const top = el("tr", {}, [el("th", { text: "Id" }), el("th", { text: "Name" }), el("th", { text: "Group" }), el("th", { text: "Capability" })]);
  for (const issue of s.issues) top.append(el("th", { text: issue.title || issue.id, title: `position / salience on ${issue.id}` }));
  top.append(el("th"));
  head.replaceChildren(top);
  const body = $("#actors-table tbody");
  body.replaceChildren();
  s.actors.forEach((actor, a) => {
    const path = `actors[${actor.id}]`;
    actor.stances = actor.stances || {};
    const row = el("tr", { "data-cell": path }, [
      cell([input(actor.id, `${path}.id`, (v) => { actor.id = v; }, { size: 7 })], `${path}.id`),
      cell([input(actor.name, `${path}.name`, (v) => { actor.name = v; }, { size: 18 })], `${path}.name`),
      cell([input(actor.group, `${path}.group`, (v) => { actor.group = v || null; }, { size: 10 })], `${path}.group`),
      cell([input(actor.capability, `${path}.capability`, (v) => { actor.capability = numberOrNull(v); }, { size: 5, type: "number", "aria-label": `capability of ${actor.id}` })], `${path}.capability`),
    ]);
    for (const issue of s.issues) {
      const stancePath = `${path}.stances.${issue.id}`;
      const stance = actor.stances[issue.id];
      const ensure = () => (actor.stances[issue.id] = actor.stances[issue.id] || { position: null, salience: null });
      const position = input(stance?.position, `${stancePath}.position`, (v) => {
        if (v === "" && !(actor.stances[issue.id]?.salience ?? null)) { delete actor.stances[issue.id]; return; }
        ensure().position = numberOrNull(v);
      }, { size: 4, type: "number", placeholder: "pos", "aria-label": `position of ${actor.id} on ${issue.id}` });
      const salience = input(stance?.salience, `${stancePath}.salience`, (v) => {
        if (v === "" && (actor.stances[issue.id]?.position ?? null) === null) { delete actor.stances[issue.id]; return; }
        ensure().salience = numberOrNull(v);
      }, { size: 4, type: "number", placeholder: "sal", "aria-label": `salience of ${actor.id} on ${issue.id}` });
      row.append(el("td", { "data-cell": stancePath, class: "stance", title: stance?.basis || "" }, [
        position, " / ", salience,
        el("div", { class: "cell-error", "data-for": `${stancePath}.position` }),
        el("div", { class: "cell-error", "data-for": `${stancePath}.salience` }),
      ]));
    }
    row.append(el("td", {}, [el("button", { type: "button", class: "remove", title: "Remove this actor", text: "✕", onclick: () => { s.actors.splice(a, 1); renderEditor(); scheduleValidate(0); } })]));
    body.append(row);
  });
}

function renderNotes() {
  const body = $("#notes-table tbody");
  body.replaceChildren();
  for (const actor of state.scenario.actors) {
    for (const issue of state.scenario.issues) {
      const stance = (actor.stances || {})[issue.id];
      if (!stance) continue;
      const path = `actors[${actor.id}].stances.${issue.id}`;
      body.append(el("tr", {}, [
        el("td", { text: actor.name || actor.id }), el("td", { text: issue.title || issue.id }),
        cell([input(stance.basis, `${path}.basis`, (v) => { stance.basis = v || null; }, { size: 60 })], `${path}.basis`),
        cell([input(stance.source, `${path}.source`, (v) => { stance.source = v || null; }, { size: 16 })], `${path}.source`),
      ]));
    }
  }
}

function addIssue() {
  const n = state.scenario.issues.length + 1;
  let id = `issue-${n}`;
  while (state.scenario.issues.some((i) => i.id === id)) id += "x";
  state.scenario.issues.push({ id, title: `Issue ${n}`, scale: [0, 100], anchors: {} });
  renderEditor();
  scheduleValidate(0);
}

function addActor() {
  let n = state.scenario.actors.length + 1;
  let id = `ACT${n}`;
  while (state.scenario.actors.some((a) => a.id === id)) id = `ACT${++n}`;
  state.scenario.actors.push({ id, name: `Actor ${n}`, capability: 10, stances: {} });
  renderEditor();
  scheduleValidate(0);
}

// ---- validation as you type -----------------------------------------------------------------

function cleanScenario() {
  const copy = JSON.parse(JSON.stringify(state.scenario));
  copy.title = $("#scenario-title").value || null;
  copy.id = $("#scenario-id").value;
  const strip = (object) => { for (const key of Object.keys(object)) if (object[key] === null || object[key] === "") delete object[key]; };
  strip(copy);
  for (const issue of copy.issues || []) strip(issue);
  for (const actor of copy.actors || []) {
    strip(actor);
    for (const stance of Object.values(actor.stances || {})) {
      for (const key of ["basis", "source", "capability", "position_sd", "salience_sd"]) if (stance[key] === null || stance[key] === "") delete stance[key];
    }
  }
  return copy;
}

function scheduleValidate(delay = 300) {
  clearTimeout(state.validateTimer);
  state.validateTimer = setTimeout(validate, delay);
}

async function validate() {
  const { ok, data } = await api("/api/validate", { json: { scenario: cleanScenario() } });
  document.querySelectorAll(".cell-error").forEach((node) => { node.textContent = ""; });
  document.querySelectorAll(".invalid").forEach((node) => node.classList.remove("invalid"));
  if (!ok) { showBox($("#general-problems"), errorText(data)); return; }
  const unplaced = [];
  for (const problem of data.problems) {
    if (!placeProblem(problem)) unplaced.push(`${problem.field ? problem.field + ": " : ""}${problem.message}`);
  }
  showBox($("#general-problems"), unplaced.join("\n"));
  const validity = $("#validity");
  validity.textContent = data.valid ? "✓ valid" : `${data.problems.length} problem${data.problems.length === 1 ? "" : "s"} to fix`;
  validity.className = `validity ${data.valid ? "ok" : "bad"}`;
  $("#run-forecast").disabled = !data.valid;
}

function placeProblem(problem) {
  if (!problem.field) return false;
  let field = problem.field;
  while (field) {
    const target = document.querySelector(`.cell-error[data-for="${CSS.escape(field)}"]`)
      || document.querySelector(`[data-cell="${CSS.escape(field)}"] > .cell-error`);
    const inputNode = document.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (target) {
      target.textContent = problem.message;
      if (inputNode) inputNode.classList.add("invalid");
      return true;
    }
    const cut = Math.max(field.lastIndexOf("."), field.lastIndexOf("["));
    field = cut > 0 ? field.slice(0, cut) : "";
  }
  return false;
}

// ---- running --------------------------------------------------------------------------------

function chosenModels() {
  return [...document.querySelectorAll("#model-choices input:checked")].map((node) => node.value);
}

function fmt(value, issue) {
  if (value === null || value === undefined) return "–";
  const span = (issue.scale || [0, 100])[1] - (issue.scale || [0, 100])[0];
  const digits = Math.max(1, 3 - Math.floor(Math.log10(span)));
  return Number(value).toFixed(digits);
}

async function runForecast() {
  showBox($("#run-error"), "");
  const { ok, data } = await api("/api/forecast", { json: { scenario: cleanScenario(), models: chosenModels() } });
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  state.lastForecast = data;
  renderForecast(data, $("#forecast-results"));
  $("#results").hidden = false;
  drawCharts();
  refreshRuns();
}

function modelTitle(name) {
  const model = state.models.find((m) => m.name === name);
  return model ? model.title : name;
}

function renderForecast(data, container, compare = null) {
  const issues = Object.fromEntries(state.scenario.issues.map((i) => [i.id, i]));
  const table = el("table", { class: "grid results", id: "forecast-table" });
  const head = ["Issue", "Model", "Forecast", "Where it falls on the scale"];
  if (compare) head.splice(3, 0, "Stored run", "Shift");
  table.append(el("thead", {}, [el("tr", {}, head.map((h) => el("th", { text: h })))]));
  const body = el("tbody");
  const issueOrder = state.scenario.issues.map((i) => i.id);
  const records = [...data.forecasts].sort((a, b) => issueOrder.indexOf(a.issue) - issueOrder.indexOf(b.issue));
  let previous = null;
  for (const record of records) {
    const issue = issues[record.issue] || { scale: [record.scale_min, record.scale_max], title: record.issue };
    const first = record.issue !== previous;
    previous = record.issue;
    const cells = [
      el("td", { text: first ? (issue.title || record.issue) : "" }),
      el("td", { text: modelTitle(record.model) }),
      el("td", { class: "num", "data-model": record.model, "data-issue": record.issue, text: fmt(record.value, issue) }),
    ];
    if (compare) {
      const other = compare.find((r) => r.model === record.model && r.issue === record.issue);
      cells.push(el("td", { class: "num", text: other ? fmt(other.value, issue) : "–" }));
      cells.push(el("td", { class: "num", text: other && record.value !== null ? fmt(record.value - other.value, issue) : "–" }));
    }
    cells.push(el("td", { text: record.where + (record.note ? ` (${record.note})` : "") }));
    body.append(el("tr", { class: first ? "first-of-issue" : "" }, cells));
  }
  table.append(body);
  container.replaceChildren(table);
}

async function drawCharts() {
  const box = $("#charts");
  box.replaceChildren();
  const token = (state.chartToken = (state.chartToken || 0) + 1);
  const { ok, data } = await api("/api/charts/landscape", { json: { scenario: cleanScenario(), models: chosenModels() } });
  if (token !== state.chartToken) return;  // a newer run's charts are on their way; these are stale
  if (!ok || !Array.isArray(data.figures)) return;
  for (const figure of data.figures) {
    const div = el("div", { class: "chart" });
    box.append(div);
    Plotly.newPlot(div, figure.data, figure.layout, { responsive: true, displaylogo: false });
  }
}

async function startJob(kind, payload) {
  showBox($("#run-error"), "");
  const { ok, data } = await api(`/api/jobs/${kind}`, { json: { scenario: cleanScenario(), models: chosenModels(), ...payload } });
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  state.job = data.id;
  $("#job").hidden = false;
  pollJob(data.id);
}

async function pollJob(id) {
  if (state.job !== id) return;
  const { ok, data } = await api(`/api/jobs/${id}`);
  if (!ok) { showBox($("#run-error"), errorText(data)); $("#job").hidden = true; return; }
  const bar = $("#job-progress");
  bar.max = data.total || 1;
  bar.value = data.done;
  if (!state.cancelling) $("#job-text").textContent = `${data.kind}: ${data.status}` + (data.total ? ` (${data.done} of ${data.total})` : "");
  if (data.status === "queued" || data.status === "running") { setTimeout(() => pollJob(id), 300); return; }
  $("#job").hidden = true;
  state.job = null;
  state.cancelling = false;
  if (data.status === "failed") showBox($("#run-error"), data.error);
  if (data.status === "done") renderAnalysis(data.kind, data.result);
  if (data.status === "cancelled") showBox($("#run-error"), "Cancelled.");
  refreshRuns();
}

function renderAnalysis(kind, result) {
  $("#results").hidden = false;
  const box = $("#analysis-results");
  const section = el("div", { class: "analysis", id: `analysis-${kind}` }, [el("h3", { text: result.title || kind })]);
  if (result.rows && result.rows.length) {
    const columns = result.columns || Object.keys(result.rows[0]);
    const table = el("table", { class: "grid results" }, [el("thead", {}, [el("tr", {}, columns.map((c) => el("th", { text: c })))])]);
    const body = el("tbody");
    for (const row of result.rows) body.append(el("tr", {}, columns.map((c) => el("td", { text: typeof row[c] === "number" ? row[c].toFixed(2) : (row[c] ?? "") }))));
    table.append(body);
    section.append(table);
  }
  for (const figure of result.figures || []) {
    const div = el("div", { class: "chart" });
    section.append(div);
    setTimeout(() => Plotly.newPlot(div, figure.data, figure.layout, { responsive: true, displaylogo: false }), 0);
  }
  document.getElementById(`analysis-${kind}`)?.remove();
  box.prepend(section);
}

// ---- downloads and stored runs ----------------------------------------------------------------

async function download(path, filename) {
  const { ok, data } = await api(path, { json: { scenario: cleanScenario(), models: chosenModels() } });
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  const link = el("a", { href: URL.createObjectURL(data), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
}

async function refreshRuns() {
  const { ok, data } = await api("/api/runs");
  if (!ok || !Array.isArray(data) || !data.length) return;
  const table = el("table", { class: "grid" }, [el("thead", {}, [el("tr", {}, ["Run", "When", "Kind", "Scenario", ""].map((h) => el("th", { text: h })))])]);
  const body = el("tbody");
  for (const run of data) {
    body.append(el("tr", {}, [
      el("td", { text: run.id }), el("td", { text: run.created }), el("td", { text: run.kind }), el("td", { text: run.scenario_id }),
      el("td", {}, [
        el("button", { type: "button", text: "Reopen", onclick: () => reopenRun(run.id) }),
        el("button", { type: "button", text: "Compare", onclick: () => compareRun(run.id) }),
      ]),
    ]));
  }
  table.append(body);
  $("#runs-list").replaceChildren(table);
}

async function reopenRun(id) {
  const { ok, data } = await api(`/api/runs/${id}`);
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  useScenario(data.scenario);
  if (data.forecasts) { renderForecast({ forecasts: data.forecasts }, $("#forecast-results")); $("#results").hidden = false; }
}

async function compareRun(id) {
  const { ok, data } = await api(`/api/runs/${id}`);
  if (!ok || !state.lastForecast) { showBox($("#run-error"), ok ? "Run a forecast first, then compare." : errorText(data)); return; }
  renderForecast(state.lastForecast, $("#forecast-results"), data.forecasts || []);
}

// ---- wiring ---------------------------------------------------------------------------------

function wire() {
  $("#bundled").addEventListener("change", (event) => {
    $("#series-hook").hidden = !(state.seriesOf || {})[event.target.value];
    $("#timeline-charts").replaceChildren();
    loadBundled(event.target.value);
  });
  $("#show-timeline").addEventListener("click", showTimeline);
  $("#upload").addEventListener("change", (event) => { if (event.target.files.length) upload(event.target.files[0]); event.target.value = ""; });
  $("#new-scenario").addEventListener("click", async () => { const { data } = await api("/api/new"); useScenario(data.scenario); });
  $("#scenario-title").addEventListener("input", () => scheduleValidate());
  $("#scenario-id").addEventListener("input", () => scheduleValidate());
  $("#add-issue").addEventListener("click", addIssue);
  $("#add-actor").addEventListener("click", addActor);
  $("#run-forecast").addEventListener("click", runForecast);
  $("#run-simulate").addEventListener("click", () => startJob("simulate", { draws: Number($("#draws").value), seed: Number($("#seed").value) }));
  $("#run-sensitivity").addEventListener("click", () => startJob("sensitivity", { model: chosenModels()[0] || "compromise" }));
  $("#run-whatif").addEventListener("click", () => startJob("whatif", { levers: $("#levers").value.split("\n").map((l) => l.trim()).filter(Boolean), draws: 0, seed: Number($("#seed").value) }));
  $("#job-cancel").addEventListener("click", () => {
    if (!state.job) return;
    api(`/api/jobs/${state.job}`, { method: "DELETE" });
    state.cancelling = true;
    $("#job-text").textContent = "cancelling: stops after the current block of draws…";
  });
  document.querySelectorAll("[data-export]").forEach((button) => button.addEventListener("click", () => download(`/api/export/${button.dataset.export}`, `${cleanScenario().id}.${button.dataset.export}`)));
  $("#download-report").addEventListener("click", () => download("/api/report", `${cleanScenario().id}-report.html`));
}

wire();
loadBundledList();
loadModels();
refreshRuns();
