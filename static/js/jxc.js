/* JXC page behaviour. Everything is delegated from the document, so it also works on content
   that htmx swaps in.
   - "/" focuses the page's search box ([data-jxc-search]).
   - Enter in a scan box ([data-scan]) never submits the form: it fires "jxc:scan" with the
     code and moves to the next field.
   - [data-confirm="question"] on a button, link or form asks once before going on.
   - [data-autosubmit] selects submit their form when changed (filter bars).
   - form[data-autofocus] focuses the first field with an error, else the first field.
   - Esc on a form page follows its [data-cancel] link (asking first if something was typed).
   - [data-print] prints the page.
   - A filter bar (form.filter-bar) leaves its empty filters out of the URL. */
(function () {
  "use strict";

  function isTyping(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.offsetParent !== null;
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;

    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(target)) {
      var search = document.querySelector("[data-jxc-search]");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
      return;
    }

    if (event.key === "Enter" && target && target.matches && target.matches("[data-scan]")) {
      event.preventDefault();
      var code = target.value.trim();
      if (code) {
        target.dispatchEvent(new CustomEvent("jxc:scan", { bubbles: true, detail: { code: code } }));
      }
      if (target.form && !target.hasAttribute("data-scan-stay")) {
        var fields = fieldsOf(target.form);
        var next = fields[fields.indexOf(target) + 1];
        if (next) next.focus();
      }
      return;
    }

    if (event.key === "Escape" && !event.defaultPrevented) {
      var form = document.querySelector("form[data-autofocus]");
      var cancel = form && form.querySelector("a[data-cancel]");
      if (!cancel) return;
      if (form.dataset.dirty && !window.confirm(cancel.getAttribute("data-confirm-leave") || "")) return;
      window.location.href = cancel.href;
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-autofocus")) form.dataset.dirty = "1";
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) target.form.requestSubmit();
      else target.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm], [data-print]") : null;
    if (!target) return;
    if (target.hasAttribute("data-print")) {
      event.preventDefault();
      window.print();
      return;
    }
    if (target.tagName !== "FORM" && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (form.hasAttribute("data-autofocus")) delete form.dataset.dirty;
    if (form.matches("form.filter-bar")) {
      // Leave empty filters out of the URL (?search=kqs, not ?search=kqs&category=&...).
      var emptied = Array.prototype.filter.call(form.elements, function (el) {
        return el.name && !el.disabled && el.value === "" && el.type !== "submit";
      });
      emptied.forEach(function (el) { el.disabled = true; });
      window.setTimeout(function () { emptied.forEach(function (el) { el.disabled = false; }); }, 0);
    }
  }, true);

  function autofocus(root) {
    var forms = (root || document).querySelectorAll("form[data-autofocus]");
    Array.prototype.forEach.call(forms, function (form) {
      var invalid = form.querySelector(".has-error input, .has-error select, .has-error textarea");
      var first = invalid || fieldsOf(form)[0];
      if (first) first.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { autofocus(document); });
  document.addEventListener("htmx:afterSettle", function (event) { autofocus(event.target); });
})();
