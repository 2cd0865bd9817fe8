// The deliver page: paste or drop a speech → outline + timing → edits (of the deck Markdown, made by
// the server) → build with progress over SSE → downloads. Text from the speech is only ever set as
// textContent or an input's value, never parsed as markup.
"use strict";

const STRINGS = {
  zh: {
    tagline: "讲话稿 → 幻灯片、配音、字幕、排练页", lang: "English", step1: "① 粘贴讲话稿，或选择文件",
    choose: "选择文件（.txt .md .docx）", drop: "也可以把文件拖到这里", step2: "② 大纲与时长（直接修改）",
    title: "标题", speaker: "讲话人", date: "日期", occasion: "场合", target: "目标时长（分钟）", pace: "语速",
    downloadmd: "下载大纲 Markdown", step3: "③ 主题、声音、生成", engine: "配音引擎", voice: "声音",
    narrate: "生成配音", rate: "配音语速", sample: "试听 5 秒", build: "生成", cancel: "取消", step4: "④ 完成：预览与下载", earlier: "本机以前的生成",
    total: "预计 {t}", over: "，超出目标 {t}", cut: "建议删减 {t}", merge: "与下张合并", split: "拆成两张",
    brk: "从此处分部分", unbreak: "取消分部分", queued: "排队中：第 {n} 位", done: "完成", failed: "失败",
    cancelled: "已取消", eta: "约剩 {t}", rehearsal: "打开排练页", zip: "全部（zip）", deck: "幻灯片",
    narrated: "带配音的幻灯片", mp3: "配音 mp3", subtitles: "字幕", reading: "读取中", open: "打开",
    slides: "{n} 张", paces: { "": "正式（默认）", slow: "慢", brisk: "快" }, deckfonts: "幻灯片字体",
    fonts: { windows: "Windows 字体名（在 PowerPoint、WPS 中放映）", installed: "本机已装的字体（在这台电脑上放映）" },
    stages: [["reading", "读取讲话稿"], ["rendering", "生成幻灯片"], ["narrating", "配音"], ["encoding audio", "编码音频"],
      ["embedding", "把配音放进幻灯片"], ["writing timing", "写时长报告"], ["writing rehearsal", "生成排练页"], ["writing manifest", "写清单"], ["zipping", "打包"]],
  },
  en: {
    tagline: "speech → slides, narration, subtitles, rehearsal page", lang: "中文", step1: "1. Paste your speech, or choose a file",
    choose: "Choose a file (.txt .md .docx)", drop: "or drop a file here", step2: "2. Outline and timing (edit in place)",
    title: "Title", speaker: "Speaker", date: "Date", occasion: "Occasion", target: "Target (minutes)", pace: "Pace",
    downloadmd: "Download deck Markdown", step3: "3. Theme, voice, build", engine: "Voice engine", voice: "Voice",
    narrate: "Narrate", rate: "Voice speed", sample: "Hear 5 seconds", build: "Build", cancel: "Cancel", step4: "4. Done: preview and downloads", earlier: "Earlier builds on this machine",
    total: "about {t}", over: ", {t} over the target", cut: "cut {t}", merge: "Merge with next", split: "Split in two",
    brk: "Start a part here", unbreak: "Remove this part break", queued: "In the queue: number {n}", done: "Done", failed: "Failed",
    cancelled: "Cancelled", eta: "about {t} left", rehearsal: "Open the rehearsal page", zip: "Everything (zip)", deck: "Deck",
    narrated: "Narrated deck", mp3: "Narration mp3", subtitles: "Subtitles", reading: "Reading", open: "Open",
    slides: "{n} slides", stages: [], paces: { "": "formal (default)", slow: "slow", brisk: "brisk" }, deckfonts: "Deck fonts",
    fonts: { windows: "Windows font names (shown in PowerPoint, WPS)", installed: "this computer's fonts (shown here)" },
  },
};

const state = { lang: null, markdown: "", view: null, theme: "default", job: null, source: null };
const $ = (id) => document.getElementById(id);
const t = (key, vars) => {
  let s = STRINGS[state.lang || "zh"][key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
  return s;
};
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v; else if (k === "on") for (const [e, f] of Object.entries(v)) node.addEventListener(e, f);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};
// a width set through the CSSOM: the page's policy refuses style attributes
const widthOf = (node, share) => { node.style.width = (100 * share).toFixed(1) + "%"; return node; };
const clock = (s) => { s = Math.round(s); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); };

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message ? (state.lang === "en" ? "error: " : "出错：") + message : "";
}

