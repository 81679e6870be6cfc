"use strict";
// The officer console: queue over server-sent events, ticket transcript, claim/reply/close.
(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = "";
  let me = null;
  let selected = null;
  let events = null;

  async function api(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf;
    const response = await fetch(path, { credentials: "same-origin", ...options, headers });
    if (response.status === 401) { showLogin(); throw new Error("unauthorized"); }
    const body = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error((body && body.error && body.error.message) || String(response.status));
    return body;
  }

  function showLogin() {
    $("login-view").hidden = false;
    $("console-view").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("statistics-link").hidden = $("review-link").hidden = true;
    if (events) { events.close(); events = null; }
  }

  async function showConsole() {
    me = await api("/api/v1/officer/me");
    csrf = me.csrf_token;
    $("login-view").hidden = true;
    $("console-view").hidden = false;
    $("logout").hidden = false;
    $("who").textContent = `${me.username} (${me.languages.join(", ")})`;
    $("statistics-link").hidden = $("review-link").hidden = me.role !== "supervisor";
    await refresh();
    events = new EventSource("/api/v1/officer/events");
    events.addEventListener("queue", () => refresh());
  }

  async function refresh() {
    const tickets = await api("/api/v1/handoffs");
    const open = tickets.filter((t) => t.status === "waiting" || t.status === "active");
    const queue = $("queue");
    queue.replaceChildren();
    for (const t of open) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.ticket = String(t.id);
      button.textContent = `#${t.id} · ${t.language} · ${t.topic || "no topic"} · ${t.status}` + (t.officer ? ` · ${t.officer}` : "");
      if (t.escalated) button.classList.add("escalated");
      button.setAttribute("aria-current", String(selected === t.id));
      button.addEventListener("click", () => select(t.id));
      item.appendChild(button);
      queue.appendChild(item);
    }
    if (!open.length) {
      const item = document.createElement("li");
      item.textContent = "No one is waiting.";
      queue.appendChild(item);
    }
    const late = open.filter((t) => t.escalated && t.status === "waiting");
    $("banner").hidden = late.length === 0;
    $("banner").textContent = late.length ? `${late.length} ticket(s) have waited too long: please claim.` : "";
    if (selected !== null) await showTicket(selected);
  }

  async function select(id) {
    selected = id;
    await refresh();
  }

  async function showTicket(id) {
    const t = await api(`/api/v1/handoffs/${id}`);
    $("ticket-title").textContent = `Ticket #${t.id}`;
    $("ticket-meta").textContent = `Language: ${t.language} · Topic: ${t.topic || "–"} · Role: ${t.role || "–"} · Status: ${t.status}` + (t.officer ? ` · Officer: ${t.officer}` : "") + (t.note ? ` · Note: ${t.note}` : "");
    const list = $("transcript");
    list.replaceChildren();
    for (const m of t.transcript) {
      const li = document.createElement("li");
      li.className = m.sender;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = m.sender + (m.intent ? ` · ${m.intent} (${(m.confidence || 0).toFixed(2)})` : "");
      li.append(who, document.createTextNode(m.text));
      list.appendChild(li);
    }
    const select = $("canned");
    if (!select.options.length || select.dataset.ticket !== String(t.id)) {
      select.replaceChildren();
      for (const c of t.canned) {
        const option = document.createElement("option");
        option.value = c.key;
        option.textContent = c.source;
        option.dataset.text = c.text;
        select.appendChild(option);
      }
      select.dataset.ticket = String(t.id);
      updatePreview();
    }
    $("actions").hidden = !(t.status === "waiting" || t.status === "active");
    $("claim").hidden = t.status !== "waiting";
    const mine = t.status === "active" && t.officer === me.username;
    for (const id of ["reply", "canned-form", "transfer-form", "close"]) $(id).hidden = !mine;
  }

  function updatePreview() {
    const option = $("canned").selectedOptions[0];
    $("canned-preview").textContent = option ? option.dataset.text : "";
  }

  async function act(work) {
    $("action-status").textContent = "";
    try { await work(); await refresh(); } catch (error) { $("action-status").textContent = error.message; }
  }

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    try {
      const response = await fetch("/api/v1/officer/login", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("username").value, password: $("password").value }),
      });
      if (!response.ok) throw new Error("The name or password is wrong.");
      $("password").value = "";
      await showConsole();
    } catch (error) { $("login-error").textContent = error.message; }
  });
  $("logout").addEventListener("click", async () => {
    try { await api("/api/v1/officer/logout", { method: "POST" }); } finally { showLogin(); }
  });
  $("claim").addEventListener("click", () => act(() => api(`/api/v1/handoffs/${selected}/claim`, { method: "POST" })));
  $("reply").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text) return;
    act(async () => {
      await api(`/api/v1/handoffs/${selected}/messages`, { method: "POST", body: JSON.stringify({ text }) });
      $("reply-text").value = "";
    });
  });
  $("canned").addEventListener("change", updatePreview);
  $("canned-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => api(`/api/v1/handoffs/${selected}/messages`, { method: "POST", body: JSON.stringify({ canned: $("canned").value }) }));
  });
  $("transfer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => api(`/api/v1/handoffs/${selected}/transfer`, { method: "POST", body: JSON.stringify({ officer: $("transfer-to").value }) }));
  });
  $("close").addEventListener("click", () => act(() => api(`/api/v1/handoffs/${selected}/close`, { method: "POST" })));

  fetch("/api/v1/officer/me", { credentials: "same-origin" }).then((r) => (r.ok ? showConsole() : showLogin()), showLogin);
})();
