"use strict";
// Review of unanswered questions: groups by similarity; assign a topic or dismiss.
(() => {
  const { api, start, element } = window.supervisor;
  const $ = (id) => document.getElementById(id);
  const LANGUAGES = ["en", "zh", "ko", "ja", "ru", "fr", "de", "es", "ar", "vi"];

  async function assign(ids, topic, note) {
    try {
      const result = await api("/api/v1/review/assign", { method: "POST", body: JSON.stringify({ ids, topic }) });
      $("status").textContent = `${result.updated} question(s) ${topic ? `assigned to ${topic}` : "dismissed"}.`;
      await show();
    } catch (error) {
      note.textContent = error.message;
    }
  }

  function groupItem(group, topics, index) {
    const item = element("li", null, { lang: group.language });
    item.append(element("h2", `${group.language} · ${group.size} question(s)` + (group.suggestion ? ` · model's guess: ${group.suggestion}` : "")));
    const list = element("ul");
    for (const q of group.questions) {
      list.append(element("li", q.text + (q.topic ? `  → ${q.topic}` : ""), { dir: "auto" }));
    }
    item.append(list);
    const form = element("form", null, { class: "inline" });
    const id = `topic-${index}`;
    const select = element("select", null, { id });
    for (const topic of topics) {
      const option = element("option", topic, { value: topic });
      if (topic === group.suggestion) option.selected = true;
      select.append(option);
    }
    const note = element("p", null, { role: "alert" });
    const ids = group.questions.map((q) => q.id);
    const dismiss = element("button", "Dismiss", { type: "button" });
    dismiss.addEventListener("click", () => assign(ids, null, note));
    form.append(element("label", "Topic", { for: id }), select, element("button", "Assign", { type: "submit" }), dismiss);
    form.addEventListener("submit", (event) => { event.preventDefault(); assign(ids, select.value, note); });
    item.append(form, note);
    return item;
  }

  async function show() {
    const params = new URLSearchParams({ status: $("state").value });
    if ($("language").value) params.set("language", $("language").value);
    let data;
    try {
      data = await api(`/api/v1/review?${params}`);
    } catch (error) {
      $("status").textContent = error.message;
      return;
    }
    const groups = $("groups");
    groups.replaceChildren(...data.groups.map((g, i) => groupItem(g, data.topics, i)));
    if (!data.groups.length) groups.append(element("li", "Nothing here."));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!(await start($("status")))) { $("filter").hidden = true; return; }
    for (const code of LANGUAGES) $("language").append(element("option", code, { value: code }));
    $("filter").addEventListener("submit", (event) => { event.preventDefault(); show(); });
    show();
  });
})();
