// Kengetallen: draws each <canvas data-grafiek="id"> with Chart.js from the data-waarden JSON of the element with that id
// (the CSP allows no inline script). Readable without colour: every series has its own fill
// pattern (bars) or dash and point shape (lines), the values are written on the chart, and the
// same numbers are in the table beneath it.
"use strict";

(function () {
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  const KLEUREN = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  const STREPEN = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  const PUNTEN = ["circle", "rect", "triangle", "rectRot", "star", "crossRot"];
  const getal = new Intl.NumberFormat("nl-NL", {maximumFractionDigits: 1});

  function tekst(waarde, eenheid) {
    if (waarde === null || waarde === undefined) return "";
    if (eenheid === "€") return "€ " + new Intl.NumberFormat("nl-NL", {maximumFractionDigits: 0}).format(waarde);
    return getal.format(waarde);
  }

  // A fill pattern per series: solid, diagonal lines, dots, cross-hatch, ...
  function patroon(index, kleur) {
    const tegel = document.createElement("canvas");
    tegel.width = tegel.height = 10;
    const c = tegel.getContext("2d");
    c.fillStyle = kleur;
    c.fillRect(0, 0, 10, 10);
    c.strokeStyle = c.fillStyle = "rgba(255, 255, 255, 0.85)";
    c.lineWidth = 2;
    const soort = index % 4;
    if (soort === 1) { c.beginPath(); c.moveTo(0, 10); c.lineTo(10, 0); c.stroke(); }
    if (soort === 2) { c.beginPath(); c.arc(5, 5, 2, 0, 2 * Math.PI); c.fill(); }
    if (soort === 3) { c.beginPath(); c.moveTo(0, 5); c.lineTo(10, 5); c.moveTo(5, 0); c.lineTo(5, 10); c.stroke(); }
    return c.createPattern(tegel, "repeat");
  }

  // Writes each value on its bar or point, while there are few enough to read.
  const waarden = {
    id: "kansrijkWaarden",
    afterDatasetsDraw(chart, _args, opties) {
      const c = chart.ctx;
      const aantal = chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
      if (aantal > 80) return;
      c.save();
      c.font = "12px system-ui, sans-serif";
      c.fillStyle = "#1a1a1a";
      c.textAlign = "center";
      c.textBaseline = "middle";
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach((element, j) => {
          const waarde = dataset.data[j];
          if (!waarde) return;
          let {x, y} = element.tooltipPosition();
          if (meta.type === "bar" && opties.gestapeld) {
            if (opties.horizontaal) x = (element.x + element.base) / 2; else y = (element.y + element.base) / 2;
          } else if (meta.type === "bar" && opties.horizontaal) {
            x += 4; c.textAlign = "left";
          } else {
            y -= 10;
          }
          c.fillText(tekst(waarde, opties.eenheid), x, y);
          c.textAlign = "center";
        });
      });
      c.restore();
    },
  };

  function dataset(serie, i, soort) {
    const kleur = KLEUREN[i % KLEUREN.length];
    const lijn = soort === "line" || serie.lijn;
    const basis = {label: serie.naam, data: serie.waarden, borderColor: kleur};
    if (lijn) {
      return Object.assign(basis, {type: "line", backgroundColor: kleur, borderDash: STREPEN[i % STREPEN.length],
        pointStyle: PUNTEN[i % PUNTEN.length], pointRadius: 5, borderWidth: 2, spanGaps: true, order: 0});
    }
    return Object.assign(basis, {type: "bar", backgroundColor: patroon(i, kleur), borderWidth: 1, order: 1});
  }

  function teken(canvas) {
    const bron = document.getElementById(canvas.dataset.grafiek);
    if (!bron || !window.Chart) return;
    const g = JSON.parse(bron.dataset.waarden);
    const horizontaal = g.soort === "bar-horizontaal";
    const hoogte = horizontaal ? Math.max(220, g.labels.length * (g.series.length > 1 && !g.gestapeld ? 34 : 24) + 90) : 320;
    canvas.parentElement.style.height = hoogte + "px";  // CSSOM, which the CSP allows
    const as = {stacked: g.gestapeld, beginAtZero: true, ticks: {callback: (v) => tekst(v, g.eenheid)}};
    const categorie = {stacked: g.gestapeld, ticks: {autoSkip: !horizontaal}};
    const grafiek = new window.Chart(canvas, {
      type: g.soort === "line" ? "line" : "bar",
      data: {labels: g.labels, datasets: g.series.map((s, i) => dataset(s, i, g.soort))},
      options: {
        indexAxis: horizontaal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: horizontaal ? {x: as, y: categorie} : {x: categorie, y: as},
        plugins: {
          legend: {labels: {usePointStyle: true}},
          tooltip: {callbacks: {label: (item) => `${item.dataset.label}: ${tekst(item.raw, g.eenheid)}${g.eenheid === "dagen" ? " dagen" : ""}`}},
          kansrijkWaarden: {gestapeld: g.gestapeld, horizontaal, eenheid: g.eenheid},
        },
      },
      plugins: [waarden],
    });
    canvas.dataset.getekend = "ja";
    return grafiek;
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("canvas[data-grafiek]").forEach(teken);
  });
})();
