// The checking page: sends the script to /api/check as the user types (debounced), paints
// every finding behind the textarea, lists them with message, source, one-click fixes (the
// suggestions that are replacement wording) and the advice that a writer must act on.
// Server offsets are code points; the textarea counts UTF-16 units, so they are converted.
"use strict";

const DEBOUNCE_MS = 250;
const STORE_KEY = "cguard.script";
const SEVERITY_LABEL = { error: "错误", warning: "警告", info: "提示" };
const RANK = { info: 1, warning: 2, error: 3 };

const $ = (id) => document.getElementById(id);
const script = $("script");
const highlights = $("highlights");
const list = $("findings");
const popover = $("popover");
const status = $("status");

let findings = [];      // {...finding, s16, e16}: offsets in the textarea's UTF-16 units
let lastText = "";      // the text the findings' offsets refer to
let seq = 0;            // request counter: only the newest answer is shown
let timer = 0;
let info = { score: false, score_kinds: [] };

function cpToUtf16(text, cps) {
  // UTF-16 index of each code-point offset in cps (sorted ascending or not).
  const wanted = [...new Set(cps)].sort((a, b) => a - b);
  const out = new Map();
  let cp = 0, u = 0, k = 0;
  while (k < wanted.length) {
    if (wanted[k] === cp) { out.set(cp, u); k++; continue; }
    if (u >= text.length) { out.set(wanted[k], text.length); k++; continue; }
    const c = text.charCodeAt(u);
    u += c >= 0xd800 && c <= 0xdbff && u + 1 < text.length ? 2 : 1;
    cp++;
  }
  return out;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function setStatus(text, failed = false) {
  status.textContent = text;
  status.classList.toggle("failed", failed);
}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// -- checking -------------------------------------------------------------------------------

function scheduleCheck() {
  clearTimeout(timer);
  timer = setTimeout(runCheck, DEBOUNCE_MS);
}

async function runCheck() {
  clearTimeout(timer);
  const text = script.value;
  const kind = $("kind").value;
  const mine = ++seq;
  setStatus("检查中…");
  try {
    const [checked, scored] = await Promise.all([
      postJSON("/api/check", { text, kind }),
      scorable(kind) && text.trim() ? postJSON("/api/score", { text, kind }) : Promise.resolve(null),
    ]);
    if (mine !== seq || text !== script.value) return; // the text moved on; a newer check follows
    const map = cpToUtf16(text, checked.findings.flatMap((f) => [f.start, f.end]));
    findings = checked.findings.map((f) => ({ ...f, s16: map.get(f.start), e16: map.get(f.end) }));
    lastText = text;
    highlights.classList.remove("stale");
    render();
    renderScore(scored, kind);
    const n = findings.length;
    const warn = checked.warnings && checked.warnings.length ? `（${checked.warnings.join("；")}）` : "";
    setStatus((n ? `发现 ${n} 个问题` : text.trim() ? "未发现问题" : "") + warn);
  } catch (err) {
    if (mine === seq) setStatus(`检查失败：${err.message}`, true);
  }
}

// Keep highlights in place while typing: shift findings after the edit, drop those it touched.
function followEdit() {
  const now = script.value;
  if (now === lastText) return;
  let p = 0;
  const max = Math.min(now.length, lastText.length);
  while (p < max && now.charCodeAt(p) === lastText.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && now.charCodeAt(now.length - 1 - s) === lastText.charCodeAt(lastText.length - 1 - s)) s++;
  const oldEnd = lastText.length - s;
  const delta = now.length - lastText.length;
  findings = findings.filter((f) => f.e16 <= p || f.s16 >= oldEnd).map((f) =>
    f.s16 >= oldEnd ? { ...f, s16: f.s16 + delta, e16: f.e16 + delta } : f);
  lastText = now;
  highlights.classList.add("stale");
  render();
}

// -- rendering ------------------------------------------------------------------------------

function render() {
  renderHighlights();
  renderList();
  showPopover();
}

function renderHighlights() {
  const text = script.value;
  const cuts = new Set([0, text.length]);
  findings.forEach((f) => { cuts.add(f.s16); cuts.add(f.e16); });
  const points = [...cuts].sort((a, b) => a - b);
  highlights.replaceChildren();
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const covering = findings.map((f, k) => k).filter((k) => findings[k].s16 <= a && findings[k].e16 >= b);
    const piece = text.slice(a, b);
    if (!covering.length) { highlights.append(piece); continue; }
    const worst = covering.map((k) => findings[k].severity).sort((x, y) => RANK[y] - RANK[x])[0];
    highlights.append(el("mark", { class: worst, "data-findings": covering.join(" ") }, piece));
  }
  highlights.append("\n\u200b"); // a trailing newline in the textarea still takes a line
}

