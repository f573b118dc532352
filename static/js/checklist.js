// Progressive enhancement of the article page. Without this script every part still
// works: each checklist heading has a small form that saves its tick, the contents list
// shows the state from the server, "Next unticked item" leads to the first one, and a
// heading's link opens its address.
// Ticks carry no CSRF token: the page may be shared by every visitor, and the server
// refuses cross-site ticks by the browser's Sec-Fetch-Site and Origin headers instead.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var status = document.querySelector("[data-checklist-status]");

  function announce(message) {
    if (status) status.textContent = message;
  }

  // The contents list: open beside the article on a wide screen, a closed disclosure on
  // a phone that closes again once a section is chosen.
  var contents = document.querySelector("[data-contents]");
  var wide = window.matchMedia("(min-width: 60rem)");
  if (contents) {
    contents.open = wide.matches;
    wide.addEventListener("change", function () {
      contents.open = wide.matches;
    });
    contents.querySelectorAll("nav a").forEach(function (link) {
      link.addEventListener("click", function () {
        if (!wide.matches) contents.open = false;
      });
    });
  }

  // "Link to this section": copy the address as well as going there.
  document.querySelectorAll("a.heading-link").forEach(function (link) {
    link.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) return;
      navigator.clipboard.writeText(link.href).then(function () {
        announce("Link copied: " + link.href);
      }, function () {});
    });
  });

  var boxes = Array.prototype.slice.call(
    document.querySelectorAll("input.checklist-box[data-tick-url]")
  );
  if (!boxes.length || !window.fetch) return;
  document.documentElement.classList.add("js-checklist");
  // The server sends the boxes disabled: without this script a click would save nothing.
  boxes.forEach(function (box) {
    box.disabled = false;
  });
  var latest = {}; // the newest request per item wins; older answers are ignored
  var pending = {}; // requests per item not answered yet
  // One request at a time, in the order of the clicks. A visitor's ticks live in their
  // session: two requests at once would each save their own copy of it and one tick
  // would be lost. In order, the last answer also carries the newest summary.
  var queue = Promise.resolve();
  var nextItem = document.querySelector("[data-next-item]");
  var nextLink = document.querySelector("[data-next-link]");
  var complete = document.querySelector("[data-checklist-complete]");

  function inTurn(send) {
    var turn = queue.then(send);
    queue = turn.catch(function () {});
    return turn;
  }

  // A checklist heading may be of any level ("###" items too), not only <h2>.
  function heading(box) {
    return box.closest("h1, h2, h3, h4, h5, h6");
  }

  // The heading's readers' count and no-JavaScript form follow it (beside its link).
  function controlsOf(box) {
    var row = heading(box).closest(".heading-row") || heading(box);
    return row.nextElementSibling;
  }

  // The box is named by its heading's text (aria-labelledby), which is not a <label>:
  // clicking the text ticks nothing.
  function itemName(box) {
    var text = document.getElementById(box.getAttribute("aria-labelledby") || "");
    return text ? text.textContent.trim() : "this item";
  }

  function firstUnticked(from) {
    for (var index = Math.max(from, 0); index < boxes.length; index++) {
      if (!boxes[index].checked) return boxes[index];
    }
    return null;
  }

  // "Next unticked item": the first unticked heading after the one being read (the last
  // heading at or above the top of the screen), else the first one overall.
  function nextUnticked() {
    var reading = -1;
    boxes.forEach(function (box, index) {
      var top = heading(box).getBoundingClientRect().top;
      var margin = parseFloat(getComputedStyle(heading(box)).scrollMarginTop) || 0;
      if (top <= margin + 2) reading = index;
    });
    return firstUnticked(reading + 1) || firstUnticked(0);
  }

  if (nextLink) {
    nextLink.addEventListener("click", function () {
      var box = nextUnticked();
      // The link then goes there itself: the address, the scroll and the keyboard's
      // starting point move as for any link to a heading.
      if (box) nextLink.setAttribute("href", "#" + heading(box).id);
    });
  }

  function showError(box, message) {
    var controls = controlsOf(box);
    var error = controls.querySelector(".tick-error");
    if (!error) {
      error = document.createElement("p");
      error.className = "tick-error";
      error.setAttribute("role", "alert");
      controls.appendChild(error);
    }
    error.textContent = message;
  }

  function clearError(box) {
    var error = controlsOf(box).querySelector(".tick-error");
    if (error) error.remove();
  }

  function showProgress(data) {
    document.querySelectorAll("[data-progress-text]").forEach(function (node) {
      node.textContent = data.summary;
    });
    document.querySelectorAll("[data-progress-bar]").forEach(function (bar) {
      bar.max = data.total;
      bar.value = data.done_count;
      bar.textContent = data.percent + "%";
    });
    var allDone = data.total > 0 && data.done_count >= data.total;
    if (nextItem) nextItem.hidden = allDone;
    if (complete) complete.hidden = !allDone;
    var first = firstUnticked(0);
    if (nextLink && first) nextLink.setAttribute("href", "#" + heading(first).id);
    return allDone;
  }

  // One item as the server has it: its box, its line in the contents list, its
  // readers' count and its no-JavaScript button.
  function showItem(box, state) {
    box.checked = state.done;
    var entry = document.querySelector(
      '[data-contents-item="' + CSS.escape(box.dataset.checklistItem) + '"]'
    );
    if (entry) {
      entry.classList.toggle("is-done", state.done);
      entry.querySelector("[data-contents-state]").textContent = state.done ? " (done)" : "";
    }
    var controls = controlsOf(box);
    var readers = controls.querySelector("[data-readers]");
    if (readers) readers.textContent = state.readers;
    var form = controls.querySelector("form.tick-form");
    if (form) {
      form.elements.done.value = state.done ? "false" : "true";
      var button = form.querySelector("button");
      var label = state.done ? "Mark as not done" : "Mark as done";
      button.firstChild.textContent = label;
      button.setAttribute("aria-label", label + ": " + itemName(box));
    }
  }

  // A tick's answer carries the reader's whole state on the post, so a page left open
  // while they ticked elsewhere (another tab, another device) catches up on every item.
  // A box with a click still on its way keeps what the reader asked for: its own
  // answer follows.
  function showState(data) {
    var byAnchor = {};
    boxes.forEach(function (box) {
      byAnchor[box.dataset.checklistItem] = box;
    });
    (data.items || []).forEach(function (state) {
      var box = byAnchor[state.item];
      if (box && !pending[state.item]) showItem(box, state);
    });
  }

  function update(box, data) {
    showState(data);
    var allDone = showProgress(data);
    announce(
      (data.done ? "Done: " : "Not done: ") + itemName(box) + ". " + data.summary + "." +
      (allDone ? " All done!" : "")
    );
  }

  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var wanted = box.checked;
      var key = box.dataset.checklistItem;
      var request = (latest[key] || 0) + 1;
      latest[key] = request;
      pending[key] = (pending[key] || 0) + 1;
      clearError(box);
      inTurn(function () {
        return fetch(box.dataset.tickUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "Accept": "application/json"
          },
          body: JSON.stringify({ done: wanted })
        });
      }).then(function (response) {
        pending[key] -= 1;
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }, function (error) {
        pending[key] -= 1;
        throw error;
      }).then(function (data) {
        if (latest[key] === request) update(box, data);
      }).catch(function () {
        if (latest[key] !== request) return;
        box.checked = !wanted;
        showError(box, "Could not save “" + itemName(box) + "”. Check your connection and try again.");
      });
    });
  });
})();
