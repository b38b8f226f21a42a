// Kanban boards: SortableJS drag-and-drop (and a keyboard-friendly "Move to" menu) between columns.
// A move is posted to the server, which updates the record through the record service with the
// card's version; a refused move (validation, permission, someone else's change) puts the card
// back where it came from and shows the reason on it.
(function () {
  "use strict";
  var board = document.getElementById("kanban-board");
  if (!board) { return; }
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  var money = new Intl.NumberFormat(board.dataset.locale || undefined,
    { style: "currency", currency: board.dataset.currency || "USD" });

  function column(el) { return el.closest(".kanban-column"); }

  function adjust(col, card, sign) {
    if (!col) { return; }
    var badge = col.querySelector(".kanban-count");
    var count = parseInt(badge.dataset.count, 10) + sign;
    badge.dataset.count = count; badge.textContent = count;
    var sum = col.querySelector(".kanban-sum");
    if (sum && card.dataset.amount) {
      var total = parseFloat(sum.dataset.sum) + sign * parseFloat(card.dataset.amount || "0");
      sum.dataset.sum = total; sum.textContent = money.format(total);
    }
  }

  function putBack(card, from, index) {
    var ref = from.children[index] || null;
    from.insertBefore(card, ref === card ? card.nextSibling : ref);
  }

  function move(card, from, oldIndex, to) {
    if (from === to) { return; }
    adjust(column(from), card, -1); adjust(column(to), card, +1);
    card.classList.add("kanban-saving");
    var body = new URLSearchParams({ id: card.dataset.id, version: card.dataset.version,
      by: board.dataset.by, value: to.dataset.value });
    fetch(board.dataset.moveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" }
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }).then(function (result) {
      var holder = document.createElement("div");
      holder.innerHTML = result.html.trim();
      var fresh = holder.firstElementChild;
      if (!result.ok) {
        adjust(column(to), card, -1); adjust(column(from), card, +1);
        putBack(card, from, oldIndex);
      }
      if (fresh && fresh.classList.contains("kanban-card")) {
        if (!result.ok && !fresh.dataset.id) {  // the record is gone from this user's sight
          card.querySelector(".kanban-error").innerHTML = fresh.querySelector(".kanban-error").innerHTML;
          card.classList.add("border-danger");
        } else {
          card.replaceWith(fresh);
          card = fresh;
        }
      }
      card.classList.remove("kanban-saving");
      if (!result.ok) { card.focus && card.setAttribute("tabindex", "-1"); card.focus(); }
    }).catch(function () {
      adjust(column(to), card, -1); adjust(column(from), card, +1);
      putBack(card, from, oldIndex);
      card.classList.remove("kanban-saving");
      card.querySelector(".kanban-error").textContent = board.dataset.offline || "The move could not be sent; try again.";
    });
  }

  board.querySelectorAll(".kanban-cards").forEach(function (list) {
    if (!window.Sortable) { return; }
    window.Sortable.create(list, {
      group: "kanban-" + board.dataset.by, animation: 150, draggable: ".kanban-card", forceFallback: true,
      fallbackOnBody: true, fallbackTolerance: 4,
      filter: ".kanban-move-menu, .dropdown-menu, a", preventOnFilter: false,
      ghostClass: "kanban-ghost", chosenClass: "kanban-chosen",
      onEnd: function (evt) { move(evt.item, evt.from, evt.oldIndex, evt.to); }
    });
  });

  // The "Move to" menu: the same move for keyboard and screen-reader users.
  board.addEventListener("show.bs.dropdown", function (event) {
    var menu = event.target.parentElement.querySelector(".kanban-move-options");
    if (!menu) { return; }
    var current = event.target.closest(".kanban-cards").dataset.value;
    menu.innerHTML = document.getElementById("kanban-columns").innerHTML;
    menu.querySelectorAll("[data-move-to]").forEach(function (item) {
      if (item.dataset.moveTo === current) { item.remove(); }
    });
  });
  board.addEventListener("click", function (event) {
    var item = event.target.closest("[data-move-to]");
    if (!item) { return; }
    var card = item.closest(".kanban-card");
    var from = card.closest(".kanban-cards");
    var to = board.querySelector('.kanban-cards[data-value="' + CSS.escape(item.dataset.moveTo) + '"]');
    var oldIndex = Array.prototype.indexOf.call(from.children, card);
    to.insertBefore(card, to.firstChild);
    move(card, from, oldIndex, to);
  });
})();
