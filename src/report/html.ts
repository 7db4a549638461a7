import { isRecord } from '../frontmatter/field-path.js';
import { ENTRY_STATUSES, type ReportEntry, type ReportModel, type TaskSummary } from './model.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every piece of content (paths, titles, values, reasons, task names) is untrusted: it goes through here, in text and in attributes alike. */
const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
/** A class name from an enum value (`v-positive`); the value itself is untrusted. */
const valueClass = (value: string) => `v-${value.replace(/[^\w-]/g, '_')}`;
const length = (text: string) => [...text].length;

function limitsText(limits: ReportEntry['limits']): string {
  const { minLength: min, maxLength: max } = limits ?? {};
  return min !== undefined && max !== undefined ? `${min}–${max} characters` : max !== undefined ? `at most ${max} characters` : min !== undefined ? `at least ${min} characters` : 'no length limit';
}

/** A bar of the text's length against the task's maximum: red past it, amber under the minimum. */
function lengthBar(text: string, limits: ReportEntry['limits']): string {
  const n = length(text);
  const { minLength: min, maxLength: max } = limits ?? {};
  const over = max !== undefined && n > max;
  const under = min !== undefined && n < min;
  const label = `${n}${max !== undefined ? ` / ${max}` : ''} characters${over ? ` — ${n - max} over the limit` : under ? ` — under the ${min}-character minimum` : ''}`;
  const width = max ? Math.min(100, (n / max) * 100) : 100;
  return `<div class="len${over ? ' over' : under ? ' under' : ''}"><span class="track" aria-hidden="true"><span style="width:${width.toFixed(1)}%"></span></span><span class="count">${esc(label)}</span></div>`;
}

