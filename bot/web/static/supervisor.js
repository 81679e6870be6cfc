"use strict";
// Shared by the supervisors' pages: the session (cookie + CSRF header) and safe DOM building.
window.supervisor = (() => {
  let csrf = "";
  async function api(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf;
    const response = await fetch(path, { credentials: "same-origin", ...options, headers });
    const body = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      const error = new Error((body && body.error && body.error.message) || String(response.status));
      error.status = response.status;
      throw error;
    }
    return body;
  }
  async function start(status) {
    try {
      const me = await api("/api/v1/officer/me");
      csrf = me.csrf_token;
      if (me.role !== "supervisor") throw Object.assign(new Error("Only supervisors may see this page."), { status: 403 });
      return me;
    } catch (error) {
      status.textContent = error.status === 401 ? "Log in on the console first." : error.message;
      const link = document.createElement("a");
      link.href = "/officer";
      link.textContent = " Go to the console.";
      status.appendChild(link);
      return null;
    }
  }
  function element(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    return node;
  }
  return { api, start, element };
})();