function renderList() {
  list.replaceChildren(...findings.map((f, k) => findingCard(f, k)));
  $("count").textContent = findings.length ? `问题（${findings.length}）` : "问题";
  $("clean").hidden = findings.length > 0 || !script.value.trim();
}

function findingCard(f, k) {
  return el("li", { class: `finding ${f.severity}`, "data-index": k, onclick: () => select(k) },
    findingBody(f, k));
}

function findingBody(f, k) {
  const where = locate(f.s16);
  const advice = f.suggestions.filter((s) => !f.fixes.includes(s)); // for the writer, not pasted in
  return el("div", {},
    el("div", { class: "head" },
      el("span", { class: "sev" }, SEVERITY_LABEL[f.severity] || f.severity),
      el("span", {}, f.rule),
      el("span", {}, `第 ${where.line} 行第 ${where.column} 字`),
      el("span", {}, `「${f.text}」`)),
    el("p", { class: "message" }, f.message),
    f.source ? el("p", { class: "source" }, `依据：${f.source}`) : null,
    f.fixes.length ? el("div", { class: "suggestions" },
      ...f.fixes.map((s) => el("button", {
        type: "button", class: s === f.fix ? "apply preferred" : "apply", title: `把「${f.text}」改为「${s}」`,
        onclick: (event) => { event.stopPropagation(); apply(k, s); },
      }, `改为「${s}」`))) : null,
    advice.length ? el("p", { class: "advice" }, `建议：${advice.join("；")}`) : null);
}

function locate(offset) {
  const before = script.value.slice(0, offset);
  const line = before.split("\n").length;
  const column = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
  return { line, column };
}

function scorable(kind) {
  return info.score && info.score_kinds.includes(kind);
}

function renderScore(scored, kind) {
  const box = $("score");
  box.hidden = !info.score || !script.value.trim();
  if (box.hidden) return;
  if (!scored) {
    const kinds = [...$("kind").options].filter((o) => scorable(o.value)).map((o) => o.textContent);
    box.replaceChildren(el("p", { class: "note" }, `脚本评分适用于${kinds.join("、")}；当前类型只做合规检查。`));
    return;
  }
  box.replaceChildren(...scoreView(scored));
}

// The script score: the total, why it is capped, then each sub-score with its improvement.
function scoreView(s) {
  const why = [`内容质量 ${s.quality}`];
  if (s.cap != null) why.push(`有错误，最高 ${s.cap} 分`);
  if (s.penalty) why.push(`警告扣 ${s.penalty} 分`);
  const rows = s.subscores.filter((x) => x.score != null && x.weight > 0).map((x) =>
    el("li", {}, el("b", {}, `${x.label} ${x.score}`), x.improvement ? ` — ${x.improvement}` : null));
  return [
    el("div", { class: "total" }, `${s.score}`, el("small", {}, " / 100 脚本评分")),
    el("div", { class: "why" }, why.join("，")),
    rows.length ? el("details", {}, el("summary", {}, "分项得分与改进建议"), el("ul", {}, ...rows)) : null,
    ...(s.notes || []).map((n) => el("p", { class: "note" }, n)),
  ].filter(Boolean);
}

// -- interaction ------------------------------------------------------------------------------

function at(offset) {
  return findings.map((f, k) => k).filter((k) => findings[k].s16 <= offset && offset <= findings[k].e16);
}

