// The dashboard's fair comparison of communities (Chart.js, served from our static files): the
// funnel plots, the ranked bars with their intervals, and one small trend chart per community.
// Every figure, the funnel's limit curves included, comes from the server (json_script
// "fair-data"); this file only draws them.
(function () {
  "use strict";
  var source = document.getElementById("fair-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var BLUE = "#1769aa", GREEN = "#2f855a", GREY = "#52606d", RED = "#c53030", AMBER = "#b7791f";
  var KIND_COLOUR = { knowledge: BLUE, behavior: GREEN };

  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }

  // Each bar's or point's 95% interval as a whisker, along the value axis (x for horizontal bars).
  var whiskers = {
    id: "fairWhiskers",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, horizontal = chart.options.indexAxis === "y";
      var scale = horizontal ? chart.scales.x : chart.scales.y;
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.intervals || !chart.isDatasetVisible(i)) return;
        chart.getDatasetMeta(i).data.forEach(function (el, j) {
          var iv = ds.intervals[j];
          if (!iv || iv.low === null || iv.low === undefined) return;
          var a = scale.getPixelForValue(pct(iv.low)), b = scale.getPixelForValue(pct(iv.high));
          ctx.save();
          ctx.strokeStyle = ds.whiskerColor || "#333";
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          if (horizontal) {
            ctx.moveTo(a, el.y); ctx.lineTo(b, el.y);
            ctx.moveTo(a, el.y - 4); ctx.lineTo(a, el.y + 4);
            ctx.moveTo(b, el.y - 4); ctx.lineTo(b, el.y + 4);
          } else {
            ctx.moveTo(el.x, a); ctx.lineTo(el.x, b);
            ctx.moveTo(el.x - 3, a); ctx.lineTo(el.x + 3, a);
            ctx.moveTo(el.x - 3, b); ctx.lineTo(el.x + 3, b);
          }
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };

  // The reach's overall rate as a vertical line across the ranked bars.
  var reference = {
    id: "fairReference",
    afterDatasetsDraw: function (chart) {
      var value = chart.options.plugins.fairReference && chart.options.plugins.fairReference.value;
      if (value === null || value === undefined) return;
      var x = chart.scales.x.getPixelForValue(pct(value)), area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = GREY; ctx.setLineDash([5, 4]); ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(x, area.top); ctx.lineTo(x, area.bottom); ctx.stroke();
      ctx.restore();
    }
  };

  // The communities' names beside their points in the funnel plot (few enough to read).
  var names = {
    id: "fairNames",
    afterDatasetsDraw: function (chart) {
      var ds = chart.data.datasets[0];
      if (!ds || !ds.names || ds.names.length > 15) return;
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "12px sans-serif"; ctx.fillStyle = "#1f2933"; ctx.textBaseline = "middle";
      chart.getDatasetMeta(0).data.forEach(function (el, j) {
        var right = el.x + 80 > chart.chartArea.right;
        ctx.textAlign = right ? "right" : "left";
        ctx.fillText(ds.names[j], el.x + (right ? -8 : 8), el.y);
      });
      ctx.restore();
    }
  };

  function curve(curves, level, side) {
    return curves.map(function (c) { return { x: c.n, y: pct(c[level][side]) }; });
  }

  function limitLine(label, points, dash, colour, legend) {
    return { type: "line", label: label, data: points, borderColor: colour, borderDash: dash,
             borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0, fill: false, tension: 0,
             legend: legend };
  }

  function funnel(kind, block) {
    var canvas = document.getElementById("funnel-" + kind);
    if (!canvas || !block.points.length) return;
    var last = block.curves.length ? block.curves[block.curves.length - 1].n : 1;
    var colours = block.points.map(function (p) {
      return p.signal === "above" ? GREEN : (p.signal === "below" ? RED : KIND_COLOUR[kind]);
    });
    new Chart(canvas, {
      type: "scatter",
      data: { datasets: [
        { label: text.communities, data: block.points.map(function (p) { return { x: p.n, y: pct(p.rate) }; }),
          names: block.points.map(function (p) { return p.name; }), points: block.points,
          pointBackgroundColor: colours, pointBorderColor: colours, pointRadius: 5, pointHoverRadius: 7,
          backgroundColor: KIND_COLOUR[kind], legend: true },
        limitLine(text.expected, [{ x: 0, y: pct(block.expected) }, { x: last, y: pct(block.expected) }], [], GREY, true),
        limitLine(text.limit95, curve(block.curves, "95", 1), [6, 4], AMBER, true),
        limitLine(text.limit95, curve(block.curves, "95", 0), [6, 4], AMBER, false),
        limitLine(text.limit998, curve(block.curves, "99.8", 1), [], RED, true),
        limitLine(text.limit998, curve(block.curves, "99.8", 0), [], RED, false)
      ] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          x: { type: "linear", min: 0, max: last, title: { display: true, text: text.respondents } },
          y: { min: 0, max: 100, title: { display: true, text: text.rate },
               ticks: { callback: function (v) { return v + "%"; } } }
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14,
            // The communities' entry in the rate's colour, not in its first point's signal colour.
            generateLabels: function (chart) {
              var items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
              items.forEach(function (item) {
                if (item.datasetIndex === 0) { item.fillStyle = KIND_COLOUR[kind]; item.strokeStyle = KIND_COLOUR[kind]; }
              });
              return items;
            },
            filter: function (item, chartData) {
              return chartData.datasets[item.datasetIndex].legend !== false;
            } } },
          tooltip: { filter: function (item) { return item.datasetIndex === 0; }, callbacks: {
            label: function (c) {
              var p = c.dataset.points[c.dataIndex];
              return p.name + ": " + pct(p.rate) + "% (n=" + p.n + ")";
            }
          } }
        }
      },
      plugins: [names]
    });
    canvas.dataset.drawn = "true";
  }

  function ranked(kind, block) {
    var canvas = document.getElementById("rank-" + kind);
    if (!canvas || !block.ranked.length) return;
    // Room for each community's two bars, so that a street of 30 stays readable.
    canvas.parentNode.style.height = Math.max(200, 60 + block.ranked.length * 34) + "px";
    var colour = KIND_COLOUR[kind];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: block.ranked.map(function (p) { return p.name; }),
        datasets: [
          { label: text.standardised, data: block.ranked.map(function (p) { return pct(p.std); }),
            intervals: block.ranked.map(function (p) { return { low: p.stdLow, high: p.stdHigh, n: p.n }; }),
            backgroundColor: colour, whiskerColor: "#102a43" },
          { label: text.crude, data: block.ranked.map(function (p) { return pct(p.rate); }),
            intervals: block.ranked.map(function (p) { return { low: p.low, high: p.high, n: p.n }; }),
            backgroundColor: "rgba(82,96,109,.35)", whiskerColor: GREY }
        ]
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
        plugins: {
          fairReference: { value: block.expected },
          legend: { position: "bottom", labels: { boxWidth: 14 } },
          tooltip: { callbacks: { label: function (c) {
            var iv = c.dataset.intervals[c.dataIndex];
            var s = c.dataset.label + ": " + (c.parsed.x === null ? "—" : c.parsed.x + "%");
            if (iv.low !== null && iv.low !== undefined) s += " (" + text.interval + " " + pct(iv.low) + "–" + pct(iv.high) + "%, n=" + iv.n + ")";
            return s;
          } } }
        }
      },
      plugins: [whiskers, reference]
    });
    canvas.dataset.drawn = "true";
  }

  function trend(entry) {
    var canvas = document.getElementById("trend-chart-" + entry.id);
    if (!canvas) return;
    function line(kind) {
      return { label: text[kind], data: entry[kind].map(function (p) { return pct(p.rate); }),
               borderColor: KIND_COLOUR[kind], backgroundColor: KIND_COLOUR[kind], pointRadius: 2,
               borderWidth: 1.5, spanGaps: true, fill: false };
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.months.map(function (m) { return m.slice(5); }), datasets: [line("knowledge"), line("behavior")] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { min: 0, max: 100, ticks: { stepSize: 50, callback: function (v) { return v + "%"; } } },
                  x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } } },
        plugins: { legend: { display: false } }
      }
    });
    canvas.dataset.drawn = "true";
  }

  Object.keys(data.kinds).forEach(function (kind) {
    funnel(kind, data.kinds[kind]);
    ranked(kind, data.kinds[kind]);
  });
  data.trends.forEach(trend);
})();
