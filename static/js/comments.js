// Progressive enhancement of the discussion: post and reply without a page reload, a live
// preview, and reply forms opened in place (closed by Cancel or Escape). Without this
// script the same forms post normally and "Reply" opens a reply page.
(function () {
  "use strict";
  var section = document.getElementById("comments");
  var mainForm = section && section.querySelector("form[data-comment-form]");
  if (!mainForm || !window.fetch) return;
  var formCount = 0;

  function setStatus(form, message, isError) {
    var status = form.querySelector("[data-form-status]");
    status.textContent = message;
    status.classList.toggle("field-error", !!isError);
  }

  // What was posted, said where it stays once a reply form closes (issue 18: the message
  // was written into the form, then removed with it). A reply form's status region is
  // beside the form, in the page before the message is written, so it is announced.
  function postedStatus(form) {
    return form.replyStatus || form.querySelector("[data-form-status]");
  }

  function sayPosted(form, data) {
    var status = postedStatus(form);
    var awaits = data.status === "approved" ? "" : " and awaits moderation";
    status.classList.remove("field-error");
    if (data.page && String(data.page) !== section.dataset.page) {
      // It lives on another page of the discussion: say which, and link to it there.
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = "Go to your comment";
      status.replaceChildren("Your comment was posted on page " + data.page + awaits + ". ", link);
    } else {
      status.textContent = "Your comment is posted" + awaits + ".";
    }
    if (status !== form.querySelector("[data-form-status]")) setStatus(form, "");
  }

  function firstError(data) {
    if (data.error) return data.error;
    var errors = data.errors || {};
    for (var field in errors) {
      if (errors[field].length) return errors[field][0].message;
    }
    return "Your comment could not be posted.";
  }

  function insertComment(data) {
    var list = data.parent
      ? document.querySelector('[data-replies-for="' + data.parent + '"]')
      : section.querySelector("[data-comment-list]");
    var item = document.createElement("li");
    item.innerHTML = data.html; // HTML rendered and sanitized by the server
    list.appendChild(item);
    var empty = section.querySelector(".no-comments");
    if (empty) empty.remove();
    countOneMore();
    return item.querySelector("article");
  }

  // "Comments (N)" counts what this reader can read, their own comments awaiting
  // moderation included, as the page does after a reload.
  function countOneMore() {
    var title = document.getElementById("comments-title");
    if (!title) return;
    title.textContent = title.textContent.replace(/\((\d+)\)/, function (_, count) {
      return "(" + (Number(count) + 1) + ")";
    });
  }

  function submit(form, event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    setStatus(form, "Posting…");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: new FormData(form)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(firstError(data));
        return data;
      });
    }).then(function (data) {
      var elsewhere = data.page && String(data.page) !== section.dataset.page;
      var article = elsewhere ? null : insertComment(data);
      if (elsewhere) countOneMore();
      form.querySelector("textarea").value = "";
      form.querySelector("[data-preview]").hidden = true;
      sayPosted(form, data);
      if (form !== mainForm) closeReply(form, !article, true);
      if (article) { article.setAttribute("tabindex", "-1"); article.focus(); }
    }).catch(function (error) {
      setStatus(form, error.message || "Your comment could not be posted. Check your connection and try again.", true);
    }).finally(function () {
      button.disabled = false;
    });
  }

  function preview(form) {
    var target = form.querySelector("[data-preview]");
    var data = new FormData();
    data.append("body", form.querySelector("textarea").value);
    data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    fetch(form.dataset.previewUrl, { method: "POST", credentials: "same-origin", body: data })
      .then(function (response) {
        if (!response.ok) throw new Error();
        return response.text();
      })
      .then(function (html) {
        target.innerHTML = html || "<p>Nothing to preview yet.</p>"; // sanitized by the server
        target.hidden = false;
      })
      .catch(function () { setStatus(form, "The preview is not available right now.", true); });
  }

  function enhance(form) {
    form.addEventListener("submit", function (event) { submit(form, event); });
    var previewButton = form.querySelector("[data-preview-button]");
    previewButton.hidden = false;
    previewButton.addEventListener("click", function () { preview(form); });
  }

  // Cancel and Escape hide the reply form (its text stays for the next "Reply") and give
  // the focus back to the "Reply" link that opened it; posting removes it.
  function closeReply(form, refocus, posted) {
    if (posted) form.remove();
    else form.hidden = true;
    if (refocus && document.contains(form.replyLink)) form.replyLink.focus();
  }

  function openReply(link) {
    var parentId = link.dataset.replyTo;
    var article = document.getElementById("comment-" + parentId);
    var existing = article.querySelector(":scope > form[data-comment-form]");
    if (existing) {
      existing.hidden = false;
      existing.replyLink = link;
      existing.querySelector("textarea").focus();
      return;
    }
    formCount += 1;
    var form = mainForm.cloneNode(true);
    var suffix = "-reply-" + formCount;
    form.querySelectorAll("[id]").forEach(function (node) { node.id = node.id + suffix; });
    form.querySelectorAll("label[for]").forEach(function (node) { node.htmlFor = node.htmlFor + suffix; });
    var textarea = form.querySelector("textarea");
    textarea.value = "";
    textarea.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby").split(" ").map(function (id) { return id + suffix; }).join(" "));
    form.querySelector("input[name=parent]").value = parentId;
    // The name stays in its own <bdi>: a right-to-left name cannot reorder "Reply to".
    var name = document.createElement("bdi");
    name.textContent = article.querySelector(".comment-author").textContent.trim();
    var title = form.querySelector(".comment-form-title");
    title.replaceChildren("Reply to ", name);
    form.querySelector("button[type=submit]").textContent = "Post reply";
    form.querySelector("[data-preview]").hidden = true;
    setStatus(form, "");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", function () { closeReply(form, true); });
    form.querySelector(".form-buttons").appendChild(cancel);
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        closeReply(form, true);
      }
    });
    form.replyLink = link;
    var replies = article.querySelector(".comment-replies");
    var status = article.querySelector(":scope > [data-reply-status]");
    if (!status) {
      status = document.createElement("p");
      status.className = "form-status";
      status.setAttribute("role", "status");
      status.setAttribute("data-reply-status", "");
      article.insertBefore(status, replies);
    }
    status.textContent = "";
    form.replyStatus = status;
    article.insertBefore(form, status);
    enhance(form);
    textarea.focus();
  }

  enhance(mainForm);
  section.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (!link) return;
    event.preventDefault();
    openReply(link);
  });
})();
