// MetaCRM shell behaviour: keyboard-first global search. Pages add their own small scripts.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing) {
      var box = document.getElementById("global-search");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
    if (target && target.id === "global-search" && event.key === "ArrowDown") {
      var first = document.querySelector("#search-suggestions a");
      if (first) { event.preventDefault(); first.focus(); }
    }
    if (target && target.closest && target.closest("#search-suggestions") && /^Arrow(Up|Down)$/.test(event.key)) {
      var links = Array.prototype.slice.call(document.querySelectorAll("#search-suggestions a"));
      var i = links.indexOf(target) + (event.key === "ArrowDown" ? 1 : -1);
      event.preventDefault();
      if (i < 0) { document.getElementById("global-search").focus(); } else if (links[i]) { links[i].focus(); }
    }
    if (event.key === "Escape") {
      var list = document.getElementById("search-suggestions");
      if (list && list.innerHTML) { list.innerHTML = ""; document.getElementById("global-search").focus(); }
    }
  });
})();
