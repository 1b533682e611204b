// Trainer pages: the cohort charts, a trainee's scores per category, and clickable table rows.
"use strict";

(() => {
  const dataNode = document.getElementById("chart-data");
  const data = dataNode ? JSON.parse(dataNode.textContent) : {};
  const styles = getComputedStyle(document.documentElement);
  const bandColour = (band) =>
    styles.getPropertyValue(`--band-${band.replace("_", "-")}`).trim() || "#595f66";
  // Ten categories, ten colours that keep AA contrast on white as lines and points.
  const PALETTE = ["#0a58ca", "#b3261e", "#17683a", "#5b3ea6", "#8a4b00",
                   "#00687a", "#a0146e", "#4d5b00", "#6b4a2b", "#3d4a5c"];
  const POINTS = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded",
                  "cross", "line", "dash"];
  const common = { animation: false, maintainAspectRatio: false };
  const DAY_MS = 864e5;
  const DAY = { day: "numeric", month: "short" };
  const DAY_YEAR = { ...DAY, year: "numeric" };
  const MONTH = { month: "short" };
  const MONTH_YEAR = { ...MONTH, year: "numeric" };
  // A date-only ISO string ("2026-11-16") names a local calendar day, not UTC midnight.
  const toDate = (value) =>
    new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00` : value);
  const formatDate = (value, format) => toDate(value).toLocaleDateString(undefined, format);
  const crossesYear = (first, last) => toDate(first).getFullYear() !== toDate(last).getFullYear();

  // The band a score falls in, from the server's band floors (highest first, as the pills use).
  function bandOf(score, floors) {
    const rounded = Math.round(score);
    const found = floors.find((floor) => rounded >= floor.from);
    return found ? found.band : "needs_work";
  }

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (canvas && window.Chart) {
      new window.Chart(canvas, config);
    }
  }

  function cohortCharts(charts) {
    const bins = charts.distribution;
    chart("chart-distribution", {
      type: "bar",
      data: {
        labels: bins.map((b) => `${b.from}–${b.to}`),
        datasets: [{ label: "Attempts", data: bins.map((b) => b.count),
                     backgroundColor: bins.map((b) => bandColour(b.band)) }],
      },
      options: { ...common, plugins: { legend: { display: false }, tooltip: { callbacks: {
        label: (item) => `${item.parsed.y} attempts – ${data.bands[bins[item.dataIndex].band]}`,
      } } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const weeks = charts.over_time.map((w) => w.week);
    const weekFormat = weeks.length && crossesYear(weeks[0], weeks[weeks.length - 1]) ? DAY_YEAR : DAY;
    chart("chart-over-time", {
      type: "line",
      data: {
        labels: weeks.map((week) => `w/c ${formatDate(week, weekFormat)}`),
        datasets: [{ label: "Average score", data: charts.over_time.map((w) => w.average),
                     borderColor: "#0a58ca", backgroundColor: "#0a58ca", tension: 0 }],
      },
      options: { ...common, plugins: { legend: { display: false } },
                 scales: { y: { min: 0, max: 100 } } },
    });
    const categories = charts.by_category;
    const categoryBands = categories.map((c) => bandOf(c.average, charts.bands));
    chart("chart-by-category", {
      type: "bar",
      data: {
        labels: categories.map((c) => c.label),
        datasets: [{ label: "Average score", data: categories.map((c) => c.average),
                     backgroundColor: categoryBands.map(bandColour) }],
      },
      options: { ...common, indexAxis: "y", plugins: { legend: { display: false }, tooltip: { callbacks: {
        label: (item) => {
          const c = categories[item.dataIndex];
          const attempts = `${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`;
          return `Average ${Math.round(c.average)} – ${data.bands[categoryBands[item.dataIndex]]} (${attempts})`;
        },
      } } }, scales: { x: { min: 0, max: 100 } } },
    });
  }

  // The x range: the attempts' span plus a margin, and at least a week around one attempt.
  function timeRange(times) {
    const first = Math.min(...times);
    const last = Math.max(...times);
    const pad = Math.max((7 * DAY_MS - (last - first)) / 2, (last - first) * 0.05);
    return { min: first - pad, max: last + pad };
  }

  // Ticks on local midnights: every 1, 2, 7 or 14 days, or on the first of every few months.
  function dateTicks(min, max) {
    const days = (max - min) / DAY_MS;
    const dayStep = [1, 2, 7, 14].find((step) => days / step <= 8);
    const ticks = [];
    if (dayStep) {
      const at = new Date(min);
      at.setHours(0, 0, 0, 0);
      if (at.getTime() < min) {
        at.setDate(at.getDate() + 1);
      }
      for (; at.getTime() <= max; at.setDate(at.getDate() + dayStep)) {
        ticks.push({ value: at.getTime() });
      }
      return { ticks, format: crossesYear(min, max) ? DAY_YEAR : DAY };
    }
    const monthStep = [1, 2, 3, 6, 12, 24, 60].find((step) => days / 30.4 / step <= 8) || 120;
    const start = new Date(min);
    const startMonth = start.getFullYear() * 12 + start.getMonth() + (start.getDate() > 1 ? 1 : 0);
    for (let month = Math.ceil(startMonth / monthStep) * monthStep; ; month += monthStep) {
      const at = new Date(Math.floor(month / 12), month % 12, 1).getTime();
      if (at > max) {
        break;
      }
      ticks.push({ value: at });
    }
    return { ticks, format: crossesYear(min, max) ? MONTH_YEAR : MONTH };
  }

  function seriesChart(series, labels) {
    const datasets = Object.entries(series).map(([category, points], index) => ({
      label: labels[category] || category,
      data: points.map((p) => ({ x: Date.parse(p.at), y: p.score, scenario: p.scenario })),
      borderColor: PALETTE[index % PALETTE.length],
      backgroundColor: PALETTE[index % PALETTE.length],
      pointStyle: POINTS[index % POINTS.length],
      pointRadius: 5,
      showLine: true,
      tension: 0, // straight segments: a curve overshoots the real scores
    }));
    const range = timeRange(datasets.flatMap((d) => d.data.map((point) => point.x)));
    const axis = dateTicks(range.min, range.max);
    chart("chart-series", {
      type: "scatter",
      data: { datasets },
      options: { ...common, scales: {
        y: { min: 0, max: 100, title: { display: true, text: "Score" } },
        x: { ...range, afterBuildTicks: (scale) => { scale.ticks = axis.ticks; },
             ticks: { autoSkipPadding: 12, callback: (value) => formatDate(value, axis.format) } },
      }, plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxHeight: 8 } },
        tooltip: { callbacks: {
          label: (item) =>
            `${item.dataset.label}: ${item.parsed.y} (${item.raw.scenario}, ${formatDate(item.parsed.x, DAY_YEAR)})`,
        } },
      } },
    });
  }

  if (data.charts) {
    cohortCharts(data.charts);
  }
  if (data.series) {
    seriesChart(data.series, data.labels || {});
  }

  // A click anywhere on a trainee's row opens their page (the name stays a real link).
  document.querySelectorAll("#cohort-table tbody tr[data-href]").forEach((row) => {
    row.classList.add("clickable-row");
    row.addEventListener("click", (event) => {
      if (!event.target.closest("a, button")) {
        window.location.assign(row.dataset.href);
      }
    });
  });
})();
