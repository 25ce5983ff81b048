// Eiraku console: live updates over the node's server-sent events. The
// pages work without this script; it only adds rows as blocks finalize.
"use strict";

function shortHex(hex) {
  return hex.slice(0, 10) + "…" + hex.slice(-6);
}

function utcTime(ms) {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

function cell(row, content, className) {
  const td = row.insertCell();
  if (className) td.className = className;
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  return td;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

function liveBlocks() {
  const table = document.querySelector("#blocks tbody");
  if (!table || !window.EventSource) return;
  const state = document.getElementById("live-state");
  const events = new EventSource("/v1/events/blocks");
  events.onerror = () => state && state.classList.add("off");
  events.onopen = () => state && state.classList.remove("off");
  events.addEventListener("block", (event) => {
    const block = JSON.parse(event.data);
    if (table.querySelector(`tr[data-height="${block.height}"]`)) return;
    const row = table.insertRow(0);
    row.dataset.height = block.height;
    row.className = "fresh";
    cell(row, link(`/blocks/${block.height}`, String(block.height)));
    cell(row, utcTime(block.timestamp_ms));
    cell(row, String(block.transactions.length));
    cell(row, link(`/blocks/${block.height}`, shortHex(block.hash)), "hex");
    while (table.rows.length > 20) table.deleteRow(-1);
    for (const id of ["stat-height", "footer-height"]) {
      const element = document.getElementById(id);
      if (element) element.textContent = block.height;
    }
  });
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Hashes a file in the browser (it is never uploaded) and asks the node
// whether the digest was anchored.
async function checkNotarized(file) {
  const answer = document.getElementById("drop-answer");
  const result = document.getElementById("drop-result");
  answer.hidden = false;
  document.getElementById("drop-file").textContent = `${file.name} (${file.size} bytes)`;
  result.className = "";
  if (!window.crypto || !crypto.subtle) {
    result.textContent = "This browser cannot hash files here (WebCrypto needs https or localhost); use `eiraku notary check FILE`.";
    return;
  }
  const digest = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  document.getElementById("drop-digest").textContent = digest;
  result.textContent = "asking the ledger…";
  const response = await fetch(`/v1/notary/${digest}`);
  if (response.status === 404) {
    result.className = "warn";
    result.dataset.verdict = "not-notarized";
    result.textContent = "Not found on this node: this exact content was not stamped on this ledger, or was stamped in a batch this node was never given (a changed file has another digest).";
    return;
  }
  if (!response.ok) {
    result.className = "warn";
    result.textContent = `The node could not answer (HTTP ${response.status}).`;
    return;
  }
  const anchor = await response.json();
  result.className = "outcome-success";
  result.dataset.verdict = "notarized";
  result.textContent = "";
  result.append(`Notarized at ${utcTime(anchor.timestamp_ms)} UTC in block `,
    link(`/blocks/${anchor.height}`, String(anchor.height)), " by transaction ",
    link(`/txs/${anchor.tx_hash}`, shortHex(anchor.tx_hash)), ".");
}

// A zone that takes a dropped file, and the file input inside it.
function fileZone(zoneId, inputId, onFile) {
  const zone = document.getElementById(zoneId);
  if (!zone) return;
  const input = document.getElementById(inputId);
  input.addEventListener("change", () => input.files[0] && onFile(input.files[0]));
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  });
}

// The in-browser checker: the light client compiled to WebAssembly,
// loaded once, when the first proof is dropped.
let wasmChecker = null;
function proofChecker() {
  if (!wasmChecker) {
    wasmChecker = import("/console/proof_checker.js").then(async (glue) => {
      await glue.default({module_or_path: "/console/proof_checker_bg.wasm"});
      return glue;
    }).catch((error) => {
      wasmChecker = null; // the next proof tries again
      throw error;
    });
  }
  return wasmChecker;
}

// The genesis file to check against: the person's own copy if they chose
// one, else the one this node serves.
async function genesisFile() {
  const own = document.getElementById("proof-genesis-input");
  let text, whose;
  if (own && own.files[0]) {
    [text, whose] = [await own.files[0].text(), `your genesis file ${own.files[0].name}`];
  } else {
    const response = await fetch("/v1/genesis");
    if (!response.ok) throw new Error(`the node did not give its genesis file (HTTP ${response.status})`);
    [text, whose] = [await response.text(), "the genesis file this node serves"];
  }
  // Said on the page, so that a swapped genesis shows.
  try {
    const genesis = JSON.parse(text);
    whose += ` (chain ${genesis.chain_id}, ${genesis.validators.length} validators)`;
  } catch (_) { /* the checker says what is wrong with it */ }
  return {text, whose};
}

// Checks in the browser; the answer is a verdict or {error}.
async function checkInBrowser(proofText, fileSha256) {
  const [checker, genesis] = await Promise.all([proofChecker(), genesisFile()]);
  const answer = JSON.parse(checker.check(genesis.text, proofText, fileSha256, BigInt(Date.now())));
  return {answer, by: `in your browser (WebAssembly), against ${genesis.whose}`};
}

// Asks this node's light client (a node built without the WebAssembly
// checker); the same answers, but the node's word.
async function checkOnNode(proofText, fileSha256) {
  const query = fileSha256 ? `?file_sha256=${fileSha256}` : "";
  const response = await fetch(`/v1/proof/check${query}`, {method: "POST", body: proofText});
  const body = await response.json();
  const answer = response.ok ? body : {error: body.error ? body.error.message : `HTTP ${response.status}`};
  return {answer, by: "on this node"};
}

// Checks a proof file (with, for a notary proof, the notarized file's
// SHA-256 only) and shows what it proves.
async function checkProof(proof) {
  const answer = document.getElementById("proof-answer");
  const result = document.getElementById("proof-result");
  answer.hidden = false;
  document.getElementById("proof-name").textContent = proof.name;
  document.getElementById("proof-kind").textContent = "";
  result.removeAttribute("data-valid");
  result.className = "";
  result.textContent = "checking…";
  let fileSha256 = "";
  const file = document.getElementById("proof-file-input").files[0];
  if (file && window.crypto && crypto.subtle) {
    fileSha256 = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  }
  const inBrowser = document.getElementById("proof-where").dataset.where === "browser";
  let checked;
  try {
    checked = await (inBrowser ? checkInBrowser : checkOnNode)(await proof.text(), fileSha256);
  } catch (error) {
    checked = {answer: {error: `the check could not run: ${error}`}, by: inBrowser ? "in your browser" : "on this node"};
  }
  const body = checked.answer;
  document.getElementById("proof-checked-by").textContent = checked.by;
  if (body.error) {
    result.className = "warn";
    result.dataset.valid = "false";
    result.textContent = body.error;
    return;
  }
  document.getElementById("proof-kind").textContent = body.kind;
  result.dataset.valid = String(body.valid);
  result.className = body.valid ? "outcome-success" : "warn";
  result.textContent = body.valid
    ? `Valid: ${body.summary}, at ${utcTime(body.timestamp_ms)} UTC.`
    : `Not valid: ${body.summary}.`;
}

// Counts each governance window down from the block time the page was
// drawn at (block time moves with the chain, close to the wall clock).
function countdowns() {
  const table = document.getElementById("deadlines");
  if (!table) return;
  const drawnAt = Number(table.dataset.nowMs);
  const opened = Date.now();
  const tick = () => {
    const now = drawnAt + (Date.now() - opened);
    for (const cell of table.querySelectorAll(".countdown")) {
      const left = Math.floor((Number(cell.dataset.endsMs) - now) / 1000);
      if (left <= 0) { cell.textContent = "over"; continue; }
      const d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      const m = Math.floor(left % 3600 / 60), s = left % 60;
      cell.textContent = d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
    }
  };
  setInterval(tick, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  liveBlocks();
  fileZone("drop-zone", "file-input", checkNotarized);
  fileZone("proof-zone", "proof-input", checkProof);
  countdowns();
});
