"use strict";
// The detente page: edits a scenario held as JSON (the YAML file's structure) and talks to the JSON API.

const state = {
  scenario: null, models: [], jobs: {}, validateTimer: null, lastForecast: null,
  dirty: false, origin: null, savedVersion: null, salienceScale: 100, resultsFor: null, draft: null,
};
const DRAFT_KEY = "detente.draft";
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

function problemText(p) {
  return `${p.line ? `line ${p.line}: ` : ""}${p.field ? p.field + ": " : ""}${p.message}`;
}

function errorText(data) {
  if (!data) return "unknown error";
  if (data.problems) return data.problems.map(problemText).join("\n");
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
  return data;
}

async function loadSavedList() {
  const { ok, data } = await api("/api/workspace");
  if (!ok) return;
  $("#saved").replaceChildren(el("option", { value: "", text: data.length ? "choose…" : "none saved yet" }));
  for (const item of data) $("#saved").append(el("option", { value: item.id, text: `${item.title || item.id} (version ${item.version}, ${item.saved})` }));
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
  box.replaceChildren(el("legend", { text: "Models" }));
  for (const model of data) {
    const input = el("input", { type: "checkbox", value: model.name, id: `model-${model.name}` });
    input.checked = model.default;
    input.addEventListener("change", () => { describeSimulationModels(); markStale(); });
    box.append(el("label", { title: model.summary, class: "check" }, [input, ` ${model.title}`]));
  }
  describeSimulationModels();
}

// Discarding unsaved edits needs the user's word.
function mayDiscard() {
  return !state.dirty || window.confirm("Discard your unsaved edits of this scenario?");
}

function useScenario(scenario, origin, options = {}) {
  loadTicket();
  state.scenario = scenario;
  state.origin = origin;
  state.savedVersion = options.version ?? null;
  state.salienceScale = salienceScaleOf(scenario);
  showBox($("#load-error"), "");
  $("#draft-offer").hidden = true;
  $("#editor").hidden = false;
  $("#run").hidden = false;
  setDirty(Boolean(options.dirty));
  if (!options.keepResults) clearResults();
  renderEditor();
  renderHeader();
  scheduleValidate(0);
}

// Loads answer out of order (the default scenario opening on arrival, a saved one the user picked
// meanwhile): only the most recent request or choice may replace the editor's scenario.
function loadTicket() {
  state.loadTicket = (state.loadTicket || 0) + 1;
  const ticket = state.loadTicket;
  return () => ticket === state.loadTicket;
}

async function loadBundled(id, options = {}) {
  if (!id) return false;
  const stillWanted = loadTicket();
  const { ok, data } = await api(`/api/scenarios/${encodeURIComponent(id)}`);
  if (!stillWanted()) return false;
  if (ok) useScenario(data.scenario, { kind: "bundled", id }, options);
  else showBox($("#load-error"), errorText(data));
  return ok;
}

async function loadSaved(id) {
  if (!id) return;
  const stillWanted = loadTicket();
  const { ok, data } = await api(`/api/workspace/${encodeURIComponent(id)}`);
  if (!stillWanted()) return;
  if (ok) useScenario(data.scenario, { kind: "saved", id }, { version: data.version });
  else showBox($("#load-error"), errorText(data));
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file);
  const stillWanted = loadTicket();
  const { ok, data } = await api("/api/upload", { body: form });
  if (!stillWanted()) return;
  if (ok) { useScenario(data.scenario, { kind: "upload", id: file.name }); return; }
  showBox($("#load-error"), `Could not load ${file.name}:\n${errorText(data)}`);
  state.draft = data && data.draft ? { scenario: data.draft, name: file.name } : null;
  $("#draft-offer").hidden = !state.draft;
}

// ---- edits kept in the browser ------------------------------------------------------------------

function setDirty(dirty) {
  state.dirty = dirty;
  $("#dirty-mark").hidden = !dirty;
  if (dirty) localStorage.setItem(DRAFT_KEY, JSON.stringify({ scenario: state.scenario, origin: state.origin, version: state.savedVersion, when: new Date().toISOString() }));
  else localStorage.removeItem(DRAFT_KEY);
}

function edited() {
  setDirty(true);
  markStale();
  renderHeader();
}

