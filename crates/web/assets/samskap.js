// samskap's one script, served from the binary. On a source's page it turns a selection of
// the text into the coding form's passage: the words, and their offsets in characters
// (Unicode code points, as samskap counts them; JavaScript counts UTF-16 units). Without it
// the form still works: the passage typed is found in the text by the server.
(function () {
  "use strict";
  var text = document.getElementById("source-text");
  var form = document.getElementById("code-form");
  if (!text || !form) {
    return;
  }
  var start = form.elements.start;
  var end = form.elements.end;
  var quote = form.elements.quote;
  var code = form.elements.code;
  var shown = document.getElementById("selected");

  function points(s) {
    return Array.from(s).length;
  }

  // The offset in the whole text of a boundary point of a range: a text node of a run
  // (whose element carries the run's first offset in data-o), or an element and a child
  // index (the text's container, or a run at its edge).
  function offset(node, at) {
    if (node.nodeType === Node.TEXT_NODE) {
      var run = node.parentElement.closest("[data-o]");
      if (!run || !text.contains(run)) {
        return null;
      }
      return Number(run.dataset.o) + points(node.data.slice(0, at));
    }
    if (node === text) {
      var runs = text.children;
      if (at < runs.length) {
        return Number(runs[at].dataset.o);
      }
      var last = runs[runs.length - 1];
      return last ? Number(last.dataset.o) + points(last.textContent) : 0;
    }
    var el = node.closest ? node.closest("[data-o]") : null;
    if (!el || !text.contains(el)) {
      return null;
    }
    return Number(el.dataset.o) + (at === 0 ? 0 : points(el.textContent));
  }

  function take() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) {
      return;
    }
    var r = sel.getRangeAt(0);
    if (!text.contains(r.startContainer) || !text.contains(r.endContainer)) {
      return;
    }
    var a = offset(r.startContainer, r.startOffset);
    var b = offset(r.endContainer, r.endOffset);
    if (a === null || b === null || a >= b) {
      return;
    }
    start.value = a;
    end.value = b;
    quote.value = r.toString();
    if (shown) {
      shown.textContent = (shown.dataset.label || "") + a + "–" + b;
    }
  }

  text.addEventListener("mouseup", take);
  text.addEventListener("keyup", take);
  text.addEventListener("touchend", take);
  // Words typed or changed in the box are looked for in the text, not taken as offsets.
  quote.addEventListener("input", function () {
    start.value = "";
    end.value = "";
    if (shown) {
      shown.textContent = "";
    }
  });

  // Only the qualifiers that apply to the code chosen are shown.
  function qualifiers() {
    var chosen = code.value.trim();
    form.querySelectorAll(".qualifier").forEach(function (q) {
      var codes = q.dataset.codes ? q.dataset.codes.split(" ") : [];
      var applies =
        codes.length === 0 ||
        codes.some(function (c) {
          return chosen === c || chosen.indexOf(c + "/") === 0;
        });
      q.hidden = !applies;
    });
  }
  code.addEventListener("input", qualifiers);
  code.addEventListener("change", qualifiers);
  qualifiers();
})();
