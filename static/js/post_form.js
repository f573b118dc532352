/* The post form in admin (posts.admin.PostAdmin).

   The permalink fills from the title (issue 22): "Your first 90 days"
   gives /your-first-90-days/, as the server makes it from an empty permalink (Django's
   slugify, ASCII). It follows the title until the editor types in the permalink, and
   only on a post whose permalink was empty when the page opened: a published address
   never changes by itself. */
(function () {
  "use strict";

  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\w\s-]/g, "")
      .replace(/[^\x00-\x7f]/g, "")
      .trim()
      .toLowerCase()
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "")
      .slice(0, 190);
  }

  function start() {
    var title = document.getElementById("id_title");
    var permalink = document.getElementById("id_permalink");
    if (!title || !permalink || permalink.value.trim()) return;
    var typed = false;
    permalink.addEventListener("input", function () { typed = permalink.value.trim() !== ""; });
    title.addEventListener("input", function () {
      if (typed) return;
      var slug = slugify(title.value);
      permalink.value = slug ? "/" + slug + "/" : "";
    });
  }

  // Django's "Categories" chooser (SelectFilter2.js, on window load) names its
  // magnifier icons with aria-label on a bare <span>, which ARIA does not allow (axe:
  // aria-prohibited-attr, serious): an image role makes the name valid.
  function nameFilterIcons() {
    Array.prototype.forEach.call(document.querySelectorAll("span.search-label-icon[aria-label]"), function (icon) {
      if (!icon.hasAttribute("role")) icon.setAttribute("role", "img");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", function () { setTimeout(nameFilterIcons, 0); });
})();