function restoreDraft() {
  let draft = null;
  try { draft = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null"); } catch { draft = null; }
  if (!draft || !draft.scenario || !Array.isArray(draft.scenario.issues) || !Array.isArray(draft.scenario.actors)) return false;
  useScenario(draft.scenario, draft.origin, { dirty: true, version: draft.version });
  $("#restored-text").textContent = `Your unsaved edits of “${draft.scenario.title || draft.scenario.id}” from ${draft.when} were restored from this browser.`;
  $("#restored").hidden = false;
  return true;
}

function renderHeader() {
  const s = state.scenario;
  $("#scenario-header").hidden = !s;
  if (!s) return;
  $("#header-title").textContent = s.title || s.id || "untitled scenario";
  const mixed = mixedSaliences();
  const badge = $("#salience-scale");
  badge.textContent = `salience 0–${state.salienceScale}` + (mixed.length ? `: ${mixed.length} value${mixed.length === 1 ? "" : "s"} off this scale` : "");
  badge.className = mixed.length ? "badge bad" : "badge";
  $("#stance-help").textContent = `(position on the issue's scale; salience on 0–${state.salienceScale}, this scenario's one salience scale)`;
  $("#saved-version").hidden = state.savedVersion === null;
  $("#saved-version").textContent = `saved version ${state.savedVersion}`;
}

// One salience scale per scenario: 0..1 when every salience given is at most 1, else 0..100.
function salienceScaleOf(scenario) {
  const values = [];
  for (const actor of scenario.actors || []) for (const stance of Object.values(actor.stances || {})) {
    if (typeof stance?.salience === "number") values.push(stance.salience);
  }
  return values.length && Math.max(...values) <= 1 ? 1 : 100;
}

// Saliences typed on the other scale: above 1 in a 0..1 scenario, or 0 < s < 1 among 0..100 values.
function mixedSaliences() {
  const odd = [];
  for (const actor of state.scenario.actors || []) for (const [issue, stance] of Object.entries(actor.stances || {})) {
    const value = stance?.salience;
    if (typeof value !== "number") continue;
    if (state.salienceScale === 1 ? value > 1 : value > 0 && value < 1) odd.push({ actor: actor.id, issue, value });
  }
  return odd;
}

// ---- editor ---------------------------------------------------------------------------------

function numberOrNull(text) {
  if (text === "" || text === null) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

function input(value, field, onChange, attributes = {}) {
  const node = el("input", { value: value ?? "", "data-field": field, ...attributes });
  node.addEventListener("input", () => { onChange(node.value); edited(); scheduleValidate(); });
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
    const name = () => issue.title || issue.id;
    const scale = issue.scale || [0, 100];
    const anchors = el("textarea", { rows: 3, cols: 40, "data-field": `${path}.anchors`, "aria-label": `anchors of ${name()}` });
    anchors.value = anchorsText(issue.anchors);
    anchors.addEventListener("input", () => { issue.anchors = parseAnchors(anchors.value); edited(); scheduleValidate(); });
    const remove = el("button", { type: "button", class: "remove", "aria-label": `remove issue ${name()}`, title: "Remove this issue", text: "✕", onclick: () => removeIssue(k) });
    body.append(el("tr", { "data-cell": path }, [
      cell([input(issue.id, `${path}.id`, (v) => renameIssue(issue, v), { size: 10, "aria-label": `id of issue ${name()}` })], `${path}.id`),
      cell([input(issue.title, `${path}.title`, (v) => { issue.title = v; }, { size: 24, "aria-label": `title of issue ${issue.id}` })], `${path}.title`),
      cell([input(scale[0], `${path}.scale`, (v) => { issue.scale = [numberOrNull(v), (issue.scale || scale)[1]]; }, { size: 5, type: "number", "aria-label": `scale start of ${name()}` })], `${path}.scale`),
      cell([input(scale[1], `${path}.scale.1`, (v) => { issue.scale = [(issue.scale || scale)[0], numberOrNull(v)]; }, { size: 5, type: "number", "aria-label": `scale end of ${name()}` })], `${path}.scale.1`),
      cell([input(issue.status_quo, `${path}.status_quo`, (v) => { issue.status_quo = numberOrNull(v); }, { size: 5, type: "number", "aria-label": `status quo of ${name()}` })], `${path}.status_quo`),
      cell([anchors], `${path}.anchors`),
      el("td", {}, [remove]),
    ]));
  });
}

// The server names fields by id (actors[UKR].capability); after a rename every field of that
// actor or issue takes the new id, so messages keep landing next to their cells.
function retag(from, to) {
  for (const attribute of ["data-field", "data-cell", "data-for"]) {
    for (const node of document.querySelectorAll(`#editor [${attribute}]`)) {
      const value = node.getAttribute(attribute);
      const next = value.split(from).join(to);
      if (next !== value) node.setAttribute(attribute, next);
    }
  }
}

function renameIssue(issue, newId) {
  const oldId = issue.id;
  for (const actor of state.scenario.actors) {
    if (actor.stances && oldId in actor.stances) {
      actor.stances[newId] = actor.stances[oldId];
      delete actor.stances[oldId];
    }
  }
  issue.id = newId;
  retag(`issues[${oldId}]`, `issues[${newId}]`);
  retag(`.stances.${oldId}.`, `.stances.${newId}.`);
  for (const node of document.querySelectorAll(`#editor [data-cell$=".stances.${CSS.escape(oldId)}"]`)) {
    node.setAttribute("data-cell", node.getAttribute("data-cell").replace(new RegExp(`\\.stances\\.${oldId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`), `.stances.${newId}`));
  }
}