async function api(path, options) {
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: "HTTP " + response.status }));
  if (!response.ok || data.error) throw new Error(data.error || "HTTP " + response.status);
  return data;
}
const post = (path, body) => api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const planning = () => ({ target: $("target").value || null, pace: $("pace").value || null });

function applyLanguage() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  $("lang").textContent = t("lang");
  for (const option of $("pace").options) option.textContent = STRINGS[state.lang || "zh"].paces[option.value] || option.value;
  for (const option of $("deckfonts").options) option.textContent = STRINGS[state.lang || "zh"].fonts[option.value];
  $("text").placeholder = state.lang === "en" ? "Paste the text of your speech here" : "在这里粘贴讲话稿全文";
  if (state.view) render(state.view);
}

function readSpeech(body, name) {
  return inTurn(() => readNow(body, name));
}

async function readNow(body, name) {
  showError("");
  try {
    const data = await api("/api/read?name=" + encodeURIComponent(name), { method: "POST", body });
    if (!state.manualLang) state.lang = data.outline.language;
    applyLanguage();
    show(data);
    if ($("target").value) show(await post("/api/view", { markdown: state.markdown, ...planning() }));
  } catch (e) { showError(e.message); }
}

function show(data) {
  state.markdown = data.markdown;
  state.view = data;
  $("work").hidden = false;
  render(data);
  loadVoices();
}

// Re-plans and edits run one after another, each on the deck Markdown the one before left: an answer
// to an older request can never overwrite a newer edit.
let pending = Promise.resolve();
const inTurn = (work) => (pending = pending.then(work, work));

function replan() {
  return inTurn(async () => {
    if (!state.markdown) return;
    try { show(await post("/api/view", { markdown: state.markdown, ...planning() })); showError(""); } catch (e) { showError(e.message); }
  });
}

function editDeck(op) {
  return inTurn(async () => {
    try { show(await post("/api/edit", { markdown: state.markdown, op, ...planning() })); showError(""); } catch (e) { showError(e.message); render(state.view); }
  });
}

function render(data) {
  const { outline, timing, meta } = data;
  $("title").value = outline.title;
  for (const k of ["speaker", "date", "occasion"]) $("meta-" + k).value = meta[k] || "";
  const over = timing.over_seconds > 0 ? t("over", { t: clock(timing.over_seconds) }) : "";
  $("total").textContent = t("total", { t: clock(timing.total_seconds) }) + over;
  const longest = Math.max(...timing.sections.map((s) => s.seconds));
  $("timing").replaceChildren(el("div", { class: "bars" }, ...timing.sections.map((s) => {
    const cut = s.cut_seconds > 0 ? t("cut", { t: clock(s.cut_seconds) }) : "";
    return el("div", { class: "bar" }, el("span", { text: s.title }),
      el("div", { class: "track" }, widthOf(el("div", { class: "fill" }), s.seconds / longest)),
      el("span", {}, el("span", { text: clock(s.seconds) + " " }), el("span", { class: "cut", text: cut })));
  })));
  let n = 0;
  $("outline").replaceChildren(...outline.sections.map((section) => el("div", { class: "section" },
    el("div", { class: "head" }, el("span", { text: section.title }), el("span", { class: "muted", text: t("slides", { n: section.points.length }) })),
    ...section.points.map((point, p) => slideRow(point, n++, p === 0)))));
}

function slideRow(point, index, first) {
  const headline = el("input", { class: "headline", "aria-label": "headline " + (index + 1) });
  headline.value = point.headline;
  headline.addEventListener("change", () => editDeck({ kind: "headline", point: index, text: headline.value }));
  const bullets = el("ul", {}, ...point.bullets.map((b, i) => {
    const input = el("input", { "aria-label": "bullet" });
    input.value = b;
    input.addEventListener("change", () => editDeck({ kind: "bullet", point: index, bullet: i, text: input.value }));
    return el("li", {}, input);
  }));
  const tool = (key, kind) => el("button", { type: "button", text: t(key), on: { click: () => editDeck({ kind, point: index }) } });
  return el("div", { class: "slide", "data-index": String(index) }, el("span", { class: "n", text: String(index + 1) }),
    el("div", {}, headline, bullets),
    el("div", { class: "tools" }, tool("merge", "merge"), tool("split", "split"), ...(index > 0 ? [tool(first ? "unbreak" : "brk", "break")] : [])));
}

