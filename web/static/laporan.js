// The report page's charts (Chart.js from its npm package, served by /aset/). The figures come from
// each canvas's data-chart attribute; the tables under the charts hold the same figures.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }  // no library: the tables remain

  function minutes(value) {
    if (value === null || value === undefined) { return "-"; }
    var days = Math.floor(value / 480), rest = value % 480, hours = Math.floor(rest / 60), mins = rest % 60;
    var parts = [];
    if (days) { parts.push(days + " hari"); }
    if (hours) { parts.push(hours + " jam"); }
    if (mins || !parts.length) { parts.push(mins + " menit"); }
    return parts.join(" ");
  }

  function figures(id) {
    var canvas = document.getElementById(id);
    return canvas ? [canvas, JSON.parse(canvas.getAttribute("data-chart"))] : [null, null];
  }

  var found = figures("grafik-langkah"), canvas = found[0], steps = found[1];
  if (canvas) {
    // One row of bars per step: the box grows with the SOP.
    canvas.parentNode.style.height = (steps.labels.length * 34 + 90) + "px";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: steps.labels,
        datasets: [
          {label: "Median", data: steps.median, backgroundColor: "#1f6f8b"},
          {label: "Persentil ke-90", data: steps.p90, backgroundColor: "#e59f3c"},
          {label: "Standar (mutu baku)", data: steps.standard, backgroundColor: "#9aa5b1"}
        ]
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: {x: {type: "logarithmic", title: {display: true, text: "menit kerja (skala logaritmik)"},
                     ticks: {maxRotation: 0, autoSkip: false, callback: function (value) {
                       return [1, 10, 100, 1000, 10000].indexOf(value) >= 0 ? value.toLocaleString("id-ID") : "";
                     }}}},
        plugins: {tooltip: {callbacks: {
          title: function (items) { return steps.names[items[0].dataIndex]; },
          label: function (item) { return item.dataset.label + ": " + minutes(item.raw); }
        }}}
      }
    });
  }

  found = figures("grafik-bulan");
  canvas = found[0];
  var months = found[1];
  if (canvas) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: months.labels,
        datasets: [
          {label: "Dimulai", data: months.started, backgroundColor: "#1f6f8b", yAxisID: "y"},
          {label: "Selesai", data: months.finished, backgroundColor: "#5aa469", yAxisID: "y"},
          {label: "Median waktu siklus", data: months.median_cycle, type: "line", borderColor: "#c0392b",
           backgroundColor: "#c0392b", yAxisID: "siklus", spanGaps: true}
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: "proses"}},
          siklus: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false},
                   title: {display: true, text: "menit kerja"}}
        },
        plugins: {tooltip: {callbacks: {label: function (item) {
          return item.dataset.label + ": " + (item.dataset.yAxisID === "siklus" ? minutes(item.raw) : item.raw);
        }}}}
      }
    });
  }
}());
