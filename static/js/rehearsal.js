// The rehearsal room: send an answer, show the score at once, stream the coaching, revise.
// Everything from the server (the trainee's text, model output) is set with textContent.
// An unsent answer is kept in this browser's localStorage (never sent anywhere) until it is sent.
"use strict";

(() => {
  const form = document.getElementById("answer-form");
  const chat = document.getElementById("chat");
  const scene = document.getElementById("scene");
  const desktop = window.matchMedia("(min-width: 992px)");
  if (scene && desktop.matches) {
    scene.open = true; // on a desktop the scene stays beside the chat
  }
  const draftKey = chat ? chat.dataset.draftKey : "";
  if (!form || !chat) {
    forgetDraft(); // an ended rehearsal takes no more answers
    return;
  }
  const box = document.getElementById("response");
  const counter = document.getElementById("response-count");
  const sendButton = document.getElementById("send");
  const errorBox = document.getElementById("answer-error");
  const announcer = document.getElementById("announcer");
  const note = document.getElementById("answer-note");
  // A conversation: each answer goes to the next turn, or revises the last one (revise = 1).
  const isConversation = chat.dataset.conversation === "1";
  const reviseInput = document.getElementById("revise");
  const label = document.getElementById("response-label");
  const turnStatus = document.getElementById("turn-status");
  const cancelRevise = document.getElementById("cancel-revise");
  const endingCard = document.getElementById("conversation-ending");
  let ended = Boolean(endingCard && !endingCard.hidden);
  let csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  const maxChars = Number(counter.dataset.max);
  const MARKS = { met: "✓", partly: "◐", missed: "✗" };
  let busy = false;

  const slot = (root, name) => root.querySelector(`[data-slot="${name}"]`);
  const fromTemplate = (id) =>
    document.getElementById(id).content.firstElementChild.cloneNode(true);

  function announce(text) {
    announcer.textContent = text;
  }

  const count = (n) => n.toLocaleString("en");

  function updateCount() {
    const used = box.value.length;
    counter.textContent = `${count(used)} / ${count(maxChars)} characters`;
    counter.classList.toggle("near-limit", used > maxChars * 0.9 && used <= maxChars);
    counter.classList.toggle("over-limit", used > maxChars);
  }

  // The drafts live in localStorage, which a browser may refuse (private modes, full storage).
  function readDraft() {
    try {
      return window.localStorage.getItem(draftKey) || "";
    } catch {
      return "";
    }
  }

  function keepDraft() {
    try {
      if (box.value.trim()) {
        window.localStorage.setItem(draftKey, box.value);
      } else {
        window.localStorage.removeItem(draftKey);
      }
    } catch {
      // Not kept: the answer is still in the box.
    }
  }

  function forgetDraft() {
    try {
      if (draftKey) {
        window.localStorage.removeItem(draftKey);
      }
    } catch {
      // Nothing was kept.
    }
  }

  // The box's maxlength cuts a long paste: say so, and how much was left out.
  function onPaste(event) {
    const pasted = (event.clipboardData || { getData: () => "" }).getData("text");
    const selected = box.selectionEnd - box.selectionStart;
    const room = maxChars - (box.value.length - selected);
    const over = pasted.replace(/\r\n/g, "\n").length - room;
    note.textContent = over > 0
      ? `Only the first ${count(Math.max(room, 0))} characters of what you pasted fit: an answer ` +
        `can have ${count(maxChars)} characters, so the last ${count(over)} were left out.`
      : "";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function setBusy(value) {
    busy = value;
    box.readOnly = value;
    sendButton.disabled = value;
    sendButton.textContent = value ? "Sending…" : "Send";
    form.setAttribute("aria-busy", String(value));
  }

  function changeText(change) {
    if (change === null || change === undefined) {
      return "";
    }
    if (change > 0) {
      return `+${change} since your last try`;
    }
    return change < 0 ? `−${-change} since your last try` : "Same as your last try";
  }

  function dimensionItem(dimension) {
    const item = fromTemplate("dimension-template");
    item.className = `dimension level-${dimension.level}`;
    item.dataset.level = dimension.level;
    slot(item, "mark").textContent = MARKS[dimension.level] || "";
    slot(item, "label").textContent = dimension.label;
    slot(item, "level").textContent = dimension.level;
    slot(item, "reason").textContent = dimension.reason;
    // The trainee's own sentence behind the result, quoted back (text only, never markup).
    slot(item, "evidence").textContent = dimension.evidence || "";
    slot(item, "evidence-line").hidden = !dimension.evidence;
    return item;
  }

  function matchItem(match) {
    const item = fromTemplate("match-template");
    slot(item, "text").textContent = match.text;
    slot(item, "strategy").textContent = match.strategy;
    slot(item, "strategy").hidden = !match.strategy;
    return item;
  }

  function redLineItem(redLine) {
    const item = fromTemplate("red-line-template");
    slot(item, "title").textContent = redLine.title;
    slot(item, "evidence").textContent = redLine.evidence;
    slot(item, "reason").textContent = redLine.reason;
    return item;
  }

  function fillList(turn, name, items) {
    slot(turn, name).replaceChildren(...items);
    slot(turn, `${name}-box`).hidden = items.length === 0;
  }

  function showScore(turn, data) {
    slot(turn, "pending").hidden = true;
    slot(turn, "result").hidden = false;
    slot(turn, "score").textContent = String(data.score);
    const band = slot(turn, "band");
    band.className = `band-pill band-${data.band}`;
    band.textContent = data.band_label;
    slot(turn, "change").textContent = changeText(data.score_change);
    // Red lines and copies have their own notes; the banner is for text the cleaner removed.
    const own = new Set(["red_line", "copied_expert"]);
    const removedText = (data.flags || []).some((flag) => !own.has(flag));
    slot(turn, "flags").hidden = !removedText;
    fillList(turn, "red-lines", (data.red_lines || []).map(redLineItem));
    slot(turn, "copied").hidden = !data.copied_expert;
    const byLevel = (level) => data.dimensions.filter((d) => d.level === level);
    fillList(turn, "worked", byLevel("met").map(dimensionItem));
    fillList(turn, "missed", [...byLevel("partly"), ...byLevel("missed")].map(dimensionItem));
    fillList(turn, "matches", data.matches.slice(0, 2).map(matchItem));
    slot(turn, "coach-box").hidden = false;
    slot(turn, "coach-working").hidden = false;
    turn.dataset.followUp = data.follow_up || "";
    const notCounted = removedText ? " Part of your answer was not counted." : "";
    announce(`Score ${data.score} out of 100, ${data.band_label}. ${changeText(data.score_change)}${notCounted}`);
  }

  function showFeedback(turn, data) {
    slot(turn, "coach").textContent = data.coaching || "";
    slot(turn, "coach-working").hidden = true;
    slot(turn, "coach-box").hidden = !data.coaching;
  }

  // The turn an answer goes to: in a conversation the next one, or the last one when revising.
  function answeringTurn() {
    const next = turnStatus ? Number(slot(turnStatus, "turn").textContent) : 1;
    return reviseInput.value === "1" && !ended ? Math.max(1, next - 1) : next;
  }

  // Name a new turn's buttons after its number, as the server does for the turns it renders.
  function numberTurn(turn) {
    const number = chat.querySelectorAll(".turn").length;
    const name = isConversation ? `Turn ${answeringTurn()}` : `Try ${number}`;
    const ofTry = ` (${name.toLowerCase()})`;
    turn.setAttribute("aria-label", `${name}: your answer and its feedback`);
    turn.querySelector('[data-action="revise"]').setAttribute("aria-label", `Revise my answer${ofTry}`);
    turn.querySelector('[data-action="continue"]').setAttribute("aria-label", `Continue the scene${ofTry}`);
    slot(turn, "details").setAttribute("aria-label", `Details${ofTry}`);
  }

  // The parts the scorer did not count, read from the attempt's own page (rendered there by the
  // server from the stored answer), so the banner names them here too.
  async function showRemoved(turn, attemptUrl) {
    if (slot(turn, "flags").hidden) {
      return;
    }
    const page = await fetch(attemptUrl, { credentials: "same-origin" }).catch(() => null);
    if (!page || !page.ok) {
      return; // the banner's general sentence stays
    }
    const html = new DOMParser().parseFromString(await page.text(), "text/html");
    const items = [...html.querySelectorAll('[data-slot="removed"] > li')].map((found) => {
      const item = fromTemplate("removed-template");
      slot(item, "text").textContent = slot(found, "text").textContent;
      slot(item, "reason").textContent = slot(found, "reason").textContent;
      return item;
    });
    if (items.length) {
      slot(turn, "removed").replaceChildren(...items);
      slot(turn, "removed-box").hidden = false;
      slot(turn, "flags-general").hidden = true;
    }
  }

  // After an answer is stored: mark the answers a revision replaced, keep "Revise" on the
  // last counted turn only, and show the next turn or the ending.
  function showConversation(state) {
    const counted = new Set(state.turns.map((t) => String(t.attempt_id)));
    const last = state.turns.length ? String(state.turns[state.turns.length - 1].attempt_id) : "";
    chat.querySelectorAll(".turn[data-attempt-id]").forEach((turn) => {
      const replaced = !counted.has(turn.dataset.attemptId);
      turn.classList.toggle("turn-replaced", replaced);
      const revise = turn.querySelector('[data-action="revise"]');
      if (revise) {
        revise.hidden = turn.dataset.attemptId !== last;
      }
      // The answer box is the way on in a conversation; "Continue the scene" is for one exchange.
      const onward = turn.querySelector('[data-action="continue"]');
      if (onward) {
        onward.hidden = true;
      }
      if (replaced && !turn.querySelector(".turn-note")) {
        slot(turn, "ending").hidden = true;
        const replacedNote = document.createElement("p");
        replacedNote.className = "turn-note small mb-1";
        replacedNote.textContent = "Replaced by your revision below.";
        turn.prepend(replacedNote);
      }
    });
    ended = Boolean(state.ending);
    slot(turnStatus, "turn").textContent = String(state.turn);
    endingCard.hidden = !ended;
    slot(endingCard, "summary").textContent = state.summary || "";
    slot(endingCard, "turn-scores").replaceChildren(...state.turns.map((t) => {
      const item = document.createElement("li");
      item.textContent = `Turn ${t.turn}: ${t.score} (${t.band_label})`;
      return item;
    }));
    setRevising(ended);
  }

  function setRevising(value) {
    reviseInput.value = value ? "1" : "0";
    label.textContent = value ? label.dataset.revise : label.dataset.ask;
    if (cancelRevise) {
      cancelRevise.hidden = !value || ended;
    }
  }

  function finishTurn(turn, data) {
    turn.id = `turn-${data.attempt_id}`;
    turn.dataset.attemptId = String(data.attempt_id);
    const details = slot(turn, "details");
    details.href = form.dataset.attemptUrl.replace(/0$/, String(data.attempt_id));
    details.hidden = false;
    showRemoved(turn, details.href);
    slot(turn, "actions").hidden = false;
    const followUp = turn.dataset.followUp;
    if (followUp) {
      slot(turn, "follow-up").textContent = followUp;
      slot(turn, "follow-up-box").hidden = false;
      turn.querySelector('[data-action="continue"]').hidden = false;
    }
    if (isConversation && data.conversation) {
      showConversation(data.conversation);
    }
    // The coaching streamed in silently; read it out once, whole, with the student's reply.
    const coaching = slot(turn, "coach").textContent.trim();
    const ending = isConversation && ended ? `The conversation ended: ${data.conversation.ending_label}.` : "";
    const parts = ["Feedback ready.", coaching && `Coach: ${coaching}`,
                   followUp && `${chat.dataset.studentName} replies: ${followUp}`, ending];
    announce(parts.filter(Boolean).join(" "));
  }

  function parseEvent(block) {
    let event = "message";
    const lines = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) {
        event = line.slice(6).trim();
      } else if (line.startsWith("data:")) {
        lines.push(line.slice(5).replace(/^ /, ""));
      }
    }
    return { event, data: lines.length ? JSON.parse(lines.join("\n")) : {} };
  }

  // Apply one event to the turn; return the "done" data when the attempt is stored.
  function handleEvent({ event, data }, turn) {
    if (event === "scored") {
      showScore(turn, data);
    } else if (event === "token") {
      slot(turn, "coach").append(document.createTextNode(data.text));
    } else if (event === "feedback") {
      showFeedback(turn, data);
    } else if (event === "reply") {
      // The student's reply to this turn (a conversation); shown once the attempt is stored.
      turn.dataset.followUp = data.line || "";
      slot(turn, "ending-label").textContent = data.ending_label || "";
      slot(turn, "ending").hidden = !data.ending_label;
    } else if (event === "error") {
      throw new Error(data.error ? data.error.message : "Your answer could not be saved.");
    } else if (event === "done") {
      return data;
    }
    return null;
  }

  async function errorMessage(response) {
    if ((response.headers.get("Content-Type") || "").includes("application/json")) {
      const body = await response.json().catch(() => null);
      if (body && body.error && body.error.message) {
        return body.error.message;
      }
    }
    if (response.status === 429) {
      return "Too many answers in a short time. Wait a minute, then send again.";
    }
    return "Something went wrong on our side. Your answer is still here; send it again.";
  }

  async function readEvents(response, turn) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let finished = null;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += value.replace(/\r\n/g, "\n");
        let cut = buffer.indexOf("\n\n");
        while (cut !== -1) {
          finished = handleEvent(parseEvent(buffer.slice(0, cut)), turn) || finished;
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
        }
      }
    } catch (error) {
      reader.cancel().catch(() => {});
      throw error;
    }
    if (!finished) {
      throw new Error("The connection closed before your feedback was saved. Send again.");
    }
    return finished;
  }

  function postAnswer(text) {
    return fetch(form.dataset.streamUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "text/event-stream, application/json",
        "X-CSRF-Token": csrfToken,
      },
      body: JSON.stringify({ response: text, revise: reviseInput.value === "1" }),
    });
  }

  async function isCsrfFailure(response) {
    if (response.status !== 400) {
      return false;
    }
    const body = await response.clone().json().catch(() => null);
    return Boolean(body && body.error && body.error.code === "csrf_failed");
  }

  // Signing in again (in another tab) starts a new session with a new token. Read this page's
  // current token and send once more, rather than ask for a reload that would lose the answer.
  async function freshToken() {
    const page = await fetch(window.location.href, { credentials: "same-origin" });
    if (!page.ok || page.redirected) {
      return null;
    }
    const html = new DOMParser().parseFromString(await page.text(), "text/html");
    const meta = html.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : null;
  }

  async function streamAnswer(text, turn) {
    let response;
    try {
      response = await postAnswer(text);
      if (await isCsrfFailure(response)) {
        const token = await freshToken();
        if (token && token !== csrfToken) {
          csrfToken = token;
          document.querySelector('meta[name="csrf-token"]').content = token;
          document.querySelectorAll('input[name="csrf_token"]').forEach((input) => {
            input.value = token; // the page's forms (End rehearsal) need it too
          });
          response = await postAnswer(text);
        }
      }
    } catch {
      throw new Error("Could not reach Practicum. Check your connection; your answer is still here.");
    }
    if (!response.ok) {
      throw new Error(await errorMessage(response));
    }
    return readEvents(response, turn);
  }

  async function send() {
    if (busy) {
      return;
    }
    const text = box.value;
    if (!text.trim()) {
      showError("Write your answer first.");
      box.focus();
      return;
    }
    if (text.length > maxChars) {
      showError(`Your answer is ${count(text.length)} characters; the limit is ${count(maxChars)}. ` +
                "Shorten it, then send it.");
      return;
    }
    errorBox.hidden = true;
    setBusy(true);
    if (scene && !desktop.matches) {
      scene.open = false; // on a phone the scene folds into a drawer once the talk starts
    }
    const turn = fromTemplate("turn-template");
    slot(turn, "response").textContent = text.trim();
    chat.append(turn);
    numberTurn(turn);
    turn.scrollIntoView({ block: "nearest" });
    announce("Scoring your answer…");
    try {
      finishTurn(turn, await streamAnswer(text, turn));
      box.value = "";
      note.textContent = "";
      forgetDraft();
      updateCount();
    } catch (error) {
      turn.remove(); // nothing was saved: the answer stays in the box to send again
      showError(error.message);
      announce(error.message);
    } finally {
      setBusy(false);
    }
  }

  function onChatClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || busy) {
      return;
    }
    if (button.dataset.action === "revise") {
      box.value = slot(button.closest(".turn"), "response").textContent;
      updateCount();
      keepDraft();
      if (isConversation) {
        setRevising(true);
      }
    }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  });
  box.addEventListener("input", () => {
    updateCount();
    keepDraft();
  });
  box.addEventListener("paste", onPaste);
  chat.addEventListener("click", onChatClick);
  if (cancelRevise) {
    cancelRevise.addEventListener("click", () => {
      setRevising(false);
      box.focus();
    });
  }
  // A refused answer comes back in the box from the server; otherwise bring back the draft.
  const kept = readDraft();
  if (!box.value && kept) {
    box.value = kept;
    note.textContent = "Your unsent answer is back from last time.";
  }
  updateCount();
})();
