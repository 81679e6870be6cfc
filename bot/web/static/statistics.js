"use strict";
// The statistics page: a date range, the summary, each table with its chart and a CSV link.
(() => {
  const { api, start, element } = window.supervisor;
  const $ = (id) => document.getElementById(id);
  const iso = (date) => date.toISOString().slice(0, 10);

  async function show(from, to) {
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    $("status").textContent = "Loading…";
    let report;
    try {
      report = await api(`/api/v1/statistics?${query}`);
    } catch (error) {
      $("status").textContent = error.message;
      return;
    }
    $("status").textContent = `${report.from} – ${report.to}`;
    const summary = $("summary");
    summary.replaceChildren();
    for (const [name, value] of Object.entries(report.summary)) {
      summary.append(element("dt", name), element("dd", value === null ? "–" : value));
    }
    const tables = $("tables");
    tables.replaceChildren();
    for (const t of report.tables) {
      const section = element("section", null, { "aria-labelledby": `t-${t.name}` });
      section.append(element("h2", t.title, { id: `t-${t.name}` }));
      if (t.name !== "handoffs") {
        section.append(element("img", null, {
          src: `/api/v1/statistics/${t.name}.svg?${query}`, alt: `Chart: ${t.title}`, loading: "lazy",
        }));
      }
      const table = element("table");
      const head = element("tr");
      for (const column of t.columns) head.append(element("th", column, { scope: "col" }));
      const thead = element("thead");
      thead.append(head);
      table.append(thead);
      const body = element("tbody");
      for (const row of t.rows) {
        const tr = element("tr");
        for (const cell of row) tr.append(element("td", cell === null ? "–" : cell));
        body.append(tr);
      }
      table.append(body);
      section.append(table);
      section.append(element("a", `Download ${t.title} as CSV`, {
        href: `/api/v1/statistics/${t.name}.csv?${query}`, download: "",
      }));
      tables.append(section);
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!(await start($("status")))) { $("range").hidden = true; return; }
    const to = new Date();
    const from = new Date(to.getTime() - 29 * 86400000);
    $("from").value = iso(from);
    $("to").value = iso(to);
    $("range").addEventListener("submit", (event) => {
      event.preventDefault();
      show($("from").value, $("to").value);
    });
    show($("from").value, $("to").value);
  });
})();
