// Registrar's own behaviour. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // A <form data-autosubmit> submits itself when one of its selects or checkboxes changes.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && (event.target.tagName === "SELECT" || event.target.type === "checkbox")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // A picker result (<button data-pick-value data-pick-target>) fills the field it serves,
  // then closes the dialog it sits in.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-value]");
    if (!button) return;
    var target = document.getElementById(button.dataset.pickTarget);
    if (target) {
      target.value = button.dataset.pickValue;
      target.dispatchEvent(new Event("change", { bubbles: true }));
      target.focus();
    }
    var modalElement = button.closest(".modal");
    if (modalElement && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(modalElement).hide();
    }
  });

  // Text typed into a course picker while its dialog was still loading (before htmx listened
  // to the box) is searched as soon as the picker is ready, rather than silently ignored.
  document.addEventListener("htmx:load", function (event) {
    // Only the picker's own arrival: its results load inside it too, and must not search again.
    var body = event.target;
    if (!body.matches || !body.matches(".course-picker-body") || !window.htmx) return;
    var box = body.querySelector("input[name='q']");
    if (box && box.value.trim()) {
      window.htmx.trigger(box, "search");
    }
  });

  // « Redéfinir » (<button data-reset-target data-reset-value>) puts a field back to its default.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reset-target]");
    if (!button) return;
    var field = document.getElementById(button.dataset.resetTarget);
    if (field) {
      field.value = button.dataset.resetValue;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();

// Registrar: small behaviours of the batch screens.
(function () {
  "use strict";

  // A header checkbox <input data-check-all="NAME"> checks or clears every enabled
  // checkbox named NAME on the page.
  document.addEventListener("change", function (event) {
    var master = event.target.closest("[data-check-all]");
    if (!master) return;
    var boxes = document.querySelectorAll(
      'input[type="checkbox"][name="' + master.dataset.checkAll + '"]:not(:disabled)'
    );
    boxes.forEach(function (box) { box.checked = master.checked; });
  });

  // A button marked data-once is disabled once its form is sent: a double click sends one
  // request (the server refuses a second execution anyway).
  document.addEventListener("submit", function (event) {
    var buttons = event.target.querySelectorAll("[data-once]");
    window.setTimeout(function () {
      buttons.forEach(function (button) { button.disabled = true; });
    }, 0);
  });
})();

// « Aucun élève sélectionné » / « N élèves sélectionnés »: an element
// <p id="selected-count" data-count-name="student" data-all-filtered="ID"
//    data-filtered-count="N" data-none data-one data-many="{n} …"> counts the checked boxes
// named data-count-name and the hidden inputs of that name (ticked on other pages), or all
// the filtered rows when the checkbox #ID is checked.
(function () {
  "use strict";

  function refresh() {
    var counter = document.getElementById("selected-count");
    if (!counter) return;
    var all = counter.dataset.allFiltered && document.getElementById(counter.dataset.allFiltered);
    var count = all && all.checked
      ? parseInt(counter.dataset.filteredCount || "0", 10)
      : document.querySelectorAll(
          'input[type="checkbox"][name="' + counter.dataset.countName + '"]:checked:not(:disabled)'
        ).length
        // Ticked on other pages: hidden inputs of the same name (certification/candidates_add.html).
        + document.querySelectorAll(
          'input[type="hidden"][name="' + counter.dataset.countName + '"]'
        ).length;
    counter.textContent = count === 0 ? counter.dataset.none
      : count === 1 ? counter.dataset.one
      : counter.dataset.many.replace("{n}", count);
  }

  document.addEventListener("change", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();

// <div data-show-if="NAME=VALUE"> shows only while its form's field NAME has VALUE: the
// birth-place fields of the chosen country, the prepayment code of « Prépayée ». Without
// script every field stays visible, and the server decides what applies.
(function () {
  "use strict";

  function refresh() {
    document.querySelectorAll("[data-show-if]").forEach(function (element) {
      var form = element.closest("form");
      var rule = element.dataset.showIf.split("=");
      var field = form && form.elements[rule[0]];
      if (!field) return;
      element.hidden = field.value !== rule[1];
    });
  }

  document.addEventListener("change", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