function renameActor(actor, newId) {
  const oldId = actor.id;
  actor.id = newId;
  retag(`actors[${oldId}]`, `actors[${newId}]`);
}

function removeIssue(k) {
  const [issue] = state.scenario.issues.splice(k, 1);
  for (const actor of state.scenario.actors) delete (actor.stances || {})[issue.id];
  edited();
  renderEditor();
  scheduleValidate(0);
}

function renderActors() {
  const s = state.scenario;
  const head = $("#actors-table thead");
  const top = el("tr", {}, [el("th", { scope: "col", text: "Id" }), el("th", { scope: "col", text: "Name" }), el("th", { scope: "col", text: "Group" }), el("th", { scope: "col", text: "Capability" })]);
  for (const issue of s.issues) top.append(el("th", { scope: "col", text: `${issue.title || issue.id}: position (${(issue.scale || [0, 100]).join("–")}) / salience (0–${state.salienceScale})` }));
  top.append(el("th", { scope: "col" }, [el("span", { class: "visually-hidden", text: "Remove" })]));
  head.replaceChildren(top);
  const body = $("#actors-table tbody");
  body.replaceChildren();
  s.actors.forEach((actor, a) => {
    const path = `actors[${actor.id}]`;
    const who = () => actor.name || actor.id;
    actor.stances = actor.stances || {};
    const row = el("tr", { "data-cell": path }, [
      cell([input(actor.id, `${path}.id`, (v) => renameActor(actor, v), { size: 7, "aria-label": `id of ${who()}` })], `${path}.id`),
      cell([input(actor.name, `${path}.name`, (v) => { actor.name = v; }, { size: 18, "aria-label": `name of actor ${actor.id}` })], `${path}.name`),
      cell([input(actor.group, `${path}.group`, (v) => { actor.group = v || null; }, { size: 10, "aria-label": `group of ${who()}` })], `${path}.group`),
      cell([input(actor.capability, `${path}.capability`, (v) => { actor.capability = numberOrNull(v); }, { size: 5, type: "number", "aria-label": `capability of ${who()}` })], `${path}.capability`),
    ]);
    for (const issue of s.issues) {
      const stancePath = `${path}.stances.${issue.id}`;
      const stance = actor.stances[issue.id];
      const ensure = () => (actor.stances[issue.id] = actor.stances[issue.id] || { position: null, salience: null });
      const position = input(stance?.position, `${stancePath}.position`, (v) => {
        if (v === "" && !(actor.stances[issue.id]?.salience ?? null)) { delete actor.stances[issue.id]; return; }
        ensure().position = numberOrNull(v);
      }, { size: 4, type: "number", "aria-label": `position of ${who()} on ${issue.title || issue.id}` });
      const salience = input(stance?.salience, `${stancePath}.salience`, (v) => {
        if (v === "" && (actor.stances[issue.id]?.position ?? null) === null) { delete actor.stances[issue.id]; return; }
        ensure().salience = numberOrNull(v);
      }, { size: 4, type: "number", "aria-label": `salience of ${who()} on ${issue.title || issue.id}` });
      row.append(el("td", { "data-cell": stancePath, class: "stance", title: stance?.basis || "" }, [
        el("label", {}, ["pos", position]), " ", el("label", {}, ["sal", salience]),
        el("div", { class: "cell-error", "data-for": `${stancePath}.position` }),
        el("div", { class: "cell-error", "data-for": `${stancePath}.salience` }),
      ]));
    }
    row.append(el("td", {}, [el("button", { type: "button", class: "remove", "aria-label": `remove actor ${who()}`, title: "Remove this actor", text: "✕", onclick: () => { s.actors.splice(a, 1); edited(); renderEditor(); scheduleValidate(0); } })]));
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
      const on = `${actor.name || actor.id} on ${issue.title || issue.id}`;
      body.append(el("tr", {}, [
        el("td", { text: actor.name || actor.id }), el("td", { text: issue.title || issue.id }),
        cell([input(stance.basis, `${path}.basis`, (v) => { stance.basis = v || null; }, { size: 60, "aria-label": `basis of the stance of ${on}` })], `${path}.basis`),
        cell([input(stance.source, `${path}.source`, (v) => { stance.source = v || null; }, { size: 16, "aria-label": `source of the stance of ${on}` })], `${path}.source`),
      ]));
    }
  }
}

function addIssue() {
  const n = state.scenario.issues.length + 1;
  let id = `issue-${n}`;
  while (state.scenario.issues.some((i) => i.id === id)) id += "x";
  state.scenario.issues.push({ id, title: `Issue ${n}`, scale: [0, 100], anchors: {} });
  edited();
  renderEditor();
  scheduleValidate(0);
}

