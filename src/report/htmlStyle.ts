// The HTML report's style sheet, inlined into every file: system fonts only (nothing to load), printable.
export const REPORT_CSS = `
:root{--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--funnel:#2f6fb5;--skip:#d69a1d;--fail:#c2413b;--flow:#3f8f6b;--track:#f2f4f7}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#fafbfc}
header{padding:1.25rem 2rem 1rem;background:#fff;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:0 0 .25rem}
.meta{margin:0;color:var(--muted)}
.state{margin:.5rem 0 0}
.badge{display:inline-block;padding:.05rem .6rem;border-radius:1rem;font-weight:600;margin-right:.5rem;color:#fff;background:var(--muted)}
.badge.running{background:var(--funnel)}.badge.finished{background:var(--flow)}.badge.stopped{background:var(--fail)}
main{padding:1rem 2rem 2rem}
.action{background:#fff;border:1px solid var(--line);border-left:4px solid var(--funnel);border-radius:6px;padding:.6rem 1rem .7rem;margin:.75rem 0}
.action.flow{border-left-color:var(--flow)}.action.quiet{border-left-color:var(--line);padding:.4rem 1rem}
.action.split{border-left-color:#7a5bc7}
h2{font-size:1.05rem;margin:0}
h2 .type{font-weight:600;color:var(--muted);margin-right:.2rem}
h2 .label{font-weight:400}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--track);padding:0 .25rem;border-radius:3px}
.where,.none,.hint{margin:.1rem 0 .4rem;color:var(--muted);font-size:.9rem}
.charts{display:flex;flex-wrap:wrap;gap:.5rem 2rem}
/* an e-mail: the funnel above the skips on the left, the failures beside both (flex's wrapping on narrow screens) */
@media (min-width:64rem){.charts.email{display:grid;grid-template-columns:max-content max-content;column-gap:2.5rem;align-items:start}
.charts.email .failures{grid-column:2;grid-row:1 / span 2}}
figure{margin:0}
figcaption{font-weight:600;margin:.2rem 0}
figcaption small{font-weight:400;color:var(--muted)}
.chart text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:var(--ink)}
.chart .n{font-weight:600}.chart .rate{fill:var(--muted)}
.chart .track{fill:var(--track)}
.bar.funnel{fill:var(--funnel)}.bar.skip{fill:var(--skip)}.bar.fail{fill:var(--fail)}.bar.flow{fill:var(--flow)}
.foot{margin:.4rem 0 0;color:var(--muted)}.foot b{color:var(--ink)}
.significance{margin:.4rem 0 0;font-weight:600}.significance.winner{color:var(--flow)}
table{border-collapse:collapse;font-size:12.5px;background:#fff}
th,td{border:1px solid var(--line);padding:.2rem .45rem;text-align:right;white-space:nowrap}
thead th{background:var(--track)}
tbody th{text-align:left}
tr.total{font-weight:700}
td small{color:var(--muted)}
.scroll{overflow-x:auto;margin:.5rem 0 1rem}
.figures{margin-top:2rem}
.earlier{margin-top:1.5rem}
footer{padding:0 2rem 2rem;color:var(--muted);font-size:.85rem;max-width:70rem}
@media print{body{background:#fff}.action{break-inside:avoid}}
`.trim();
