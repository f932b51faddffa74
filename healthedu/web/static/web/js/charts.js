// The dashboard's charts (Chart.js, served from our static files). Data comes from the page
// (json_script "chart-data"): rates as fractions with their 95% intervals and the targets.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var BLUE = "#1769aa", GREEN = "#2f855a";

  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }
  function rates(series) { return series.map(function (p) { return pct(p.rate); }); }
  function flat(value, n) { var out = []; for (var i = 0; i < n; i++) out.push(pct(value)); return out; }

  // Draws each point's 95% interval as a whisker (the dataset carries its intervals).
  var whiskers = {
    id: "whiskers",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, y = chart.scales.y;
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.intervals || !chart.isDatasetVisible(i)) return;
        chart.getDatasetMeta(i).data.forEach(function (el, j) {
          var iv = ds.intervals[j];
          if (!iv || iv.low === null) return;
          var top = y.getPixelForValue(pct(iv.high)), bottom = y.getPixelForValue(pct(iv.low));
          ctx.save();
          ctx.strokeStyle = ds.whiskerColor || "#333";
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(el.x, top); ctx.lineTo(el.x, bottom);
          ctx.moveTo(el.x - 4, top); ctx.lineTo(el.x + 4, top);
          ctx.moveTo(el.x - 4, bottom); ctx.lineTo(el.x + 4, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };

  function targetLine(label, value, n, colour) {
    return { type: "line", label: label, data: flat(value, n), borderColor: colour, borderDash: [6, 4],
             borderWidth: 1.5, pointRadius: 0, fill: false, spanGaps: true };
  }

  function options() {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 14 } },
        tooltip: { callbacks: { label: function (c) {
          var iv = c.dataset.intervals && c.dataset.intervals[c.dataIndex];
          var s = c.dataset.label + ": " + (c.parsed.y === null ? "—" : c.parsed.y + "%");
          if (iv && iv.low !== null) s += " (" + text.interval + " " + pct(iv.low) + "–" + pct(iv.high) + "%, n=" + iv.n + ")";
          return s;
        } } }
      }
    };
  }

  function draw(id, type, block) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var n = block.labels.length;
    new Chart(canvas, {
      type: type,
      data: {
        labels: block.labels,
        datasets: [
          { label: text.knowledge, data: rates(block.knowledge), intervals: block.knowledge, backgroundColor: type === "bar" ? "rgba(23,105,170,.55)" : BLUE, borderColor: BLUE, whiskerColor: "#0b3c61", spanGaps: true },
          { label: text.behavior, data: rates(block.behavior), intervals: block.behavior, backgroundColor: type === "bar" ? "rgba(47,133,90,.55)" : GREEN, borderColor: GREEN, whiskerColor: "#1c5136", spanGaps: true },
          targetLine(text.knowledgeTarget, data.target.knowledge, n, BLUE),
          targetLine(text.behaviorTarget, data.target.behavior, n, GREEN)
        ]
      },
      options: options(),
      plugins: [whiskers]
    });
    canvas.dataset.drawn = "true";
  }

  draw("chart-months", "line", data.months);
  draw("chart-groups", "bar", data.groups);
})();