function addActor() {
  let n = state.scenario.actors.length + 1;
  let id = `ACT${n}`;
  while (state.scenario.actors.some((a) => a.id === id)) id = `ACT${++n}`;
  state.scenario.actors.push({ id, name: `Actor ${n}`, capability: 10, stances: {} });
  edited();
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
  const problems = [...data.problems];
  for (const odd of mixedSaliences()) {
    const other = state.salienceScale === 1 ? "0–100" : "0–1";
    problems.push({ field: `actors[${odd.actor}].stances.${odd.issue}.salience`, line: null, message: `${odd.value} looks like a salience on ${other}; this scenario's saliences are on 0–${state.salienceScale}` });
  }
  const unplaced = [];
  for (const problem of problems) {
    if (!placeProblem(problem)) unplaced.push(problemText(problem));
  }
  showBox($("#general-problems"), unplaced.join("\n"));
  const valid = problems.length === 0;
  const validity = $("#validity");
  validity.textContent = valid ? "✓ valid" : `${problems.length} problem${problems.length === 1 ? "" : "s"} to fix`;
  validity.className = `validity ${valid ? "ok" : "bad"}`;
  state.valid = valid;
  for (const id of ["#run-forecast", "#run-simulate", "#run-sensitivity", "#run-whatif", "#run-advise"]) $(id).disabled = !valid || Boolean(state.jobs[id.slice(5)]);
  renderHeader();
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

// Monte Carlo runs the checked models that are fast per draw (the command line's default set when
// nothing was changed); slow ones only when asked. null: let the server use its default set.
function simulationModels() {
  const chosen = chosenModels();
  const slow = state.models.filter((m) => !m.simulation_default).map((m) => m.name);
  const picked = $("#include-slow").checked ? chosen : chosen.filter((name) => !slow.includes(name));
  const defaults = state.models.filter((m) => m.simulation_default).map((m) => m.name);
  const same = picked.length === defaults.length && picked.every((name) => defaults.includes(name));
  return { models: same ? null : picked, picked, left: chosen.filter((name) => !picked.includes(name)) };
}

function describeSimulationModels() {
  const { picked, left } = simulationModels();
  $("#simulation-models").textContent = `Monte Carlo runs ${picked.map(modelTitle).join(", ") || "no model"}` +
    (left.length ? `; it leaves out ${left.map(modelTitle).join(", ")}, which run draw by draw (minutes for 1,000 draws): tick “include slow models” to run them.` : ".");
}

function fmt(value, issue) {
  if (value === null || value === undefined) return "–";
  const span = (issue.scale || [0, 100])[1] - (issue.scale || [0, 100])[0];
  const digits = Math.max(1, 3 - Math.floor(Math.log10(span)));
  return Number(value).toFixed(digits);
}

// ---- results and their state -------------------------------------------------------------------

function clearResults() {
  $("#dashboard").replaceChildren();
  $("#forecast-results").replaceChildren();
  $("#analysis-results").replaceChildren();
  $("#run-banner").hidden = true;
  $("#stale-mark").hidden = true;
  $("#results").classList.remove("stale");
  $("#results").hidden = true;
  state.lastForecast = null;
  state.resultsFor = null;
}

function markStale() {
  if ($("#results").hidden) return;
  $("#stale-mark").hidden = false;
  $("#results").classList.add("stale");
}

function markFresh() {
  $("#stale-mark").hidden = true;
  $("#results").classList.remove("stale");
  $("#results").hidden = false;
}

async function runForecast() {
  showBox($("#run-error"), "");
  const scenario = cleanScenario();
  const models = chosenModels();
  $("#run-forecast").disabled = true;
  const token = (state.chartToken = (state.chartToken || 0) + 1);
  const { ok, data } = await api("/api/forecast", { json: { scenario, models, charts: true } });
  if (token !== state.chartToken) return;  // a newer run is on its way: these results are stale
  $("#run-forecast").disabled = !state.valid;
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  state.lastForecast = { ...data, scenarioId: scenario.id };
  $("#run-banner").hidden = true;
  renderForecast(data, $("#forecast-results"));
  markFresh();
  drawDashboard(data);
  refreshRuns();
}

function modelTitle(name) {
  const model = state.models.find((m) => m.name === name);
  return model ? model.title : name;
}

function issuesById() {
  return Object.fromEntries(state.scenario.issues.map((i) => [i.id, i]));
}

function renderForecast(data, container, compare = null) {
  const issues = issuesById();
  const table = el("table", { class: "grid results", id: "forecast-table" });
  table.append(el("caption", { text: compare ? `Forecasts now and in stored run ${compare.id}` : "Forecasts on each issue's scale" }));
  const head = ["Issue", "Model", "Forecast", "Where it falls on the scale"];
  if (compare) head.splice(3, 0, `Run ${compare.id}`, "Shift");
  table.append(el("thead", {}, [el("tr", {}, head.map((h) => el("th", { scope: "col", text: h })))]));
  const body = el("tbody");
  const issueOrder = state.scenario.issues.map((i) => i.id);
  const records = [...data.forecasts].sort((a, b) => issueOrder.indexOf(a.issue) - issueOrder.indexOf(b.issue));
  let previous = null;
  for (const record of records) {
    const issue = issues[record.issue] || { scale: [record.scale_min ?? 0, record.scale_max ?? 100], title: record.issue };
    const first = record.issue !== previous;
    previous = record.issue;
    const cells = [
      el("td", { text: first ? `${issue.title || record.issue} (${(issue.scale || [0, 100]).join("–")})` : "" }),
      el("td", { text: modelTitle(record.model) }),
      el("td", { class: "num", "data-model": record.model, "data-issue": record.issue, text: fmt(record.value, issue) }),
    ];
    if (compare) {
      const other = compare.forecasts.find((r) => r.model === record.model && r.issue === record.issue);
      cells.push(el("td", { class: "num", text: other ? fmt(other.value, issue) : "–" }));
      cells.push(el("td", { class: "num", text: other && record.value !== null && other.value !== null ? fmt(record.value - other.value, issue) : "–" }));
    }
    cells.push(el("td", { text: [record.where, record.note ? `(${record.note})` : ""].filter(Boolean).join(" ") }));
    body.append(el("tr", { class: first ? "first-of-issue" : "" }, cells));
  }
  table.append(body);
  container.replaceChildren(table);
}

// The dashboard: per issue, the landscape chart and how far apart the models' forecasts are.
function drawDashboard(data) {
  const box = $("#dashboard");
  const cards = {};
  box.replaceChildren();
  for (const issue of state.scenario.issues) {
    const values = data.forecasts.filter((r) => r.issue === issue.id && r.value !== null);
    const card = el("article", { class: "issue-card", "data-issue": issue.id }, [el("h3", { text: issue.title || issue.id })]);
    if (values.length) {
      const lo = Math.min(...values.map((r) => r.value));
      const hi = Math.max(...values.map((r) => r.value));
      const low = values.find((r) => r.value === lo);
      const high = values.find((r) => r.value === hi);
      const [a, b] = issue.scale || [0, 100];
      const at = (v) => `${(100 * (v - a)) / (b - a)}%`;
      const bar = el("div", { class: "spread-bar", role: "img", "aria-label": `models range from ${fmt(lo, issue)} to ${fmt(hi, issue)} on ${a}–${b}` });
      bar.append(el("div", { class: "range", style: `left:${at(lo)};width:calc(${at(hi)} - ${at(lo)})` }));
      for (const r of values) bar.append(el("div", { class: "tick", style: `left:${at(r.value)}`, title: `${modelTitle(r.model)}: ${fmt(r.value, issue)}` }));
      card.append(el("p", { class: "spread", text: `Model spread: ${fmt(hi - lo, issue)} points on ${a}–${b}, from ${fmt(lo, issue)} (${modelTitle(low.model)}) to ${fmt(hi, issue)} (${modelTitle(high.model)})` }), bar);
    }
    const chart = el("div", { class: "chart", role: "figure", "aria-label": `landscape of ${issue.title || issue.id}: actors' positions and every model's forecast` });
    card.append(el("div", { class: "chart-scroll" }, [chart]));  // on a phone the landscape scrolls sideways inside its card, not the page
    cards[issue.id] = chart;
    box.append(card);
  }
  (data.figures || []).forEach((figure, k) => {
    const issue = state.scenario.issues[k];
    const target = issue && cards[issue.id];
    if (target) Plotly.newPlot(target, ...fitted(figure, target.clientWidth), { responsive: true, displaylogo: false });
  });
}

// The card's heading names the issue, so the chart drops its long title. In a card narrower than
// the figure was laid out for, the anchor labels under the axis go, and below 620 px the model
// names take their short titles and the margins shrink, so the landscape keeps its width.
function fitted(figure, width) {
  const layout = { ...figure.layout, title: { text: "" }, autosize: true, width: undefined, margin: { ...(figure.layout.margin || {}), t: 30 } };
  if (width >= 900) return [figure.data, layout];
  dropAxisLabels(layout);
  if (width >= 620) return [figure.data, layout];
  const shortTitles = Object.fromEntries((state.models || []).map((m) => [m.title, m.short_title]));
  const short = (label) => shortTitles[label] || label;
  const data = figure.data.map((trace) => (Array.isArray(trace.y) && trace.y.some((v) => typeof v === "string") ? { ...trace, y: trace.y.map(short) } : trace));
  for (const key of Object.keys(layout).filter((k) => k.startsWith("yaxis"))) {
    const axis = { ...layout[key] };
    for (const list of ["categoryarray", "tickvals", "ticktext"]) if (Array.isArray(axis[list])) axis[list] = axis[list].map(short);
    layout[key] = axis;
  }
  layout.margin = { ...layout.margin, l: 120, r: 30 };
  layout.font = { ...(layout.font || {}), size: 10 };
  return [data, layout];
}

// Anchor labels under the axis, wrapped for a desktop-wide figure, overlap in a narrower one; the
// axis keeps the anchor points, and the tables say where each value falls in the labels' words.
function dropAxisLabels(layout) {
  layout.annotations = (layout.annotations || []).filter((note) => !(note.yref === "paper" && note.y < 0.1 && note.yanchor === "top"));
  return layout;
}

// ---- jobs ---------------------------------------------------------------------------------------

const JOB_BUTTONS = { simulate: "#run-simulate", sensitivity: "#run-sensitivity", whatif: "#run-whatif", advise: "#run-advise" };
const JOB_NAMES = { simulate: "Monte Carlo", sensitivity: "Sensitivity", whatif: "What-if", advise: "Advice" };

async function startJob(kind, payload) {
  showBox($("#run-error"), "");
  if (state.jobs[kind]) { showBox($("#run-error"), `A ${JOB_NAMES[kind]} run is already under way: wait for it or cancel it.`); return; }
  state.jobs[kind] = "starting";
  $(JOB_BUTTONS[kind]).disabled = true;
  const scenario = cleanScenario();
  const { ok, status, data } = await api(`/api/jobs/${kind}`, { json: { scenario, models: chosenModels(), ...payload } });
  if (!ok) {
    delete state.jobs[kind];
    $(JOB_BUTTONS[kind]).disabled = !state.valid;
    showBox($("#run-error"), errorText(data));
    if (status === 409 && data.job) { state.jobs[kind] = data.job.id; $(JOB_BUTTONS[kind]).disabled = true; pollJob(kind, data.job.id, scenario.id); }
    return;
  }
  state.jobs[kind] = data.id;
  pollJob(kind, data.id, scenario.id);
}

function showJob(kind, view) {
  $("#job").hidden = false;
  $("#job").dataset.kind = kind;
  $("#job").dataset.id = view.id;
  const bar = $("#job-progress");
  bar.max = view.total || 1;
  bar.value = view.done;
  if (!state.cancelling) $("#job-text").textContent = `${JOB_NAMES[kind]}: ${view.status}` + (view.total ? ` (${view.done.toLocaleString("en")} of ${view.total.toLocaleString("en")})` : "") + `, ${Math.round(view.seconds)} s`;
}

async function pollJob(kind, id, scenarioId) {
  if (state.jobs[kind] !== id) return;
  const { ok, data } = await api(`/api/jobs/${id}`);
  if (!ok) { showBox($("#run-error"), errorText(data)); finishJob(kind); return; }
  showJob(kind, data);
  if (data.status === "queued" || data.status === "running") { setTimeout(() => pollJob(kind, id, scenarioId), 250); return; }
  finishJob(kind);
  if (data.status === "failed") showBox($("#run-error"), data.error);
  if (data.status === "done") {
    if (state.scenario && state.scenario.id === scenarioId) renderAnalysis(kind, data.result);
    else showBox($("#run-error"), `The ${JOB_NAMES[kind]} run of ${scenarioId} finished after you switched scenario; it is among the stored runs.`);
  }
  if (data.status === "cancelled") showBox($("#run-error"), `${JOB_NAMES[kind]} cancelled.`);
  refreshRuns();
}

function finishJob(kind) {
  delete state.jobs[kind];
  state.cancelling = false;
  $(JOB_BUTTONS[kind]).disabled = !state.valid;
  const running = Object.keys(state.jobs);
  if (!running.length) $("#job").hidden = true;
}

// A table whose first column is the issue shows each issue once, as the heading of its group of
// rows, rather than in a column of its own on every row (on a phone that column took a third of the
// width and repeated the same words down the table).
function renderTable(spec) {
  const LIMIT = 25;
  const byIssue = spec.columns[0] === "Issue";
  const columns = byIssue ? spec.columns.slice(1) : spec.columns;
  const numeric = byIssue ? spec.numeric.slice(1) : spec.numeric;
  const wrap = el("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": spec.caption });  // focusable: it may scroll sideways
  const table = el("table", { class: "grid results", id: `table-${spec.id}` }, [
    el("caption", { text: spec.caption }),
    el("thead", {}, [el("tr", {}, columns.map((c) => el("th", { scope: "col", text: c })))]),
  ]);
  const line = (cells) => el("tr", {}, cells.map((cellText, k) => el("td", { class: numeric[k] ? "num" : "", text: cellText })));
  const fill = (rows) => {
    table.querySelectorAll("tbody").forEach((body) => body.remove());
    if (!byIssue) return table.append(el("tbody", {}, rows.map(line)));
    let body = null;
    for (const row of rows) {
      if (!body || body.dataset.issue !== row[0]) {
        body = el("tbody", { "data-issue": row[0] }, [el("tr", { class: "issue-heading" }, [el("th", { scope: "rowgroup", colspan: String(columns.length), text: row[0] })])]);
        table.append(body);
      }
      body.append(line(row.slice(1)));
    }
  };
  fill(spec.rows.slice(0, LIMIT));
  wrap.append(table);
  const parts = [wrap];
  if (spec.rows.length > LIMIT) {
    const button = el("button", { type: "button", class: "show-all", text: `Show all ${spec.rows.length} rows (${LIMIT} shown)` });
    button.addEventListener("click", () => {
      const all = button.dataset.all !== "1";
      fill(all ? spec.rows : spec.rows.slice(0, LIMIT));
      button.dataset.all = all ? "1" : "0";
      button.textContent = all ? `Show the first ${LIMIT} rows` : `Show all ${spec.rows.length} rows (${LIMIT} shown)`;
    });
    parts.push(button);
  }
  return parts;
}

