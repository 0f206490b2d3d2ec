// Progressive enhancement of the questionnaire designer: questions are dragged into place with a pointer
// (mouse, pen, finger) or moved with the keyboard (Space lifts, arrow keys move, Space drops, Escape
// cancels). Dropping posts the new order as an ordinary form; without this file the buttons do the same.
(function () {
  "use strict";
  var list = document.querySelector("ol.designer-questions[data-reorder]");
  var form = document.getElementById("reorder-form");
  var status = document.getElementById("reorder-status");
  if (!list || !form || !status) return;
  var texts = list.dataset;

  function items() {
    return Array.prototype.slice.call(list.children);
  }

  function fill(pattern, values) {
    return pattern.replace(/\{(\w+)\}/g, function (_whole, name) {
      return values[name] !== undefined ? values[name] : "";
    });
  }

  function place(item) {
    return items().indexOf(item) + 1;
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  var before = null;

  function order() {
    return items().map(function (item) {
      return item.getAttribute("data-code");
    });
  }

  function save(item) {
    var now = order();
    if (before && now.join(",") === before.join(",")) {
      before = null;
      return;
    }
    form.querySelector('input[name="ordning"]').value = now.join(",");
    form.querySelector('input[name="flyttad"]').value = item.getAttribute("data-code");
    announce(fill(texts.dropped, { place: place(item), count: items().length }));
    form.submit();
  }

  function restore() {
    if (!before) return;
    before.forEach(function (code) {
      list.appendChild(list.querySelector('li[data-code="' + code + '"]'));
    });
    before = null;
  }

  function lifted(item) {
    return item.classList.contains("lifted");
  }

  function lift(item, handle) {
    before = order();
    item.classList.add("lifted");
    handle.setAttribute("aria-pressed", "true");
  }

  function drop(item, handle) {
    item.classList.remove("lifted");
    handle.setAttribute("aria-pressed", "false");
  }

  function moveBy(item, handle, steps) {
    var all = items();
    var index = all.indexOf(item);
    var target = Math.max(0, Math.min(all.length - 1, index + steps));
    if (target === index) return;
    if (steps < 0) list.insertBefore(item, all[target]);
    else list.insertBefore(item, all[target].nextSibling);
    handle.focus();
    announce(fill(texts.moved, { place: place(item), count: all.length }));
  }

  items().forEach(function (item) {
    var handle = document.createElement("button");
    handle.type = "button";
    handle.className = "drag-handle secondary";
    handle.setAttribute("aria-pressed", "false");
    handle.setAttribute("aria-describedby", "reorder-help");
    var label = document.createElement("span");
    label.textContent = fill(texts.handle, { number: place(item) });
    handle.appendChild(label);
    item.insertBefore(handle, item.firstChild);

    handle.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === " " || key === "Enter") {
        event.preventDefault();
        if (lifted(item)) {
          drop(item, handle);
          save(item);
        } else {
          lift(item, handle);
          announce(fill(texts.lifted, { number: place(item), place: place(item), count: items().length }));
        }
      } else if (lifted(item) && (key === "ArrowUp" || key === "ArrowDown")) {
        event.preventDefault();
        moveBy(item, handle, key === "ArrowUp" ? -1 : 1);
      } else if (lifted(item) && (key === "Home" || key === "End")) {
        event.preventDefault();
        moveBy(item, handle, key === "Home" ? -items().length : items().length);
      } else if (lifted(item) && key === "Escape") {
        event.preventDefault();
        drop(item, handle);
        restore();
        handle.focus();
        announce(texts.cancelled);
      }
    });
    handle.addEventListener("blur", function () {
      // Moving the question in the page takes focus from its handle for a moment; only leaving it cancels.
      window.setTimeout(function () {
        if (lifted(item) && !dragging && document.activeElement !== handle) {
          drop(item, handle);
          restore();
          announce(texts.cancelled);
        }
      }, 0);
    });

    // The pointer is followed on the document, not captured by the handle: moving the question moves the
    // handle in the page, and a captured pointer would be let go.
    var dragging = false;
    function follow(event) {
      var others = items().filter(function (other) {
        return other !== item;
      });
      var next = null;
      for (var i = 0; i < others.length; i += 1) {
        var box = others[i].getBoundingClientRect();
        if (event.clientY < box.top + box.height / 2) {
          next = others[i];
          break;
        }
      }
      if (next !== item && next !== item.nextElementSibling) list.insertBefore(item, next);
      else if (next === null && list.lastElementChild !== item) list.appendChild(item);
    }
    function stop(event) {
      document.removeEventListener("pointermove", follow);
      document.removeEventListener("pointerup", stop);
      document.removeEventListener("pointercancel", stop);
      if (!dragging) return;
      dragging = false;
      drop(item, handle);
      if (event.type === "pointercancel") restore();
      else save(item);
      handle.focus();
    }
    handle.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      dragging = true;
      lift(item, handle);
      handle.focus();
      document.addEventListener("pointermove", follow);
      document.addEventListener("pointerup", stop);
      document.addEventListener("pointercancel", stop);
    });
  });

  document.getElementById("reorder-help").hidden = false;
  // Back from saving a move: focus returns to the moved question's handle (after the browser has
  // scrolled to the question, which would otherwise take focus away again).
  var moved = list.querySelector("li[data-moved] .drag-handle");
  if (moved) {
    moved.focus();
    window.addEventListener("load", function () {
      window.setTimeout(function () {
        moved.focus();
      }, 0);
    });
  }
})();
