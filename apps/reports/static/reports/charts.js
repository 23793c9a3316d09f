/* Report charts: a <canvas data-chart="ID"> draws the JSON in <script id="ID"> with Chart.js
   ({labels, datasets: [{label, data}], currency}): stacked bars of money by period. */
(function () {
  "use strict";

  var COLOURS = ["#1a5fb4", "#8fb3e3", "#1f7a3a", "#9a6700", "#c01c28"];

  function money(currency, value) {
    var number = Number(value);
    return currency + number.toLocaleString(undefined, { minimumFractionDigits: 0, maximumFractionDigits: 2 });
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var currency = spec.currency || "";
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart-type") || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data.map(Number),
            backgroundColor: COLOURS[index % COLOURS.length],
            borderColor: COLOURS[index % COLOURS.length],
            stack: "money"
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, ticks: { callback: function (value) { return money(currency, value); } } }
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (context) { return context.dataset.label + ": " + money(currency, context.parsed.y); }
            }
          }
        }
      }
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