function renderAnalysis(kind, result, options = {}) {
  markFresh();
  const box = $("#analysis-results");
  const section = el("section", { class: "analysis", id: `analysis-${kind}`, "aria-label": result.title || kind }, [el("h3", { text: result.title || kind })]);
  if (options.banner) section.append(el("p", { class: "notice", text: options.banner }));
  for (const note of result.notes || []) section.append(el("p", { class: "hint", text: note }));
  for (const spec of result.tables || []) section.append(...renderTable(spec));
  for (const figure of result.figures || []) {
    const div = el("div", { class: "chart", role: "figure", "aria-label": figure.layout?.title?.text ? figure.layout.title.text.replace(/<[^>]+>/g, " ") : `${kind} chart` });
    section.append(el("div", { class: "chart-scroll" }, [div]));
    setTimeout(() => {
      const layout = { ...figure.layout, autosize: true, width: undefined };
      Plotly.newPlot(div, figure.data, div.clientWidth < 900 ? dropAxisLabels(layout) : layout, { responsive: true, displaylogo: false });
    }, 0);
  }
  document.getElementById(`analysis-${kind}`)?.remove();
  box.prepend(section);
}

// ---- saving, downloads and stored runs ------------------------------------------------------------

async function saveScenario() {
  const scenario = cleanScenario();
  const id = state.origin?.kind === "saved" ? state.origin.id : scenario.id;
  const { ok, status, data } = await api(`/api/workspace/${encodeURIComponent(id)}`, { method: "PUT", json: { scenario, version: state.origin?.kind === "saved" ? state.savedVersion : null } });
  const message = $("#save-message");
  if (!ok) {
    message.textContent = status === 409 ? `Not saved: ${data.error}` : `Not saved: ${errorText(data)}`;
    message.className = "validity bad";
    return;
  }
  state.origin = { kind: "saved", id };
  state.savedVersion = data.version;
  setDirty(false);
  renderHeader();
  message.textContent = `Saved as “${id}”, version ${data.version}.`;
  message.className = "validity ok";
  loadSavedList();
}

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
  const table = el("table", { class: "grid" }, [
    el("caption", { class: "visually-hidden", text: "Stored runs, newest first" }),
    el("thead", {}, [el("tr", {}, ["Run", "When", "Kind", "Scenario", "Actions"].map((h) => el("th", { scope: "col", text: h })))]),
  ]);
  const body = el("tbody");
  for (const run of data) {
    body.append(el("tr", { "data-run": run.id }, [
      el("td", { text: run.id }), el("td", { text: run.created }), el("td", { text: run.kind }), el("td", { text: run.scenario_id }),
      el("td", {}, [
        el("button", { type: "button", text: "Reopen", "aria-label": `reopen run ${run.id}`, onclick: () => reopenRun(run.id) }), " ",
        el("button", { type: "button", text: "Compare", "aria-label": `compare the current forecast with run ${run.id}`, onclick: () => compareRun(run.id) }),
      ]),
    ]));
  }
  table.append(body);
  $("#runs-list").replaceChildren(table);
}

