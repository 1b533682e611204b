// Scenario-set upload: check the file, list every problem or preview it, then publish with
// a progress bar. The form works without this script too (check, then publish).
"use strict";

(() => {
  const form = document.getElementById("upload-form");
  if (!form) {
    return;
  }
  const fileInput = document.getElementById("set-file");
  const report = document.getElementById("upload-report");
  const publishButton = document.getElementById("publish-button");
  const status = document.getElementById("publish-status");
  const progress = document.getElementById("publish-progress");
  const progressLabel = status.querySelector("[data-slot=label]");
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  const maxBytes = Number(form.dataset.maxBytes);
  let checkedFile = null;

  const megabytes = (bytes) => (bytes / 1024 / 1024).toFixed(1);

  function fill(template, values) {
    const node = document.getElementById(template).content.firstElementChild.cloneNode(true);
    for (const [slot, text] of Object.entries(values)) {
      node.querySelector(`[data-slot=${slot}]`).textContent = text;
    }
    return node;
  }

  function alertBox(kind, message) {
    const box = document.createElement("div");
    box.className = `alert alert-${kind}`;
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    const summary = document.createElement("p");
    summary.className = "mb-1 fw-semibold";
    summary.textContent = message;
    box.append(summary);
    report.replaceChildren(box);
    return box;
  }

  function showProblems(error) {
    checkedFile = null;
    const box = alertBox("danger", error.message);
    box.id = "problem-report";
    const problems = (error.details && error.details.problems) || [];
    if (problems.length) {
      const list = document.createElement("ol");
      list.id = "problems";
      list.className = "mb-0";
      problems.forEach((problem) => list.append(fill("problem-template", {
        path: problem.path || "(file)",
        line: problem.line ? ` (line ${problem.line})` : "",
        message: problem.message,
      })));
      box.append(list);
      list.firstElementChild.tabIndex = -1;
      list.firstElementChild.focus();
    } else {
      box.tabIndex = -1;
      box.focus();
    }
  }

  // Each pitfall with its severity in words (the colour only repeats them) and its reason.
  function showPitfalls(card, pitfalls) {
    const list = card.querySelector("[data-part=pitfalls]");
    if (!pitfalls.length) {
      card.querySelector("[data-part=pitfalls-heading]").remove();
      list.remove();
      return;
    }
    pitfalls.forEach((pitfall) => {
      const red = pitfall.severity === "red_line";
      const item = fill("pitfall-template", {
        severity: red ? "Red line" : "Weak answer",
        text: pitfall.text,
        reason: pitfall.reason,
      });
      item.dataset.severity = pitfall.severity;
      item.classList.add(red ? "border-danger" : "border-warning");
      item.querySelector("[data-slot=severity]").classList.add(red ? "text-bg-danger" : "text-bg-warning");
      list.append(item);
    });
  }

  // The conversation as nested lists: each beat's line, then each reaction's condition, the
  // student's reply, and the beat that follows or the ending (the same tree as the page's).
  function showConversation(card, nodes) {
    const box = card.querySelector("[data-part=conversation]");
    if (!nodes) {
      card.querySelector("[data-part=conversation-heading]").remove();
      box.remove();
      return;
    }
    box.append(beatList(nodes));
  }

  function beatList(nodes) {
    const list = document.createElement("ul");
    list.className = "conversation-beats";
    nodes.forEach((node) => {
      const item = document.createElement("li");
      item.className = "conversation-beat";
      const key = document.createElement("span");
      key.className = "badge text-bg-light border";
      key.textContent = node.key;
      const line = document.createElement("q");
      line.textContent = node.line;
      item.append(key, " ", line);
      const reactions = document.createElement("ul");
      reactions.className = "conversation-reactions";
      node.reactions.forEach((r) => reactions.append(reactionItem(r)));
      item.append(reactions);
      list.append(item);
    });
    return list;
  }

  function reactionItem(r) {
    const item = document.createElement("li");
    const condition = document.createElement("span");
    condition.className = "fw-semibold";
    condition.textContent = r.condition;
    const line = document.createElement("q");
    line.textContent = r.line;
    item.append(condition, " → ", line);
    if (r.note) {
      const note = document.createElement("span");
      note.className = "text-secondary";
      note.textContent = ` (${r.note})`;
      item.append(note);
    }
    if (r.ending) {
      const end = document.createElement("span");
      const colour = { Escalated: "danger", Resolved: "success" }[r.ending] || "warning";
      end.className = `badge text-bg-${colour} ms-1`;
      end.textContent = `Ends: ${r.ending}`;
      item.append(end);
    } else if (r.back_to) {
      item.append(` back to ${r.back_to}`);
    } else {
      item.append(beatList([r.beat]));
    }
    return item;
  }

  function showPreview(preview) {
    const next = preview.unchanged
      ? `Unchanged since version ${preview.existing.version}; publishing does nothing.`
      : `Publishing makes version ${preview.next_version}.`;
    const box = alertBox("success", `${preview.title} (${preview.key}) is valid: ` +
      `${preview.scenarios.length} scenarios, ${preview.expert_responses} expert responses, ` +
      `${preview.pitfalls} pitfalls. ${next}`);
    box.id = "preview-summary";
    const cards = document.createElement("div");
    cards.id = "preview";
    preview.scenarios.forEach((s) => {
      const card = fill("scenario-template", {
        title: s.title,
        category: s.category,
        facts: `Grade ${s.grade_band} · ${s.subject} · student ${s.student} · ` +
          `${s.expert_responses} expert responses · ${s.pitfalls.length} pitfalls`,
        context: s.context,
        opening: s.opening_line,
      });
      showPitfalls(card, s.pitfalls);
      showConversation(card, s.conversation);
      cards.append(card);
    });
    report.append(cards);
    publishButton.focus();
  }

  async function check() {
    const file = fileInput.files[0];
    checkedFile = null;
    status.hidden = true;
    if (!file) {
      alertBox("danger", "Choose a YAML or JSON file first.");
      return;
    }
    if (file.size > maxBytes) {
      showProblems({ message: `The file is ${megabytes(file.size)} MB; the limit is ` +
        `${megabytes(maxBytes)} MB. Split the set into smaller files and upload each.` });
      return;
    }
    alertBox("info", `Checking ${file.name}…`);
    const body = new FormData();
    body.append("file", file);
    let response;
    try {
      response = await fetch(form.dataset.checkUrl, {
        method: "POST", body,
        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken },
      });
    } catch {
      showProblems({ message: "The server could not be reached. Check your connection and try again." });
      return;
    }
    const answer = await response.json().catch(() => null);
    if (response.ok && answer) {
      checkedFile = file;
      showPreview(answer.preview);
    } else {
      showProblems((answer && answer.error) || { message: `The check failed (error ${response.status}).` });
    }
  }

  function parseEvents(buffer, handle) {
    const blocks = buffer.split("\n\n");
    blocks.slice(0, -1).forEach((block) => {
      const event = /^event: (.*)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (event && data) {
        handle(event[1], JSON.parse(data[1]));
      }
    });
    return blocks[blocks.length - 1];
  }

  function onEvent(kind, data) {
    if (kind === "started") {
      progress.max = Math.max(1, data.expert_responses);
      progressLabel.textContent = `Publishing ${data.key}: embedding expert responses…`;
    } else if (kind === "progress") {
      progress.max = Math.max(1, data.total);
      progress.value = data.done;
      progressLabel.textContent = `Embedded ${data.done} of ${data.total} new expert responses…`;
    } else if (kind === "done") {
      progress.value = progress.max;
      const params = new URLSearchParams({ published: data.set_key, version: data.version,
                                           changed: data.changed ? "1" : "0" });
      window.location.assign(`${window.location.pathname}?${params}`);
    } else if (kind === "error") {
      status.hidden = true;
      showProblems(data.error);
    }
  }

  async function publish() {
    if (!checkedFile) {
      await check();
      if (!checkedFile) {
        return;
      }
    }
    publishButton.disabled = true;
    status.hidden = false;
    progress.removeAttribute("value");  // indeterminate until the first count arrives
    const body = new FormData();
    body.append("file", checkedFile);
    try {
      const response = await fetch(form.dataset.streamUrl, {
        method: "POST", body,
        headers: { Accept: "application/json, text/event-stream", "X-CSRF-Token": csrfToken },
      });
      if (!response.ok) {
        const answer = await response.json().catch(() => null);
        onEvent("error", { error: (answer && answer.error) || { message: `Publishing failed (error ${response.status}).` } });
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer = parseEvents(buffer + value, onEvent);
      }
    } catch {
      onEvent("error", { error: { message: "The connection broke while publishing. Reload the page to see whether the set was published." } });
    } finally {
      publishButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.submitter === publishButton) {
      publish();
    } else {
      check();
    }
  });
  fileInput.addEventListener("change", () => check());

  const zone = document.getElementById("drop-zone");
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("border-primary");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => {
    zone.classList.remove("border-primary");
  }));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) {
      fileInput.files = event.dataTransfer.files;
      check();
    }
  });
})();
