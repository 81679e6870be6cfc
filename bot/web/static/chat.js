"use strict";
// The web chat: a conversation kept in localStorage, messages fetched by sequence number.
(() => {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const langSelect = document.getElementById("lang");
  let conv = JSON.parse(localStorage.getItem("onestop.conversation") || "null");
  let lastSeq = 0;
  const seen = new Set();

  let words = { officer: "Officer", connection_problem: "Connection problem. Your message may not have been sent; please try again.", reconnecting: "Reconnecting…" };

  async function setDirection(lang) {
    if (document.documentElement.lang === lang && words.lang === lang) return;
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
    if ([...langSelect.options].some((o) => o.value === lang)) langSelect.value = lang;
    try {
      // The page's own words, from the same catalogs as the bot's answers.
      const response = await fetch(`/api/v1/ui-strings?lang=${encodeURIComponent(lang)}`);
      if (!response.ok) return;
      words = await response.json();
      document.documentElement.dir = words.dir;
      document.querySelector('label[for="lang"]').textContent = words.language;
      document.querySelector('label[for="text"]').textContent = words.your_message;
      input.placeholder = words.placeholder;
      form.querySelector('button[type="submit"]').textContent = words.send;
      for (const el of document.querySelectorAll(".msg.officer")) el.dataset.label = words.officer;
    } catch (error) { /* keep the words we have */ }
  }

  async function api(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (conv) headers.Authorization = "Bearer " + conv.token;
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401 || response.status === 404) { resetConversation(); throw new Error("session"); }
    if (!response.ok) throw new Error(String(response.status));
    return response.status === 204 ? null : response.json();
  }

  function resetConversation() { localStorage.removeItem("onestop.conversation"); conv = null; }

  async function ensureConversation() {
    if (conv) return;
    // An explicit choice from the picker is sent; otherwise the browser's Accept-Language is
    // only a hint and the language of what the visitor types wins.
    const lang = localStorage.getItem("onestop.lang");
    conv = await api("/api/v1/conversations", { method: "POST", body: JSON.stringify(lang ? { lang } : {}) });
    localStorage.setItem("onestop.conversation", JSON.stringify(conv));
  }

  function render(message) {
    if (seen.has(message.seq)) return;
    seen.add(message.seq);
    lastSeq = Math.max(lastSeq, message.seq);
    const div = document.createElement("div");
    div.className = "msg " + message.sender;
    if (message.sender === "officer") div.dataset.label = words.officer;
    div.textContent = message.text; // never innerHTML: user and officer text stay inert
    if (message.buttons && message.buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const b of message.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", () => send({ payload: b.payload }, b.title));
        row.appendChild(button);
      }
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function applyState(state) { if (state && state.lang) setDirection(state.lang); }

  function newClientId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function send(body, echo) {
    status.textContent = "";
    // The same id on every attempt: a retry after a network error is never taken in twice.
    const message = { ...body, client_id: newClientId() };
    try {
      await ensureConversation();
      if (echo) render({ seq: -Date.now(), sender: "user", text: echo, buttons: [] });
      for (let attempt = 0; ; attempt++) {
        try {
          const data = await api(`/api/v1/conversations/${conv.conversation_id}/messages`, { method: "POST", body: JSON.stringify(message) });
          await poll();
          applyState(data.state);
          return;
        } catch (error) {
          const retryable = error.message === "429" || (error.message !== "session" && !/^4\d\d$/.test(error.message));
          if (!retryable || attempt >= 5) throw error;
          status.textContent = words.reconnecting;
          await sleep(1000 * 2 ** attempt);
        }
      }
    } catch (error) {
      status.textContent = words.connection_problem;
    }
  }

  async function poll() {
    if (!conv) return;
    try {
      const data = await api(`/api/v1/conversations/${conv.conversation_id}/messages?after=${lastSeq}`);
      for (const m of data.messages) {
        if (m.direction === "in") { lastSeq = Math.max(lastSeq, m.seq); seen.add(m.seq); continue; }
        render(m);
      }
      applyState(data.state);
      status.textContent = "";
    } catch (error) {
      if (error.message !== "session") status.textContent = words.reconnecting;
    }
  }

  async function loadHistory() {
    if (!conv) return;
    try {
      const data = await api(`/api/v1/conversations/${conv.conversation_id}/messages?after=0`);
      for (const m of data.messages) render(m.direction === "in" ? { ...m, sender: "user", buttons: [] } : m);
      applyState(data.state);
    } catch (error) { /* a new conversation starts on the next message */ }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  langSelect.addEventListener("change", () => {
    localStorage.setItem("onestop.lang", langSelect.value);
    setDirection(langSelect.value);
    send({ payload: "lang:" + langSelect.value });
  });

  setDirection(localStorage.getItem("onestop.lang") || (navigator.language || "en").slice(0, 2));
  loadHistory();
  setInterval(poll, 3000);
})();
