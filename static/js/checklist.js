// Progressive enhancement of the article's checklist: ticking saves at once, without a
// page reload. Without this script each heading has a small form that does the same.
// No CSRF token: the page may be shared by every visitor, and the server refuses
// cross-site ticks by the browser's Sec-Fetch-Site and Origin headers instead.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input.checklist-box[data-tick-url]");
  if (!boxes.length || !window.fetch) return;
  document.documentElement.classList.add("js-checklist");
  var status = document.querySelector("[data-checklist-status]");
  var latest = {}; // the newest request per item wins; older answers are ignored
  // One request at a time, in the order of the clicks. A visitor's ticks live in their
  // session: two requests at once would each save their own copy of it and one tick
  // would be lost. In order, the last answer also carries the newest summary.
  var queue = Promise.resolve();

  function inTurn(send) {
    var turn = queue.then(send);
    queue = turn.catch(function () {});
    return turn;
  }

  // A checklist heading may be of any level ("###" items too), not only <h2>.
  function heading(box) {
    return box.closest("h1, h2, h3, h4, h5, h6");
  }

  function itemName(box) {
    return box.labels && box.labels[0] ? box.labels[0].textContent.trim() : "this item";
  }

  function showError(box, message) {
    var controls = heading(box).nextElementSibling;
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
    var error = heading(box).nextElementSibling.querySelector(".tick-error");
    if (error) error.remove();
  }

  function update(box, data) {
    document.querySelectorAll("[data-progress-text]").forEach(function (node) {
      node.textContent = data.summary;
    });
    document.querySelectorAll("[data-progress-bar]").forEach(function (bar) {
      bar.max = data.total;
      bar.value = data.done_count;
      bar.textContent = data.percent + "%";
    });
    var controls = heading(box).nextElementSibling;
    var readers = controls.querySelector("[data-readers]");
    if (readers) readers.textContent = data.readers;
    var form = controls.querySelector("form.tick-form");
    if (form) {
      form.elements.done.value = data.done ? "false" : "true";
      var button = form.querySelector("button");
      var label = data.done ? "Mark as not done" : "Mark as done";
      button.firstChild.textContent = label;
      button.setAttribute("aria-label", label + ": " + itemName(box));
    }
    if (status) {
      status.textContent = (data.done ? "Done: " : "Not done: ") + itemName(box) + ". " + data.summary + ".";
    }
  }

  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var wanted = box.checked;
      var key = box.dataset.checklistItem;
      var request = (latest[key] || 0) + 1;
      latest[key] = request;
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
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
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