async function loadVoices() {
  const language = state.view ? state.view.outline.language : null;
  if (!language || state.voicesFor === language + $("engine").value) return;
  state.voicesFor = language + $("engine").value;
  try {
    const { voices } = await api(`/api/voices?lang=${language}&engine=${encodeURIComponent($("engine").value)}`);
    const chosen = $("voice").value;
    const option = (v) => { const o = el("option", { value: v.name, text: `${v.engine} · ${v.name} — ${v.label}${v.status === "ready" ? "" : " (" + v.status + ")"}` }); o.selected = v.name === chosen; return o; };
    $("voice").replaceChildren(el("option", { value: "", text: "auto" }), ...voices.map(option));
  } catch (e) { showError(e.message); }
}

async function loadThemes() {
  try {
    const { themes } = await api("/api/themes");
    $("themes").replaceChildren(...themes.map(themeButton));
  } catch (e) { showError(e.message); }
}

function themeButton(theme) {
  const c = theme.colors, ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 160 90");
  const rect = (x, y, w, h, fill) => {
    const r = document.createElementNS(ns, "rect");
    for (const [k, v] of Object.entries({ x, y, width: w, height: h, fill: "#" + (fill || "FFFFFF") })) r.setAttribute(k, v);
    svg.append(r);
  };
  rect(0, 0, 160, 90, c.background); rect(0, 0, 160, 22, c.accent); rect(12, 6, 80, 9, c.band_text);
  rect(12, 34, 120, 7, c.headline); rect(12, 50, 100, 4, c.text); rect(12, 60, 90, 4, c.text); rect(12, 70, 60, 4, c.muted); rect(140, 80, 14, 4, c.accent2);
  const button = el("button", { type: "button", class: "theme", title: theme.description, "aria-pressed": String(theme.name === state.theme) }, svg, el("span", { text: theme.name }));
  button.addEventListener("click", () => {
    state.theme = theme.name;
    for (const b of document.querySelectorAll(".theme")) b.setAttribute("aria-pressed", String(b === button));
  });
  return button;
}

async function startBuild() {
  showError("");
  $("result").hidden = true;
  try {
    const job = await post("/api/builds", { markdown: state.markdown, theme: state.theme, engine: $("engine").value,
      voice: $("voice").value || null, rate: $("rate").value, audio: $("audio").checked, deck_fonts: $("deckfonts").value,
      ...planning() });
    remember(job.id);
    follow(job.id);
  } catch (e) { showError(e.message); }
}

async function playSample() {
  showError("");
  $("sample").disabled = true;
  try {
    const response = await fetch("/api/sample", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ markdown: state.markdown, engine: $("engine").value, voice: $("voice").value || null, rate: $("rate").value }) });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || "HTTP " + response.status);
    const audio = $("sample-audio");
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(await response.blob());
    audio.hidden = false;
    audio.play().catch(() => {});
  } catch (e) { showError(e.message); } finally { $("sample").disabled = false; }
}

function follow(id) {
  state.job = id;
  $("progress").hidden = false; $("cancel").hidden = false; $("build").disabled = true;
  const events = new EventSource("/api/builds/" + id + "/events");
  events.onmessage = (message) => {
    const job = JSON.parse(message.data);
    progress(job);
    if (["done", "failed", "cancelled"].includes(job.state)) { events.close(); finished(job); }
  };
  events.onerror = () => { events.close(); api("/api/builds/" + id).then(finished).catch((e) => showError(e.message)); };
}

function progress(job) {
  // the pipeline names its steps in English; the Chinese page says them in Chinese, keeping any "2/5"
  const known = STRINGS[state.lang || "zh"].stages.find(([prefix]) => job.stage.startsWith(prefix));
  const count = (job.stage.match(/\d+\/\d+/) || [""])[0];
  const stageName = known ? known[1] + (count ? " " + count : "") : job.stage;
  let line = job.state === "queued" ? t("queued", { n: job.position }) : stageName;
  if (job.total) line += ` ${job.done}/${job.total}`;
  if (job.eta != null) line += " · " + t("eta", { t: clock(job.eta) });
  $("stage").textContent = line;
  // a step without a count shows a moving bar (indeterminate), never a bar that looks stuck at 0
  if (job.state === "done") $("bar").value = 1; else if (job.total) $("bar").value = job.done / job.total; else $("bar").removeAttribute("value");
}

