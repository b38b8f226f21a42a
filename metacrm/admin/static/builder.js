/* The builder's small helpers: names suggested from labels, and picklist choices (drag, add, remove). */
(function () {
  "use strict";

  function suggestName(label) {  // the same rule as metacrm.metadata.names.suggest_name
    var name = label.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").replace(/_+/g, "_");
    if (name && !/^[a-z]/.test(name)) name = "x_" + name;
    return name.slice(0, 40).replace(/_+$/, "");
  }

  document.querySelectorAll("[data-suggests]").forEach(function (input) {
    var target = document.querySelector(input.getAttribute("data-suggests"));
    if (!target) return;
    var touched = target.value !== "" && target.value !== suggestName(input.value);
    target.addEventListener("input", function () { touched = target.value !== ""; });
    input.addEventListener("input", function () { if (!touched) target.value = suggestName(input.value); });
  });

  var list = document.getElementById("options");
  if (!list) return;
  var prefix = list.getAttribute("data-prefix");

  function renumber() {  // WTForms reads FieldList rows by their index: keep it in display order
    list.querySelectorAll(".option-row").forEach(function (row, i) {
      row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(new RegExp("^" + prefix + "-\\d+-"), prefix + "-" + i + "-"));
        });
      });
    });
  }

  if (window.Sortable) Sortable.create(list, {handle: ".drag-handle", animation: 150, onEnd: renumber});
  list.addEventListener("click", function (event) {
    var button = event.target.closest(".remove-option");
    if (!button || list.querySelectorAll(".option-row").length < 2) return;
    button.closest(".option-row").remove();
    renumber();
  });
  document.getElementById("add-option").addEventListener("click", function () {
    var rows = list.querySelectorAll(".option-row");
    var copy = rows[rows.length - 1].cloneNode(true);
    copy.querySelectorAll("input[type=text], input:not([type])").forEach(function (el) { el.value = ""; });
    copy.querySelector("input[type=color]").value = "#6c757d";
    copy.querySelector("input[type=checkbox]").checked = true;
    list.appendChild(copy);
    renumber();
    copy.querySelector("input").focus();
  });
})();