async function reopenRun(id) {
  if (!mayDiscard()) return;
  const { ok, data } = await api(`/api/runs/${id}`);
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  useScenario(data.scenario, { kind: "run", id: data.scenario.id });
  $("#results").hidden = false;
  const banner = $("#run-banner");
  banner.hidden = false;
  if (data.kind === "forecast") {
    banner.textContent = `Stored forecast run ${id} of ${data.created}; its scenario is in the editor.`;
    renderForecast({ forecasts: data.forecasts }, $("#forecast-results"));
  } else if (data.kind === "whatif") {
    $("#levers").value = (data.levers || []).join("\n");
    banner.textContent = `What-if run ${id}: the editor holds the baseline; the table compares it with the levers applied (${(data.levers || []).join("; ")}). The levers are in the what-if box to run again.`;
    renderAnalysis("whatif", { title: `What-if run ${id}`, tables: data.tables }, {});
  } else if (data.kind === "simulate") {
    banner.textContent = `Stored Monte Carlo run ${id} (${data.results.draws} draws, seed ${data.seed}); its scenario is in the editor.`;
    renderAnalysis("simulate", { title: `Monte Carlo run ${id}`, tables: data.tables, notes: data.results.notes }, {});
  } else {
    banner.textContent = `Stored ${data.kind} run ${id}: its scenario is in the editor (this page shows no table for this kind of run).`;
  }
  markFresh();
  $("#run-banner").hidden = false;
}

