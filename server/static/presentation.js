// The presentation view: step through the slides with the keyboard or a presenter's clicker.
// Progressive enhancement only: every slide has plain previous and next links that work without this file.
(function () {
  "use strict";
  var nav = document.querySelector(".slide-nav");
  if (!nav) return;
  var keys = document.getElementById("slide-keys");
  if (keys) keys.hidden = false;

  function link(selector) {
    var found = nav.querySelector(selector);
    return found ? found.getAttribute("href") : null;
  }

  var targets = {
    ArrowRight: "a[rel=next]",
    PageDown: "a[rel=next]",
    ArrowLeft: "a[rel=prev]",
    PageUp: "a[rel=prev]",
    Home: "a.first",
    End: "a.last",
    Escape: "a.exit"
  };

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) return;
    var target = event.target;
    // Keys typed into a field, or used to scroll a table region sideways, stay theirs.
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (target && target.closest && target.closest(".table-scroll") &&
        (event.key === "ArrowLeft" || event.key === "ArrowRight")) return;
    var selector = targets[event.key];
    var href = selector ? link(selector) : null;
    if (!href) return;
    event.preventDefault();
    window.location.assign(href);
  });
})();