function showPopover() {
  document.querySelectorAll(".current").forEach((n) => n.classList.remove("current"));
  const here = document.activeElement === script ? at(script.selectionStart) : [];
  if (!here.length) { popover.hidden = true; return; }
  for (const k of here) {
    const card = list.querySelector(`[data-index="${k}"]`);
    if (card) card.classList.add("current");
  }
  const mark = highlights.querySelector(`mark[data-findings~="${here[0]}"]`);
  if (!mark) { popover.hidden = true; return; }
  mark.classList.add("current");
  popover.replaceChildren(...here.map((k) => findingBody(findings[k], k)));
  popover.hidden = false;
  const editor = $("editor");
  const left = Math.min(mark.offsetLeft, editor.clientWidth - popover.offsetWidth - 8);
  popover.style.left = `${Math.max(8, left)}px`;
  popover.style.top = `${mark.offsetTop + mark.offsetHeight + 6}px`;
}

function select(k) {
  const f = findings[k];
  script.focus();
  script.setSelectionRange(f.s16, f.e16);
  showPopover();
  const mark = highlights.querySelector(`mark[data-findings~="${k}"]`);
  if (mark) mark.scrollIntoView({ block: "center", behavior: "smooth" });
}

function apply(k, suggestion) {
  const f = findings[k];
  if (!f || script.value.slice(f.s16, f.e16) !== f.text) return;
  script.focus();
  script.setSelectionRange(f.s16, f.e16);
  // insertText keeps the browser's undo history; setRangeText is the fallback.
  if (!document.execCommand || !document.execCommand("insertText", false, suggestion)) {
    script.setRangeText(suggestion, f.s16, f.e16, "end");
    script.dispatchEvent(new Event("input"));
  }
  runCheck();
}

function changed() {
  autosize();
  followEdit();
  try { localStorage.setItem(STORE_KEY, script.value); } catch (e) { /* storage full or off */ }
  scheduleCheck();
}

function autosize() {
  script.style.height = "auto";
  script.style.height = `${script.scrollHeight}px`;
}

async function openFile(file) {
  setStatus(`读取 ${file.name}…`);
  try {
    const response = await fetch(`/api/document?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: await file.arrayBuffer(),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error);
    script.value = data.text;
    lastText = "";
    findings = [];
    changed();
    runCheck();
  } catch (err) {
    setStatus(`无法读取：${err.message}`, true);
  }
}

async function start() {
  try {
    info = await (await fetch("/api/info")).json();
    $("version").textContent = info.version || "";
  } catch (e) { /* the page still checks */ }
  const saved = localStorage.getItem(STORE_KEY);
  if (saved && !script.value) script.value = saved;
  script.addEventListener("input", changed);
  for (const ev of ["click", "keyup", "select", "focus"]) script.addEventListener(ev, showPopover);
  script.addEventListener("blur", () => setTimeout(() => {
    if (!popover.contains(document.activeElement)) popover.hidden = true;
  }, 150));
  script.addEventListener("keydown", (e) => { if (e.key === "Escape") popover.hidden = true; });
  $("kind").addEventListener("change", runCheck);
  $("file").addEventListener("change", (e) => { if (e.target.files[0]) openFile(e.target.files[0]); });
  $("copy").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(script.value); setStatus("已复制全文"); }
    catch (e) { script.select(); setStatus("请按 Ctrl+C 复制"); }
  });
  const editor = $("editor");
  editor.addEventListener("dragover", (e) => { e.preventDefault(); editor.classList.add("dragging"); });
  editor.addEventListener("dragleave", () => editor.classList.remove("dragging"));
  editor.addEventListener("drop", (e) => {
    editor.classList.remove("dragging");
    if (e.dataTransfer.files.length) { e.preventDefault(); openFile(e.dataTransfer.files[0]); }
  });
  window.addEventListener("resize", () => { autosize(); showPopover(); });
  autosize();
  renderHighlights();
  if (script.value) runCheck();
}

start();