async function compareRun(id) {
  const { ok, data } = await api(`/api/runs/${id}`);
  if (!ok) { showBox($("#run-error"), errorText(data)); return; }
  if (!state.lastForecast) { showBox($("#run-error"), `Run a forecast first: the comparison shows the current forecast beside run ${id}.`); return; }
  if (data.scenario.id !== state.lastForecast.scenarioId) {
    showBox($("#run-error"), `Run ${id} is of scenario “${data.scenario.id}”, the current forecast of “${state.lastForecast.scenarioId}”: open run ${id} with Reopen, or compare with a run of this scenario.`);
    return;
  }
  showBox($("#run-error"), "");
  renderForecast(state.lastForecast, $("#forecast-results"), { id, forecasts: data.forecasts || [] });
}

// ---- wiring ---------------------------------------------------------------------------------

function wire() {
  $("#bundled").addEventListener("change", async (event) => {
    const id = event.target.value;
    if (!id) return;
    if (!mayDiscard()) { event.target.value = state.origin?.kind === "bundled" ? state.origin.id : ""; return; }
    $("#series-hook").hidden = !(state.seriesOf || {})[id];
    $("#timeline-charts").replaceChildren();
    if (await loadBundled(id)) runForecast();
  });
  $("#show-timeline").addEventListener("click", showTimeline);
  $("#saved").addEventListener("change", (event) => { if (event.target.value && mayDiscard()) loadSaved(event.target.value); event.target.value = ""; });
  $("#upload").addEventListener("change", (event) => { if (event.target.files.length && mayDiscard()) upload(event.target.files[0]); event.target.value = ""; });
  $("#open-draft").addEventListener("click", () => { if (state.draft) useScenario(state.draft.scenario, { kind: "upload", id: state.draft.name }, { dirty: true }); });
  $("#discard-draft").addEventListener("click", async () => {
    if (!window.confirm("Discard your unsaved edits and open the scenario as it was?")) return;
    setDirty(false);
    $("#restored").hidden = true;
    const origin = state.origin || {};
    if (origin.kind === "saved") loadSaved(origin.id);
    else if (await loadBundled(origin.kind === "bundled" ? origin.id : state.defaultScenario)) runForecast();
  });
  $("#new-scenario").addEventListener("click", async () => { if (!mayDiscard()) return; const { data } = await api("/api/new"); useScenario(data.scenario, { kind: "new" }, { dirty: true }); });
  $("#scenario-title").addEventListener("input", () => { state.scenario.title = $("#scenario-title").value; edited(); scheduleValidate(); });
  $("#scenario-id").addEventListener("input", () => { state.scenario.id = $("#scenario-id").value; edited(); scheduleValidate(); });
  $("#add-issue").addEventListener("click", addIssue);
  $("#add-actor").addEventListener("click", addActor);
  $("#save-scenario").addEventListener("click", saveScenario);
  $("#include-slow").addEventListener("change", describeSimulationModels);
  $("#run-forecast").addEventListener("click", runForecast);
  $("#run-simulate").addEventListener("click", () => startJob("simulate", { models: simulationModels().models, draws: Number($("#draws").value), seed: Number($("#seed").value) }));
  $("#run-sensitivity").addEventListener("click", () => startJob("sensitivity", { models: chosenModels() }));
  $("#run-advise").addEventListener("click", () => startJob("advise", { target: $("#advise-target").value.trim() || "territory<=30", seed: Number($("#seed").value) }));
  $("#run-whatif").addEventListener("click", () => startJob("whatif", { levers: $("#levers").value.split("\n").map((l) => l.trim()).filter(Boolean), draws: Number($("#whatif-draws").value), seed: Number($("#seed").value) }));
  $("#job-cancel").addEventListener("click", () => {
    const id = $("#job").dataset.id;
    if (!id) return;
    api(`/api/jobs/${id}`, { method: "DELETE" });
    state.cancelling = true;
    $("#job-text").textContent = "cancelling…";
  });
  document.querySelectorAll("[data-export]").forEach((button) => button.addEventListener("click", () => download(`/api/export/${button.dataset.export}`, `${cleanScenario().id}.${button.dataset.export}`)));
  $("#download-report").addEventListener("click", () => download("/api/report", `${cleanScenario().id}-report.html`));
}

async function start() {
  wire();
  const nothingChosenYet = loadTicket();
  const [scenarios] = await Promise.all([loadBundledList(), loadModels(), loadSavedList()]);
  refreshRuns();
  const chosen = scenarios.find((s) => s.default) || scenarios[0];
  state.defaultScenario = chosen && chosen.id;
  if (!nothingChosenYet()) return;
  if (restoreDraft()) {
    $("#guide").hidden = true;
    await runForecast();
    return;
  }
  if (chosen) {
    $("#bundled").value = chosen.id;
    if (await loadBundled(chosen.id)) await runForecast();
  }
}

start();
