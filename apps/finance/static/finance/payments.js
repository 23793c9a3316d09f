/* The supplier payment editor: the "allocated / unallocated" figures follow what is typed in
   the amount and the allocation inputs (the server recomputes them on every refresh anyway),
   and Enter in an allocation input moves to the next one instead of submitting. */
(function () {
  "use strict";

  function number(text) {
    var clean = String(text || "").replace(/[,¥\s]/g, "");
    if (clean === "" || isNaN(Number(clean))) return null;
    return Number(clean);
  }

  function formatMoney(value) {
    var symbol = document.documentElement.getAttribute("data-currency") || "¥";
    var sign = value < 0 ? "-" : "";
    return sign + symbol + Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function recompute(form) {
    var section = form.querySelector("[data-allocations]");
    if (!section) return;
    var amount = number((form.querySelector("[data-payment-amount]") || {}).value);
    var cents = 0;
    Array.prototype.forEach.call(section.querySelectorAll("input[data-alloc]"), function (input) {
      var value = number(input.value);
      if (value !== null && value > 0) cents += Math.round(value * 100);
    });
    var set = function (name, text, negative) {
      var cell = section.querySelector("[data-figure='" + name + "']");
      if (!cell) return;
      cell.textContent = text;
      cell.classList.toggle("loss", !!negative);
    };
    set("amount", amount === null ? "—" : formatMoney(amount));
    set("allocated", formatMoney(cents / 100));
    if (amount === null) set("unallocated", "—");
    else set("unallocated", formatMoney((Math.round(amount * 100) - cents) / 100), Math.round(amount * 100) < cents);
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-payment-editor]");
    if (form && (event.target.matches("[data-alloc]") || event.target.matches("[data-payment-amount]"))) recompute(form);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.matches || !target.matches("input[data-alloc]")) return;
    event.preventDefault();
    var inputs = Array.prototype.slice.call(document.querySelectorAll("input[data-alloc]"));
    var next = inputs[inputs.indexOf(target) + 1];
    if (next) { next.focus(); next.select(); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var form = event.target.closest && event.target.closest("form[data-payment-editor]");
    if (form) recompute(form);
  });
})();
