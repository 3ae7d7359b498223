// The chat page: no build step, plain fetch() against the OpenAI-compatible API of this service.
const $ = (id) => document.getElementById(id);
const keyField = $("key");
keyField.value = new URLSearchParams(location.hash.slice(1)).get("key") || localStorage.getItem("llmft-key") || "";
keyField.addEventListener("change", () => { localStorage.setItem("llmft-key", keyField.value); loadModels(); });
let controllers = [];
// Models that hold a conversation (their own chat template, or Llama 3's format) get the turns so
// far with every message; the others answer one instruction at a time.
const modelInfo = {};
const histories = { "answer-main": [], "answer-compare": [] };

function multiTurn(id) {
  const m = modelInfo[id];
  return !!m && (m.chat_template === true || m.prompt_style === "llama3");
}

function newConversation() {
  for (const pane of ["answer-main", "answer-compare"]) {
    histories[pane] = [];
    const el = $(pane);
    el.querySelector(".history").replaceChildren();
    el.querySelector(".text").textContent = "";
    el.querySelector(".meta").textContent = "";
  }
  $("new-chat").hidden = !(multiTurn($("model").value) || multiTurn($("compare").value));
}

function showHistory(pane) {
  const list = $(pane).querySelector(".history");
  list.replaceChildren(...histories[pane].map((m) => {
    const item = document.createElement("li");
    item.className = m.role;
    item.textContent = m.content;
    return item;
  }));
}

function headers() {
  const h = { "Content-Type": "application/json" };
  if (keyField.value) h["Authorization"] = "Bearer " + keyField.value;
  return h;
}

function status(text) { $("status").textContent = text || ""; }

async function errorText(response) {
  try { const body = await response.json(); return body.error ? body.error.message : response.statusText; }
  catch (e) { return response.status + " " + response.statusText; }
}

async function loadModels() {
  status("");
  const response = await fetch("v1/models", { headers: headers() });
  if (!response.ok) { status("models: " + await errorText(response)); return; }
  const models = (await response.json()).data;
  const select = $("model"), compare = $("compare");
  select.replaceChildren(); compare.replaceChildren(new Option("(nothing)", ""));
  for (const m of models) {
    modelInfo[m.id] = m;
    const label = m.id + (m.chat_template ? " (its own chat template)" : m.owned_by === "llmft" ? " (finetuned, " + m.prompt_style + ")" : " (pretrained)");
    select.add(new Option(label, m.id));
    compare.add(new Option(label, m.id));
  }
  const finetuned = models.find((m) => m.owned_by === "llmft");
  const base = models.find((m) => m.owned_by !== "llmft");
  if (finetuned) select.value = finetuned.id;
  if (finetuned && base) compare.value = base.id;
  if (models.length === 0) status("no models yet: finetune one first");
  newConversation();
}

async function stream(model, pane, controller) {
  const title = pane.querySelector(".title"), text = pane.querySelector(".text"), meta = pane.querySelector(".meta");
  title.textContent = model; text.textContent = ""; meta.textContent = "";
  const parts = [{ type: "text", text: $("instruction").value }];
  if ($("input").value.trim()) parts.push({ type: "text", text: $("input").value });
  const user = { role: "user", content: parts.length === 1 ? parts[0].text : parts };
  const conversation = multiTurn(model) ? [...histories[pane.id], user] : [user];
  const started = performance.now();
  let first = null, tokens = 0;
  const response = await fetch("v1/chat/completions", {
    method: "POST", headers: headers(), signal: controller.signal,
    body: JSON.stringify({
      model, stream: true, stream_options: { include_usage: true },
      max_tokens: Number($("max-tokens").value), temperature: Number($("temperature").value),
      messages: conversation,
    }),
  });
  if (!response.ok) { meta.textContent = await errorText(response); return; }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", finish = "", promptTokens = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
      const data = event.replace(/^data: ?/, "");
      if (data === "[DONE]") continue;
      const chunk = JSON.parse(data);
      if (chunk.error) { meta.textContent = chunk.error.message; continue; }
      if (chunk.usage) { tokens = chunk.usage.completion_tokens; promptTokens = chunk.usage.prompt_tokens; }
      for (const choice of chunk.choices) {
        if (choice.delta && choice.delta.content) {
          if (first === null) first = performance.now();
          text.textContent += choice.delta.content;
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  meta.textContent = tokens + " tokens in " + seconds.toFixed(1) + " s" +
    (first !== null ? ", first after " + ((first - started) / 1000).toFixed(2) + " s" : "") +
    (finish ? ", finished: " + finish : "") +
    (promptTokens !== null ? ", prompt " + promptTokens + " tokens" : "");
  if (multiTurn(model)) {
    const said = parts.map((p) => p.text).join("\n");
    histories[pane.id].push({ role: "user", content: said }, { role: "assistant", content: text.textContent });
    showHistory(pane.id);
    text.textContent = "";
  }
  pane.dataset.done = "true";
}

$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  status("");
  controllers.forEach((c) => c.abort());
  const main = $("answer-main"), other = $("answer-compare");
  main.dataset.done = ""; other.dataset.done = "";
  const runs = [];
  const c1 = new AbortController(); controllers = [c1];
  runs.push(stream($("model").value, main, c1));
  if (multiTurn($("model").value) || multiTurn($("compare").value)) $("instruction").value = "";
  other.hidden = !$("compare").value;
  if ($("compare").value) {
    const c2 = new AbortController(); controllers.push(c2);
    runs.push(stream($("compare").value, other, c2));
  }
  $("stop").disabled = false;
  try { await Promise.all(runs); } catch (e) { if (e.name !== "AbortError") status(String(e)); }
  $("stop").disabled = true;
});
$("stop").addEventListener("click", () => controllers.forEach((c) => c.abort()));
$("reload").addEventListener("click", loadModels);
$("new-chat").addEventListener("click", newConversation);
$("model").addEventListener("change", newConversation);
$("compare").addEventListener("change", newConversation);
loadModels();
