import type { SuiteReport } from './report.js';

/** Bar colours per variant, in order (colour-blind-safe Okabe–Ito palette). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A grouped bar chart as standalone SVG: one group per task plus "overall", one bar per variant (mean
 * test_public accuracy), with ±std whiskers. No dependencies, so it renders anywhere (browser, GitHub).
 * @example renderChartSvg(report).startsWith('<svg'); // → true
 */
export function renderChartSvg(report: SuiteReport): string {
  const groups = [...report.tasks, 'overall'];
  const bar = 14;
  const gap = 18;
  const groupWidth = report.variants.length * bar + gap;
  const left = 44;
  const top = 20;
  const plotH = 220;
  const width = left + groups.length * groupWidth + 20;
  const height = top + plotH + 70;
  const y = (pct: number) => top + plotH - (Math.max(0, Math.min(100, pct)) / 100) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      'font-family="sans-serif" font-size="11">',
    `<title>FewCLUE test_public accuracy (%)</title>`,
  ];
  for (let t = 0; t <= 100; t += 20) {
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`,
    );
  }
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + gap / 2;
    report.variants.forEach((variant, v) => {
      const stat =
        group === 'overall'
          ? report.overall.find((o) => o.variant === variant)
          : report.cells.find((c) => c.task === group && c.variant === variant);
      if (!stat) return;
      const x = x0 + v * bar;
      const std = 'std' in stat ? stat.std : 0;
      const title = escapeXml(`${group} ${variant}: ${stat.mean.toFixed(2)}${std > 0 ? ` ± ${std.toFixed(2)}` : ''}`);
      parts.push(
        `<rect x="${x}" y="${y(stat.mean).toFixed(1)}" width="${bar - 2}" ` +
          `height="${(top + plotH - y(stat.mean)).toFixed(1)}" fill="${PALETTE[v % PALETTE.length]}">` +
          `<title>${title}</title></rect>`,
      );
      if (std > 0) {
        const cx = x + (bar - 2) / 2;
        parts.push(
          `<line x1="${cx}" x2="${cx}" y1="${y(stat.mean + std).toFixed(1)}" ` +
            `y2="${y(stat.mean - std).toFixed(1)}" stroke="#333"/>`,
        );
      }
    });
    parts.push(
      `<text x="${x0 + (report.variants.length * bar) / 2}" y="${top + plotH + 14}" text-anchor="middle"` +
        `${group === 'overall' ? ' font-weight="bold"' : ''}>${escapeXml(group)}</text>`,
    );
  });
  report.variants.forEach((variant, v) => {
    const x = left + v * 110;
    parts.push(
      `<rect x="${x}" y="${height - 24}" width="10" height="10" fill="${PALETTE[v % PALETTE.length]}"/>`,
      `<text x="${x + 14}" y="${height - 15}">${escapeXml(variant)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * A self-contained HTML page: the accuracy table (mean ± std over splits, overall row) and the inline
 * SVG chart.
 * @example renderHtml(report).includes('<svg'); // → true
 */
export function renderHtml(report: SuiteReport): string {
  const cell = (task: string, variant: string) => {
    const c = report.cells.find((x) => x.task === task && x.variant === variant);
    return c ? (c.n > 1 ? `${c.mean.toFixed(2)} ± ${c.std.toFixed(2)}` : c.mean.toFixed(2)) : '–';
  };
  const rows = report.tasks.map(
    (task) => `<tr><th>${escapeXml(task)}</th>${report.variants.map((v) => `<td>${cell(task, v)}</td>`).join('')}</tr>`,
  );
  const overall = `<tr class="overall"><th>overall</th>${report.variants
    .map((v) => {
      const o = report.overall.find((x) => x.variant === v);
      return `<td>${o ? `${o.mean.toFixed(2)}${o.complete ? '' : ` (${o.tasks}/${report.tasks.length})`}` : '–'}</td>`;
    })
    .join('')}</tr>`;
  const failedItems = report.failed.map((f) => `<li><code>${escapeXml(f.id)}</code>: ${escapeXml(f.reason)}</li>`);
  const failed = report.failed.length > 0 ? `<h2>Failed jobs</h2><ul>${failedItems.join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FewCLUE suite report</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{text-align:left}tr.overall{font-weight:bold}</style>
</head><body>
<h1>FewCLUE suite report</h1>
<p>Model <code>${escapeXml(report.model)}</code>, splits ${escapeXml(report.splits.join(', '))}: \
test_public accuracy (%), mean ± std over splits; overall = mean over tasks.</p>
<table><thead><tr><th>task</th>${report.variants.map((v) => `<th>${escapeXml(v)}</th>`).join('')}</tr></thead>
<tbody>
${[...rows, overall].join('\n')}
</tbody></table>
${renderChartSvg(report)}${failed}
</body></html>
`;
}
