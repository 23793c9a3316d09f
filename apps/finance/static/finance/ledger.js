/* Line editors of the finance documents (manual journal entries, income and expense
   documents): form[data-line-editor] with a tbody[data-line-rows] of tr[data-line].
   - "Add line" ([data-add-line]) adds a blank row here (without JavaScript it asks the server
     for more rows); ✕ ([data-remove-line]) removes one (a blank row is ignored when saving).
   - Enter in a line input moves to the next one; from the last, adds a line.
   - Totals follow what is typed: [data-sum=name] inputs add up into [data-total=name]; with
     debit and credit, the difference is shown until they balance. The server recomputes and
     checks everything when saving. */
(function () {
  "use strict";

  function number(text) {
    var clean = String(text || "").replace(/[,¥\s]/g, "");
    if (clean === "" || isNaN(Number(clean))) return null;
    return Number(clean);
  }

  function formatMoney(cents) {
    var symbol = document.documentElement.getAttribute("data-currency") || "¥";
    var sign = cents < 0 ? "-" : "";
    var value = Math.abs(cents) / 100;
    return sign + symbol + value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function recompute(form) {
    var sums = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-sum]"), function (input) {
      var name = input.getAttribute("data-sum");
      var value = number(input.value);
      sums[name] = (sums[name] || 0) + (value === null ? 0 : Math.round(value * 100));
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-total]"), function (cell) {
      cell.textContent = formatMoney(sums[cell.getAttribute("data-total")] || 0);
    });
    var balance = form.querySelector("[data-balance]");
    if (balance) {
      var difference = (sums.debit || 0) - (sums.credit || 0);
      var span = document.createElement("span");
      if (difference === 0) {
        span.className = "balanced";
        span.textContent = balance.getAttribute("data-balanced-text");
      } else {
        span.className = "unbalanced";
        span.textContent = balance.getAttribute("data-difference-text") + " " + formatMoney(difference);
      }
      balance.replaceChildren(span);
    }
  }

  function renumber(form) {
    Array.prototype.forEach.call(form.querySelectorAll("tr[data-line] [data-line-no]"), function (cell, index) {
      cell.textContent = String(index + 1);
    });
  }

  function addLine(form) {
    var rows = form.querySelector("[data-line-rows]");
    var last = rows && rows.querySelector("tr[data-line]:last-child");
    if (!last) return null;
    var row = last.cloneNode(true);
    row.classList.remove("has-error");
    Array.prototype.forEach.call(row.querySelectorAll("input, select"), function (input) {
      if (input.tagName === "SELECT") input.selectedIndex = 0;
      else input.value = "";
    });
    rows.appendChild(row);
    renumber(form);
    return row;
  }

  document.addEventListener("click", function (event) {
    var form = event.target.closest && event.target.closest("form[data-line-editor]");
    if (!form) return;
    if (event.target.closest("[data-add-line]")) {
      event.preventDefault();
      var row = addLine(form);
      if (row) row.querySelector("[data-line-input]").focus();
    } else if (event.target.closest("[data-remove-line]")) {
      event.preventDefault();
      var line = event.target.closest("tr[data-line]");
      if (form.querySelectorAll("tr[data-line]").length > 1) line.remove();
      else Array.prototype.forEach.call(line.querySelectorAll("input, select"), function (input) { input.value = ""; });
      renumber(form);
      recompute(form);
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-line-editor]");
    if (form && event.target.matches("[data-sum]")) recompute(form);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.matches || !target.matches("[data-line-input]")) return;
    var form = target.closest("form[data-line-editor]");
    if (!form) return;
    event.preventDefault();
    var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-line-input]"));
    var next = inputs[inputs.indexOf(target) + 1];
    if (!next) {
      var row = addLine(form);
      next = row && row.querySelector("[data-line-input]");
    }
    if (next) {
      next.focus();
      if (next.select) next.select();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-line-editor]"), recompute);
  });
})();
