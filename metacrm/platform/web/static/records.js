// Record forms and pages: Tom Select for lookups and multi-selects, Trix for rich text, inline-edit niceties,
// error focus.
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function lookupError(select, message) {
    var slot = select.closest(".app-slot");
    if (!slot) { return; }
    var box = slot.querySelector(".app-lookup-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback app-lookup-error";
      box.id = select.id + "-create-error";
      box.setAttribute("role", "alert");
      slot.appendChild(box);
    }
    box.textContent = message || "";
    box.style.display = message ? "block" : "none";
  }

  function initLookup(select) {
    var url = select.getAttribute("data-url");
    var createUrl = select.getAttribute("data-create-url");
    var canCreate = false;
    var ts = new TomSelect(select, {
      valueField: "id", labelField: "label", searchField: ["label"], maxItems: 1, maxOptions: 10,
      allowEmptyOption: true, loadThrottle: 200, preload: "focus", plugins: ["clear_button"],
      placeholder: select.getAttribute("placeholder") || "",
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (body) { canCreate = !!body.can_create; callback(body.results || []); })
          .catch(function () { callback(); });
      },
      // Tom Select caches results per query; a record created meanwhile must still be found.
      shouldLoad: function () { return true; },
      create: function (input, callback) {
        if (!canCreate || !createUrl) { callback(); return; }
        var body = new URLSearchParams({label: input});
        fetch(createUrl, {method: "POST", body: body, credentials: "same-origin",
                          headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}})
          .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); })
          .then(function (res) {
            if (res.ok) { lookupError(select, ""); callback({id: res.body.id, label: res.body.label}); }
            else { lookupError(select, res.body.message); callback(); }
          })
          .catch(function () { callback(); });
      },
      render: {
        option_create: function (data, escape) {
          return '<div class="create"><i class="bi bi-plus-lg" aria-hidden="true"></i> ' +
            escape(select.getAttribute("data-create-label") || "Create") + ' <strong>' + escape(data.input) + '</strong>…</div>';
        },
        no_results: function () { return '<div class="no-results">' + escape_(select.getAttribute("data-empty-label") || "No matches") + '</div>'; }
      }
    });
    if (select.classList.contains("is-invalid")) { ts.wrapper.classList.add("is-invalid"); }
    return ts;
  }

  function escape_(text) {
    var div = document.createElement("div"); div.textContent = text; return div.innerHTML;
  }

  function initMulti(select) {
    var ts = new TomSelect(select, {plugins: ["remove_button"], maxItems: null, hidePlaceholder: true});
    if (select.classList.contains("is-invalid")) { ts.wrapper.classList.add("is-invalid"); }
    return ts;
  }

  // Rich text: Trix (served from /vendor/trix) replaces the text area, writing its HTML into a hidden
  // input of the same name; without JavaScript the text area stays. The server sanitises either way.
  if (typeof Trix !== "undefined") {
    // Emit the tags the server's allow-list keeps: paragraphs, h2 headings, <s> for strike-through.
    Trix.config.blockAttributes.default.tagName = "p";
    Trix.config.blockAttributes.heading1.tagName = "h2";
    Trix.config.textAttributes.strike.tagName = "s";
    // Files belong in file fields (checked and stored by the server), not inside the text.
    document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
  }

  function initRichText(area) {
    if (typeof Trix === "undefined" || area.disabled) { return; }
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = area.name;
    input.id = area.id + "-html";
    input.value = area.value;
    var editor = document.createElement("trix-editor");
    editor.setAttribute("input", input.id);
    editor.id = area.id;
    editor.className = "trix-content form-control app-rich-editor" + (area.classList.contains("is-invalid") ? " is-invalid" : "");
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      if (area.hasAttribute(name)) { editor.setAttribute(name, area.getAttribute(name)); }
    });
    var label = area.id && document.querySelector('label[for="' + area.id + '"]');
    if (label) { editor.setAttribute("aria-label", label.textContent.replace("*", "").trim()); }
    area.replaceWith(input, editor);
  }

  function initWidgets(root) {
    root.querySelectorAll('textarea[data-widget="rich-text"]').forEach(initRichText);
    if (typeof TomSelect === "undefined") { return; }
    root.querySelectorAll('select[data-widget="lookup"]:not(.tomselected)').forEach(function (el) {
      if (!el.disabled) { initLookup(el); }
    });
    root.querySelectorAll('select[data-widget="multiselect"]:not(.tomselected)').forEach(function (el) {
      if (!el.disabled) { initMulti(el); }
    });
  }

  htmx.onLoad(function (content) {
    initWidgets(content);
    // A freshly swapped inline editor takes the focus; Escape cancels it.
    if (content.classList && content.classList.contains("app-field-editing")) {
      var input = content.querySelector(".is-invalid, input:not([type=hidden]), select, textarea");
      var ts = input && input.tomselect;
      if (ts) { ts.focus(); } else if (input) { input.focus(); }
    }
    if (content.classList && content.classList.contains("app-field") && !content.classList.contains("app-field-editing")) {
      var edit = content.querySelector(".app-inline-edit");
      if (edit) { edit.focus(); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var editing = event.target.closest && event.target.closest(".app-field-editing");
    if (editing) { var cancel = editing.querySelector(".app-inline-cancel"); if (cancel) { cancel.click(); } }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors") || document.getElementById("form-conflict");
    if (summary) { summary.focus(); }
  });
})();
