// Layout editor: SortableJS moves field chips between the palette and the sections' columns; every
// change rewrites the JSON draft (the form's textarea, which is what is saved) and asks the server
// for a live preview of the real generated form. Without JavaScript the textarea alone is the editor.
(function () {
  "use strict";
  var form = document.getElementById("layout-form");
  if (!form || typeof Sortable === "undefined") { return; }
  var visual = document.getElementById("layout-visual");
  var textarea = form.querySelector("textarea[name=layout]");
  var sections = document.getElementById("le-sections");
  var preview = document.getElementById("layout-preview");
  var csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
  var manual = false, timer = null;
  visual.classList.remove("d-none");
  document.getElementById("le-expert").open = false;

  function names(list) {
    return Array.prototype.map.call(list.querySelectorAll(".le-chip"), function (c) { return c.dataset.field; });
  }

  function sectionDraft(card) {
    var cols = parseInt(card.querySelector(".le-columns").value, 10);
    var lists = card.querySelectorAll(".le-list");
    var a = names(lists[0]), b = names(lists[1]), fields = [];
    if (cols === 1) { fields = a.concat(b); } else {
      for (var i = 0; i < Math.max(a.length, b.length); i++) {  // the form fills rows left to right
        if (i < a.length) { fields.push(a[i]); }
        if (i < b.length) { fields.push(b[i]); }
      }
    }
    var s = { label: card.querySelector(".le-label").value || "Section", columns: cols, fields: fields };
    if (card.querySelector(".le-collapsed").checked) { s.collapsed = true; }
    return s;
  }

  function draft() {
    var d = { name: document.getElementById("le-name").value, label: document.getElementById("le-title").value,
              sections: Array.prototype.map.call(sections.querySelectorAll(".le-section"), sectionDraft) };
    if (!d.label) { delete d.label; }
    var roles = Array.prototype.filter.call(form.querySelectorAll(".le-role"), function (r) { return r.checked; })
      .map(function (r) { return r.value; });
    if (roles.length) { d.roles = roles; }
    if (document.getElementById("le-default").checked) { d["default"] = true; }
    var highlights = [], overrides = {};
    form.querySelectorAll("#le-options tbody tr").forEach(function (row) {
      var name = row.dataset.field, o = {};
      if (row.querySelector(".le-highlight").checked) { highlights.push(name); }
      if (row.querySelector(".le-readonly").checked) { o.read_only = true; }
      if (row.querySelector(".le-hidden").checked) { o.hidden = true; }
      var help = row.querySelector(".le-help").value.trim();
      if (help) { o.help = help; }
      if (Object.keys(o).length) { overrides[name] = o; }
    });
    if (highlights.length) { d.highlights = highlights; }
    if (Object.keys(overrides).length) { d.overrides = overrides; }
    return d;
  }

  function refreshPreview() {
    fetch(form.dataset.previewUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
      body: new URLSearchParams({ layout: textarea.value })
    }).then(function (r) { return r.text(); }).then(function (html) { preview.innerHTML = html; });
  }

  function sync() {
    if (manual) { return; }
    textarea.value = JSON.stringify(draft(), null, 2);
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 150);
  }

  function sortable(list) {
    Sortable.create(list, { group: "layout-fields", animation: 120, forceFallback: true, fallbackOnBody: true,
                            fallbackTolerance: 4, emptyInsertThreshold: 24, onSort: sync, onAdd: sync, onRemove: sync });
  }

  function wire(card) {
    card.querySelectorAll(".le-list").forEach(sortable);
    card.querySelector(".le-columns").addEventListener("change", function () {
      var lists = card.querySelectorAll(".le-list"), second = card.querySelector(".le-col-2");
      if (this.value === "1") {  // one column: the second column's fields join the first
        Array.prototype.slice.call(lists[1].children).forEach(function (c) { lists[0].appendChild(c); });
        second.classList.add("d-none");
      } else { second.classList.remove("d-none"); }
      sync();
    });
    card.querySelector(".le-remove").addEventListener("click", function () {
      var palette = document.getElementById("le-palette");
      card.querySelectorAll(".le-chip").forEach(function (c) { palette.appendChild(c); });
      card.remove(); sync();
    });
  }

  sortable(document.getElementById("le-palette"));
  sections.querySelectorAll(".le-section").forEach(wire);
  Sortable.create(sections, { handle: ".le-handle", animation: 120, forceFallback: true, onSort: sync });
  document.getElementById("le-add-section").addEventListener("click", function () {
    var tpl = document.getElementById("le-section-template");
    var card = tpl.content.firstElementChild.cloneNode(true);
    sections.appendChild(card); wire(card); sync();
    card.querySelector(".le-label").select();
  });
  visual.addEventListener("input", sync);
  visual.addEventListener("change", sync);
  textarea.addEventListener("input", function () { manual = true; refreshPreview(); });
  sync();
})();
