/* The post editor in admin (posts.admin.BodyEditor, issue 22), instead of markdownx's
   script, which posted only the text, wrote "Invalid response" into the article when an
   upload was refused, and grew the text box to its content.

   - The preview: the body rendered by the site's renderer (the textarea's
     data-markdownx-urls-path), with "Use math" and the dialect as the form says, shown
     in a frame that loads the site's stylesheet, so it looks like the page and the
     admin's styles stay out. At 1,200 px and wider it sits beside the text and follows
     its scrolling; narrower, "Write" and "Preview" are tabs (WAI-ARIA tabs pattern).
   - Images: "Add image" (a file picker), dropping or pasting a file. The file is
     uploaded (data-markdownx-upload-urls-path) and, once accepted, a dialog asks for
     its description: ![description](url) is inserted where the cursor was. An empty
     description needs "Decorative image (no description)". A refused file is named
     with the server's reason in the alert beside the editor, and no text changes. */
(function () {
  "use strict";

  var WIDE = window.matchMedia("(min-width: 1200px)");
  var LATENCY_MIN = 300;

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Markdown's image text: brackets and backslashes escaped, on one line.
  function altText(text) {
    return text.replace(/\s+/g, " ").trim().replace(/([\\\[\]])/g, "\\$1");
  }

  function Editor(root) {
    this.root = root;
    this.textarea = root.querySelector("textarea");
    this.form = this.textarea.form;
    this.bar = root.querySelector("[data-editor-bar]");
    this.tabs = Array.prototype.slice.call(root.querySelectorAll("[data-editor-tab]"));
    this.tablist = root.querySelector("[data-editor-tabs]");
    this.writePane = root.querySelector("[data-write-pane]");
    this.previewPane = root.querySelector("[data-preview-pane]");
    this.frame = root.querySelector("[data-preview-frame]");
    this.alert = root.querySelector("[data-editor-alert]");
    this.status = root.querySelector("[data-editor-status]");
    this.fileInput = root.querySelector("[data-image-file]");
    this.latency = Math.max(
      parseInt(this.textarea.getAttribute("data-markdownx-latency"), 10) || 0,
      LATENCY_MIN
    );
    this.requests = 0;
    this.timer = null;
    this.previewReady = this.openFrame(root.getAttribute("data-preview-stylesheet"));
    this.dialog = this.makeDialog(root.querySelector("template[data-image-dialog]"));
    this.bind();
    this.bar.hidden = false;
    this.previewPane.hidden = false;
    this.setLayout();
    this.refresh();
  }

  Editor.prototype.openFrame = function (stylesheet) {
    var frame = this.frame;
    return new Promise(function (resolve) {
      frame.addEventListener("load", function () {
        var doc = frame.contentDocument;
        // Links open in a new tab (<base target>), but a heading's "#" link scrolls the
        // preview, as on the page, rather than opening an empty tab.
        doc.addEventListener("click", function (event) {
          var link = event.target.closest && event.target.closest("a[href^='#']");
          if (!link) return;
          event.preventDefault();
          var target = doc.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
          if (target) target.scrollIntoView();
        });
        resolve(doc);
      }, { once: true });
      // The page's own structure around the body, so the site's rules apply as there.
      frame.srcdoc =
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title>' +
        '<base target="_blank"><link rel="stylesheet" href="' + stylesheet + '"></head>' +
        '<body class="post-preview"><main class="wrap"><article class="post">' +
        '<div class="post-body" data-preview-body></div></article></main></body></html>';
    });
  };

  Editor.prototype.bind = function () {
    var editor = this;
    this.textarea.addEventListener("input", function () { editor.schedule(); });
    this.textarea.addEventListener("scroll", function () { editor.followScroll(); });
    // "Use math" and the dialect (a select or radio buttons, when posts have one).
    if (this.form) {
      this.form.addEventListener("change", function (event) {
        var name = event.target && event.target.name;
        if (name === "use_math" || name === "dialect") editor.refresh();
      });
    }
    // Tabs: click, arrows, Home and End (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/).
    this.tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { editor.select(index); });
      tab.addEventListener("keydown", function (event) {
        var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: editor.tabs.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        next = (next + editor.tabs.length) % editor.tabs.length;
        editor.select(next);
        editor.tabs[next].focus();
      });
    });
    WIDE.addEventListener("change", function () { editor.setLayout(); });
    if (window.ResizeObserver) {
      // The preview is as tall as the text box, also when the editor resizes it.
      new ResizeObserver(function () {
        var height = editor.textarea.offsetHeight;
        if (height > 0) editor.frame.style.height = height + "px"; // 0: the Preview tab is shown
      }).observe(this.textarea);
    }
    // Images: the button's file picker, a drop or a paste onto the text.
    this.root.querySelector("[data-add-image]").addEventListener("click", function () {
      editor.fileInput.value = "";
      editor.fileInput.click();
    });
    this.fileInput.addEventListener("change", function () {
      editor.addImages(editor.fileInput.files);
    });
    this.textarea.addEventListener("dragover", function (event) {
      if (hasFiles(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }
    });
    this.textarea.addEventListener("drop", function (event) {
      if (!hasFiles(event)) return;
      event.preventDefault();
      editor.addImages(event.dataTransfer.files);
    });
    this.textarea.addEventListener("paste", function (event) {
      var clipboard = event.clipboardData;
      // Text copied from a word processor often comes with a picture of itself: paste
      // the text then, and upload only a clipboard that holds nothing but files.
      if (clipboard && clipboard.files.length && !clipboard.getData("text/plain")) {
        event.preventDefault();
        editor.addImages(clipboard.files);
      }
    });
  };

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("en", { maximumFractionDigits: 1 }) + " MB";
  }

  function hasFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
  }

  // Side by side when wide, tabs when narrow; the roles follow what the screen shows.
  Editor.prototype.setLayout = function () {
    var wide = WIDE.matches;
    var panes = [this.writePane, this.previewPane];
    var previewWasSelected = this.tabs[1].getAttribute("aria-selected") === "true";
    this.root.classList.toggle("is-wide", wide);
    this.tablist.hidden = wide;
    if (wide) {
      this.tablist.removeAttribute("role");
      this.tablist.removeAttribute("aria-label");
      this.tabs.forEach(function (tab, index) {
        ["role", "aria-selected", "aria-controls", "tabindex"].forEach(function (name) {
          tab.removeAttribute(name);
        });
        panes[index].removeAttribute("role");
        panes[index].removeAttribute("aria-labelledby");
        panes[index].hidden = false;
      });
      this.previewPane.setAttribute("role", "region");
      this.previewPane.setAttribute("aria-label", "Preview");
      this.followScroll();
    } else {
      this.tablist.setAttribute("role", "tablist");
      this.tablist.setAttribute("aria-label", "Body");
      this.previewPane.removeAttribute("aria-label");
      this.tabs.forEach(function (tab, index) {
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", panes[index].id);
        panes[index].setAttribute("role", "tabpanel");
        panes[index].setAttribute("aria-labelledby", tab.id);
      });
      this.select(previewWasSelected ? 1 : 0);
    }
  };

  Editor.prototype.select = function (index) {
    var panes = [this.writePane, this.previewPane];
    this.tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      panes[i].hidden = !selected;
    });
  };

  Editor.prototype.schedule = function () {
    var editor = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { editor.refresh(); }, this.latency);
  };

  Editor.prototype.refresh = function () {
    var editor = this;
    var number = ++this.requests;
    var data = new FormData();
    data.append("content", this.textarea.value);
    var fields = this.form ? this.form.elements : {};
    if (fields.use_math && fields.use_math.checked) data.append("use_math", "on");
    if (fields.dialect && fields.dialect.value) data.append("dialect", fields.dialect.value);
    fetch(this.textarea.getAttribute("data-markdownx-urls-path"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(this.form), "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (number !== editor.requests) return; // a newer preview is on its way
        return editor.previewReady.then(function (doc) {
          doc.querySelector("[data-preview-body]").innerHTML = html;
          editor.root.setAttribute("data-preview-updated", String(number));
          editor.followScroll();
        });
      })
      .catch(function (error) {
        if (number === editor.requests) {
          editor.say("The preview could not be updated (" + error.message + "); the text is unchanged.");
        }
      });
  };

  // The preview shows the same share of the article as the text box does.
  Editor.prototype.followScroll = function () {
    if (!WIDE.matches) return;
    var text = this.textarea;
    var frameWindow = this.frame.contentWindow;
    var doc = this.frame.contentDocument;
    if (!frameWindow || !doc || !doc.documentElement) return;
    var range = text.scrollHeight - text.clientHeight;
    var ratio = range > 0 ? text.scrollTop / range : 0;
    var target = doc.documentElement.scrollHeight - frameWindow.innerHeight;
    frameWindow.scrollTo(0, Math.max(0, Math.round(ratio * target)));
  };

  Editor.prototype.say = function (message) {
    this.status.textContent = "";
    this.status.textContent = message;
  };

  Editor.prototype.refuse = function (message) {
    this.alert.textContent = message;
  };

  Editor.prototype.addImages = async function (files) {
    files = Array.prototype.slice.call(files || []);
    // Where the cursor was: the dialog takes the focus, the text goes in there.
    var place = { start: this.textarea.selectionStart, end: this.textarea.selectionEnd };
    this.refuse("");
    for (var i = 0; i < files.length; i++) {
      place = await this.addImage(files[i], place);
    }
  };

  Editor.prototype.addImage = async function (file, place) {
    var name = file.name || "The pasted image";
    var limit = parseInt(this.root.getAttribute("data-upload-max-bytes"), 10);
    if (limit && file.size > limit) {
      this.refuse(name + " was not added: it is " + megabytes(file.size) + "; the limit is " + megabytes(limit) + ".");
      return place;
    }
    this.say("Uploading " + name + "…");
    var answer;
    try {
      answer = await this.upload(file);
    } catch (error) {
      this.say("");
      this.refuse(name + " was not added: " + error.message);
      return place;
    }
    var description = await this.describe(name);
    if (description === null) {
      this.say(name + " was not added.");
      this.textarea.focus();
      return place;
    }
    var markdown = "![" + altText(description) + "](" + answer.url + ")";
    var text = this.textarea;
    text.focus();
    text.setRangeText(markdown, place.start, place.end, "end");
    text.dispatchEvent(new Event("input", { bubbles: true }));
    this.say(name + " was added" + (description ? ", described as “" + description.trim() + "”." : " as a decorative image."));
    return { start: text.selectionEnd, end: text.selectionEnd };
  };

  // Resolves to {url, width, height}; rejects with the reason to show.
  Editor.prototype.upload = async function (file) {
    var data = new FormData();
    data.append("image", file);
    var response;
    try {
      response = await fetch(this.textarea.getAttribute("data-markdownx-upload-urls-path"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(this.form), "X-Requested-With": "XMLHttpRequest" },
      });
    } catch (error) {
      throw new Error("the server could not be reached. Check the connection and try again.");
    }
    var answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (response.ok && answer && answer.url) return answer;
    if (response.status === 400 && answer) {
      var reasons = [];
      Object.keys(answer).forEach(function (field) { reasons = reasons.concat(answer[field]); });
      if (reasons.length) throw new Error(reasons.join(" "));
    }
    if (response.status === 413) throw new Error("the file is larger than the server accepts.");
    if (response.status === 403) throw new Error("you are no longer logged in as staff; log in again.");
    throw new Error("the server answered " + response.status + ". Try again.");
  };

  Editor.prototype.makeDialog = function (template) {
    var dialog = template.content.firstElementChild.cloneNode(true);
    document.body.appendChild(dialog); // outside the admin's form: forms do not nest
    return dialog;
  };

  // Resolves to the description ("" for a decorative image), or null when cancelled.
  Editor.prototype.describe = function (name) {
    var dialog = this.dialog;
    var form = dialog.querySelector("form");
    var alt = dialog.querySelector("[data-image-alt]");
    var decorative = dialog.querySelector("[data-image-decorative]");
    var error = dialog.querySelector("[data-image-error]");
    dialog.querySelector("[data-image-name]").textContent = name;
    alt.value = "";
    alt.disabled = false;
    alt.removeAttribute("aria-invalid");
    decorative.checked = false;
    error.textContent = "";
    function syncDecorative() {
      alt.disabled = decorative.checked;
      if (decorative.checked) {
        error.textContent = "";
        alt.removeAttribute("aria-invalid");
      }
    }
    decorative.onchange = syncDecorative;
    return new Promise(function (resolve) {
      form.onsubmit = function (event) {
        var choice = event.submitter ? event.submitter.value : "insert";
        if (choice !== "insert") return; // the dialog closes, answering "cancel"
        if (!alt.value.trim() && !decorative.checked) {
          event.preventDefault();
          error.textContent =
            "Write a description, or tick “Decorative image (no description)” if the image adds nothing to the text.";
          alt.setAttribute("aria-invalid", "true");
          alt.focus();
        }
      };
      dialog.onclose = function () {
        dialog.onclose = null;
        if (dialog.returnValue === "insert") {
          resolve(decorative.checked ? "" : alt.value);
        } else {
          resolve(null);
        }
      };
      dialog.returnValue = "";
      dialog.showModal();
      alt.focus();
    });
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-post-editor]"), function (root) {
      if (!root.hasAttribute("data-editor-ready")) {
        root.setAttribute("data-editor-ready", "");
        new Editor(root);
      }
    });
    // A file dropped beside the text box would replace the admin page with the image,
    // and the unsaved text with it.
    document.addEventListener("dragover", function (event) { if (hasFiles(event)) event.preventDefault(); });
    document.addEventListener("drop", function (event) { if (hasFiles(event)) event.preventDefault(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