function finished(job) {
  $("cancel").hidden = true; $("build").disabled = false;
  $("bar").value = job.state === "done" ? 1 : 0;
  $("stage").textContent = t(job.state) + (job.message ? ": " + job.message : "");
  if (job.state === "failed") showError(job.message);
  if (job.state === "done") showResult(job);
  listBuilds();
}

function showResult(job) {
  const base = "/api/builds/" + job.id + "/files/";
  const links = [["rehearsal", "rehearsal.html", false]];
  const wanted = { deck: "deck.pptx", narrated: "deck-narrated.pptx", mp3: "audio/speech.mp3", subtitles: "subtitles/speech.srt" };
  for (const [key, name] of Object.entries(wanted)) if (job.files.includes(name)) links.push([key, name, true]);
  $("downloads").replaceChildren(el("a", { href: base + encodeURIComponent(job.zip) + "?download=1", text: t("zip"), download: "" }),
    ...links.map(([key, name, download]) => el("a", { href: base + name.split("/").map(encodeURIComponent).join("/") + (download ? "?download=1" : ""), text: t(key),
      ...(download ? { download: "" } : { target: "_blank", rel: "noopener" }) })));
  $("preview").src = base + "rehearsal.html";
  $("result").hidden = false;
}

const remembered = () => JSON.parse(localStorage.getItem("deliver.builds") || "[]");
function remember(id) { localStorage.setItem("deliver.builds", JSON.stringify([id, ...remembered().filter((x) => x !== id)].slice(0, 50))); }

async function listBuilds() {
  const ids = remembered();
  if (!ids.length) return;
  try {
    const { builds } = await api("/api/builds?ids=" + ids.join(","));
    $("builds").replaceChildren(...builds.map((b) => el("li", {},
      el("span", { text: `${new Date(b.created * 1000).toLocaleString()} · ${b.title} · ${t(b.state)} ` }),
      ...(b.state === "done" ? [el("button", { type: "button", text: t("open"), on: { click: () => { $("work").hidden = false; showResult(b); } } })] : []))));
  } catch (e) { showError(e.message); }
}

function downloadMarkdown() {
  const url = URL.createObjectURL(new Blob([state.markdown], { type: "text/markdown" }));
  el("a", { href: url, download: "deck.md" }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

let pasteTimer = null;
function wire() {
  $("lang").addEventListener("click", () => { state.manualLang = true; state.lang = state.lang === "en" ? "zh" : "en"; applyLanguage(); });
  // a paste is read at once; typing waits for a pause
  const readText = () => { clearTimeout(pasteTimer); if ($("text").value.trim()) readSpeech(new Blob([$("text").value]), "speech.txt"); };
  $("text").addEventListener("input", (e) => {
    clearTimeout(pasteTimer);
    if (e.inputType === "insertFromPaste" || e.inputType === "insertFromDrop") readText(); else pasteTimer = setTimeout(readText, 400);
  });
  $("file").addEventListener("change", () => { const f = $("file").files[0]; if (f) readSpeech(f, f.name); });
  const zone = $("input");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); $("text").classList.add("over"); });
  zone.addEventListener("dragleave", () => $("text").classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault(); $("text").classList.remove("over");
    const f = e.dataTransfer.files[0]; if (f) readSpeech(f, f.name);
  });
  let planTimer = null;
  for (const id of ["target", "pace"]) $(id).addEventListener("input", () => { clearTimeout(planTimer); planTimer = setTimeout(replan, 200); });
  $("title").addEventListener("change", () => editDeck({ kind: "title", text: $("title").value }));
  for (const k of ["speaker", "date", "occasion"]) $("meta-" + k).addEventListener("change", () => editDeck({ kind: "meta", key: k, text: $("meta-" + k).value }));
  $("download-md").addEventListener("click", downloadMarkdown);
  $("build").addEventListener("click", startBuild);
  $("sample").addEventListener("click", playSample);
  $("engine").addEventListener("change", loadVoices);
  $("cancel").addEventListener("click", () => state.job && post("/api/builds/" + state.job + "/cancel", {}).catch((e) => showError(e.message)));
}

state.lang = (navigator.language || "zh").startsWith("zh") ? "zh" : "zh";
wire();
applyLanguage();
loadThemes();
listBuilds();