/** `enums`: properties shown as coloured tags (those the chart counts). */
function jsonValue(value: unknown, enums: ReadonlySet<string>): string {
  if (!isRecord(value)) return `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;
  const rows = Object.entries(value).map(([k, v]) => {
    const shown = v === null ? '<span class="none">—</span>' : typeof v === 'string' ? (enums.has(k) ? `<span class="tag ${valueClass(v)}">${esc(v)}</span>` : esc(v)) : `<code>${esc(JSON.stringify(v))}</code>`;
    return `<dt>${esc(k)}</dt><dd>${shown}</dd>`;
  });
  return `<dl class="kv">${rows.join('')}</dl>`;
}

function side(heading: string, value: unknown, entry: ReportEntry, enums: ReadonlySet<string>, unset = 'not set'): string {
  const body =
    value === undefined || value === null || value === ''
      ? `<p class="none">${unset}</p>`
      : entry.kind === 'json'
        ? jsonValue(value, enums)
        : `<p class="value">${esc(typeof value === 'string' ? value : JSON.stringify(value))}</p>${typeof value === 'string' ? lengthBar(value, entry.limits) : ''}`;
  return `<div class="side"><h4>${heading}</h4>${body}</div>`;
}

function entryHtml(entry: ReportEntry, id: string, enums: ReadonlySet<string>): string {
  const snippet = entry.snippet
    ? `<figure class="serp" aria-label="Search result preview"><div class="serp-title">${esc(entry.snippet.title)}</div><div class="serp-url">${esc(entry.snippet.url)}</div><p class="serp-desc">${esc(entry.snippet.description)}</p></figure>`
    : '';
  const notes = entry.notes.length ? `<div class="notes"><h4>Repaired before validation</h4><ul>${entry.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>` : '';
  const reason = entry.reason ? `<p class="reason"><strong>${entry.status === 'stale' ? 'Not applied' : 'Failed'}:</strong> ${esc(entry.reason)}</p>` : '';
  return `<article class="entry" id="${id}" data-task="${esc(entry.task)}" data-status="${entry.status}" aria-labelledby="${id}-h">
<header><h3 id="${id}-h"><code>${esc(entry.file)}</code></h3><span class="badge ${entry.status}">${entry.status}</span></header>
${snippet || (entry.title !== undefined ? `<p class="page-title">${esc(entry.title)}</p>` : '')}
<div class="compare">${side('Current', entry.current, entry, enums)}${side('Proposed', entry.proposed, entry, enums, entry.status === 'failed' ? 'no valid answer' : 'not set')}</div>${notes}${reason}
</article>`;
}

function charts(summary: TaskSummary, ids: Map<string, string>): string {
  if (!summary.chart) return '';
  const figures = Object.entries(summary.chart.counts).map(([property, counts]) => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const rows = Object.entries(counts).map(
      ([value, n]) =>
        `<tr><th scope="row">${esc(value)}</th><td class="bar-cell" aria-hidden="true"><span class="bar ${valueClass(value)}" style="width:${total ? ((n / total) * 100).toFixed(1) : 0}%"></span></td><td class="num">${n}</td></tr>`,
    );
    return `<figure class="chart" data-property="${esc(property)}"><figcaption>${esc(property)} <span>over ${plural(total, 'proposed answer')}</span></figcaption><table>${rows.join('')}</table></figure>`;
  });
  const urgent = summary.chart.urgent.length
    ? `<div class="urgent"><h3>High urgency</h3><ol>${summary.chart.urgent
        .map((u) => `<li><a href="#${ids.get(u.file) ?? ''}"><code>${esc(u.file)}</code></a>${u.issue ? ` <span>${esc(u.issue)}</span>` : ''}</li>`)
        .join('')}</ol></div>`
    : '';
  return `<div class="charts">${figures.join('')}${urgent}</div>`;
}

function button(filter: 'task' | 'status', value: string, label: string): string {
  return `<button type="button" data-filter="${filter}" data-value="${esc(value)}" aria-pressed="${value === ''}">${esc(label)}</button>`;
}

/** One self-contained page (inline CSS and JS, no network) for reviewing a run's answers. Without JS every entry shows; the filters need JS. */
export function renderHtml(model: ReportModel): string {
  const { entries, tasks } = model;
  const proposed = entries.filter((e) => e.status === 'proposed').length;
  const sections = tasks.map((summary, t) => {
    const list = entries.map((e, i) => [e, `entry-${i}`] as const).filter(([e]) => e.task === summary.task);
    const ids = new Map(list.filter(([e]) => e.status === 'proposed').map(([e, id]) => [e.file, id]));
    const enums = new Set(Object.keys(summary.chart?.counts ?? {}));
    const detail = summary.kind === 'text' ? `text, ${limitsText(summary.limits)}` : 'JSON';
    return `<section class="task" data-task="${esc(summary.task)}" aria-labelledby="task-${t}">
<h2 id="task-${t}">${esc(summary.task)} <span class="sub">→ <code>${esc(summary.field)}</code> · ${esc(detail)} · ${plural(list.length, 'entry', 'entries')}</span></h2>
${charts(summary, ids)}${list.map(([e, id]) => entryHtml(e, id, enums)).join('\n')}
<p class="empty" hidden>No entries of this task match the filters.</p>
</section>`;
  });
  const summaryRows = tasks
    .map((s) => `<tr><th scope="row">${esc(s.task)}</th><td><code>${esc(s.field)}</code></td>${ENTRY_STATUSES.map((st) => `<td class="num ${s.counts[st] ? st : 'zero'}">${s.counts[st]}</td>`).join('')}</tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>batchmatter review: ${plural(proposed, 'proposed change')}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top">
<h1>Front matter review</h1>
<p class="meta">${plural(proposed, 'proposed change')}, ${plural(entries.length - proposed, 'other entry', 'other entries')} across ${plural(tasks.length, 'task')}${model.generatedAt ? ` · generated <time datetime="${esc(model.generatedAt)}">${esc(model.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time>` : ''} by batchmatter</p>
<table class="summary"><caption>Entries per task and status</caption>
<thead><tr><th scope="col">task</th><th scope="col">field</th>${ENTRY_STATUSES.map((s) => `<th scope="col" class="num">${s}</th>`).join('')}</tr></thead>
<tbody>${summaryRows}</tbody></table>
<nav class="filters" aria-label="Filters" hidden>
<div role="group" aria-label="Task"><span class="label" aria-hidden="true">Task</span>${button('task', '', 'all')}${tasks.map((s) => button('task', s.task, s.task)).join('')}</div>
<div role="group" aria-label="Status"><span class="label" aria-hidden="true">Status</span>${button('status', '', 'all')}${ENTRY_STATUSES.map((s) => button('status', s, s)).join('')}</div>
<p id="shown" role="status"></p>
</nav>
</header>
<main>
${entries.length ? sections.join('\n') : '<p class="empty">No proposed changes.</p>'}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

// No content is ever interpolated into the script: it reads data-* attributes only.
const SCRIPT = `(() => {
  const nav = document.querySelector('.filters');
  const entries = [...document.querySelectorAll('.entry')];
  const sections = [...document.querySelectorAll('section.task')];
  const state = { task: '', status: '' };
  const apply = () => {
    let shown = 0;
    for (const e of entries) {
      e.hidden = (state.task !== '' && e.dataset.task !== state.task) || (state.status !== '' && e.dataset.status !== state.status);
      if (!e.hidden) shown++;
    }
    for (const s of sections) {
      s.hidden = state.task !== '' && s.dataset.task !== state.task;
      s.querySelector('.empty').hidden = s.querySelector('.entry:not([hidden])') !== null;
    }
    for (const b of nav.querySelectorAll('button')) b.setAttribute('aria-pressed', String(state[b.dataset.filter] === b.dataset.value));
    document.getElementById('shown').textContent = 'Showing ' + shown + ' of ' + entries.length + ' entries';
  };
  nav.addEventListener('click', (event) => {
    const b = event.target.closest('button[data-filter]');
    if (!b) return;
    state[b.dataset.filter] = b.dataset.value;
    apply();
  });
  nav.hidden = false;
  apply();
})();`;

const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1d2330;--muted:#5d6677;--line:#dfe3ea;--accent:#3558d4;--green:#1a7f37;--red:#c62828;--amber:#b26a00;--serp-title:#1a0dab;--serp-url:#006621;--track:#e6e9ef}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--card:#1d2128;--text:#e4e7ec;--muted:#9aa3b2;--line:#30353f;--accent:#8aa4ff;--green:#4cc38a;--red:#ff6b6b;--amber:#f0b429;--serp-title:#8ab4f8;--serp-url:#6dd58c;--track:#2b3039}}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.top,main{max-width:1080px;margin:0 auto;padding:16px 20px}main{padding-top:0}
h1{margin:8px 0 0;font-size:1.6rem}h2{font-size:1.25rem;margin:28px 0 12px}.task:first-child h2{margin-top:12px}h3{margin:0;font-size:1rem}h4{margin:0 0 4px;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.meta,.sub,figcaption span{color:var(--muted);font-weight:normal}.sub{font-size:.9rem}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
table.summary{border-collapse:collapse;margin:12px 0;background:var(--card);border:1px solid var(--line);border-radius:8px}
.summary caption{text-align:left;color:var(--muted);font-size:.85rem;padding-bottom:4px}
.summary th,.summary td{padding:6px 14px;border-bottom:1px solid var(--line);text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
td.failed{color:var(--red)}td.proposed{color:var(--green)}td.stale{color:var(--amber)}td.zero{color:var(--muted)}
.filters{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center;position:sticky;top:0;background:var(--bg);padding:8px 0;z-index:1;border-bottom:1px solid var(--line)}
.filters .label{font-weight:600;margin-right:6px}.filters p{margin:0;color:var(--muted)}
.filters button{font:inherit;margin:2px;padding:3px 12px;border:1px solid var(--line);border-radius:999px;background:var(--card);color:var(--text);cursor:pointer}
.filters button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.entry{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:12px 0}
.entry>header{display:flex;justify-content:space-between;gap:12px;align-items:baseline}
.badge{font-size:.75rem;font-weight:600;padding:1px 8px;border-radius:999px;border:1px solid currentColor}
.badge.proposed{color:var(--green)}.badge.failed{color:var(--red)}.badge.stale{color:var(--amber)}
.page-title{margin:4px 0 0;color:var(--muted)}
.serp{margin:12px 0;padding:10px 14px;border-left:3px solid var(--line);font-family:Arial,Helvetica,sans-serif;max-width:640px}
.serp-title{color:var(--serp-title);font-size:1.15rem;line-height:1.3}.serp-url{color:var(--serp-url);font-size:.85rem}.serp-desc{margin:2px 0 0;font-size:.9rem;color:var(--muted)}
.compare{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:10px}@media (max-width:700px){.compare{grid-template-columns:1fr}}
.side{min-width:0}.value{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}.none{margin:0;color:var(--muted);font-style:italic}
.len{display:flex;align-items:center;gap:8px;margin-top:6px;font-size:.8rem;color:var(--muted)}
.track{flex:0 0 140px;height:6px;border-radius:3px;background:var(--track);overflow:hidden}.track>span{display:block;height:100%;background:var(--green)}
.len.over{color:var(--red)}.len.over .track>span{background:var(--red)}.len.under{color:var(--amber)}.len.under .track>span{background:var(--amber)}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}.kv dt{color:var(--muted)}.kv dd{margin:0;overflow-wrap:anywhere}
.tag{padding:0 6px;border-radius:4px;background:var(--track)}
.notes,.reason{margin:10px 0 0;padding:8px 12px;border-radius:6px;background:var(--track)}.notes ul{margin:0;padding-left:18px}
.reason{border-left:3px solid var(--red)}.entry[data-status=stale] .reason{border-left-color:var(--amber)}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin-bottom:8px}
.chart,.urgent{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px;flex:1 1 260px}
.chart figcaption{font-weight:600;margin-bottom:6px}.chart table{width:100%;border-collapse:collapse}.chart th{text-align:left;font-weight:normal;width:6.5em;padding-right:8px;white-space:nowrap}
.bar-cell{width:100%}.bar{display:block;height:14px;min-width:2px;border-radius:3px;background:var(--accent)}
.v-positive,.v-low{background:var(--green)}.v-negative,.v-high{background:var(--red)}.v-neutral{background:var(--muted)}.v-medium{background:var(--amber)}
.tag.v-positive,.tag.v-negative,.tag.v-neutral,.tag.v-high,.tag.v-medium,.tag.v-low{color:#fff}
.urgent ol{margin:0;padding-left:20px}.urgent li span{color:var(--muted)}.urgent a{color:var(--accent)}
`;
