import { isRecord } from '../frontmatter/field-path.js';
import { isLanguageNote } from '../core/identify.js';
import { CSS, SCRIPT } from './html-assets.js';
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

/** What the model read, collapsed: open it to judge the answer against its source. */
function inputHtml(entry: ReportEntry): string {
  if (entry.input === undefined) return '';
  const label = entry.status === 'stale' ? 'What the model reads of the file as it is now' : 'What the model read';
  return `<details class="input"><summary>${label} <span class="sub">(${plural(length(entry.input), 'character')})</span></summary><pre>${esc(entry.input)}</pre></details>`;
}

/** The length the page sorts by: the proposed text's characters, a JSON answer's as written; -1 without one. */
const sortLength = (entry: ReportEntry): number =>
  entry.proposed === undefined || entry.proposed === null ? -1 : length(typeof entry.proposed === 'string' ? entry.proposed : JSON.stringify(entry.proposed));

function entryHtml(entry: ReportEntry, id: string, enums: ReadonlySet<string>, prefix: string, urgency: number): string {
  const snippet = entry.snippet
    ? `<figure class="serp" aria-label="Search result preview"><div class="serp-title">${esc(entry.snippet.title)}</div><div class="serp-url">${esc(entry.snippet.url)}</div><p class="serp-desc">${esc(entry.snippet.description)}</p></figure>`
    : '';
  const noteList = (heading: string, list: string[]) => (list.length ? `<div class="notes"><h4>${heading}</h4><ul>${list.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>` : '');
  const notes = noteList('Repaired before validation', entry.notes.filter((n) => !isLanguageNote(n))) + noteList('Language', entry.notes.filter(isLanguageNote));
  const reason = entry.reason ? `<p class="reason"><strong>${entry.status === 'stale' ? 'Not applied' : 'Failed'}:</strong> ${esc(entry.reason)}</p>` : '';
  // A proposed answer can be picked for a reject or apply command (JS only; the page reads data-path, never runs it).
  const pick = entry.status === 'proposed' ? `<label class="pick" hidden><input type="checkbox" aria-describedby="${id}-h"> select</label>` : '';
  return `<article class="entry" id="${id}" data-task="${esc(entry.task)}" data-status="${entry.status}" data-lang="${esc(entry.lang ?? '')}" data-path="${esc(prefix + entry.file)}" data-len="${sortLength(entry)}"${urgency >= 0 ? ` data-urgency="${urgency}"` : ''} aria-labelledby="${id}-h">
<header><h3 id="${id}-h"><code>${esc(entry.file)}</code></h3><span class="tools">${pick}<span class="badge ${entry.status}">${entry.status}</span></span></header>
${snippet || (entry.title !== undefined ? `<p class="page-title">${esc(entry.title)}</p>` : '')}
${withImages(entry, `<div class="compare">${side('Current', entry.current, entry, enums)}${side('Proposed', entry.proposed, entry, enums, entry.status === 'failed' ? 'no valid answer' : 'not set')}</div>`)}${notes}${reason}${inputHtml(entry)}
</article>`;
}

/** The entry's images (alt text tasks) beside the values; the thumbnails are data URIs made by us, the paths untrusted. */
function withImages(entry: ReportEntry, compare: string): string {
  if (!entry.images?.length) return compare;
  const figures = entry.images.map((i) => `<figure class="thumb"><img src="${esc(i.src)}" width="${i.width}" height="${i.height}" alt="${esc(`image ${i.ref}`)}"><figcaption><code>${esc(i.ref)}</code></figcaption></figure>`);
  return `<div class="with-images"><div class="thumbs">${figures.join('')}</div>${compare}</div>`;
}

const THUMB_CSS = '.with-images{display:grid;grid-template-columns:auto 1fr;gap:1rem;align-items:start;margin-top:.5rem}.thumbs{display:flex;flex-direction:column;gap:.5rem}.thumb{margin:0}.thumb img{display:block;max-width:160px;height:auto;border-radius:4px;border:1px solid #ccc}.thumb figcaption{font-size:.75rem;max-width:160px;overflow-wrap:anywhere}';

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

function button(filter: 'task' | 'status' | 'lang', value: string, label: string): string {
  return `<button type="button" data-filter="${filter}" data-value="${esc(value)}" aria-pressed="${value === ''}">${esc(label)}</button>`;
}

/** Pages in several languages: a filter by each entry's page language (none for a site in one, or unknown). */
function languageFilter(entries: readonly ReportEntry[]): string {
  const langs = [...new Set(entries.flatMap((e) => (e.lang ? [e.lang] : [])))].sort();
  if (langs.length < 2) return '';
  return `<div role="group" aria-label="Language"><span class="label" aria-hidden="true">Language</span>${button('lang', '', 'all')}${langs.map((l) => button('lang', l, l)).join('')}</div>\n`;
}

/** One self-contained page (inline CSS and JS, no network) for reviewing a run's answers. Without JS every entry shows; the filters need JS. */
export function renderHtml(model: ReportModel): string {
  const { entries, tasks } = model;
  const proposed = entries.filter((e) => e.status === 'proposed').length;
  const thumbs = entries.some((e) => e.images?.length);
  const sections = tasks.map((summary, t) => {
    const list = entries.map((e, i) => [e, `entry-${i}`] as const).filter(([e]) => e.task === summary.task);
    const ids = new Map(list.filter(([e]) => e.status === 'proposed').map(([e, id]) => [e.file, id]));
    const enums = new Set(Object.keys(summary.chart?.counts ?? {}));
    const detail = summary.kind === 'text' ? `text, ${limitsText(summary.limits)}` : 'JSON';
    // Most urgent first: the urgency enum's values in the schema's order (as `report` ranks them).
    const ranks = Object.keys(summary.chart?.counts.urgency ?? {});
    const urgency = (e: ReportEntry) => (isRecord(e.proposed) && typeof e.proposed.urgency === 'string' ? ranks.indexOf(e.proposed.urgency) : -1);
    return `<section class="task" data-task="${esc(summary.task)}" aria-labelledby="task-${t}">
<h2 id="task-${t}">${esc(summary.task)} <span class="sub">→ <code>${esc(summary.field)}</code> · ${esc(detail)} · ${plural(list.length, 'entry', 'entries')}</span></h2>
${charts(summary, ids)}${list.map(([e, id]) => entryHtml(e, id, enums, model.command?.pathPrefix ?? '', urgency(e))).join('\n')}
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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'${thumbs ? '; img-src data:' : ''}">
<title>batchmatter review: ${plural(proposed, 'proposed change')}</title>
<style>${CSS}${thumbs ? THUMB_CSS : ''}</style>
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
${languageFilter(entries)}<label class="search">Search <input id="q" type="search" placeholder="file, title, answer, reason or source text" autocomplete="off"></label>
<label class="sort">Sort <select id="sort"><option value="">as listed</option><option value="len-desc">longest answer first</option><option value="len-asc">shortest answer first</option><option value="status">failed, stale, then proposed</option><option value="urgency">most urgent first</option></select></label>
<p id="shown" role="status"></p>
</nav>
</header>
<main>
${entries.length ? sections.join('\n') : '<p class="empty">No proposed changes.</p>'}
</main>
<aside class="act" aria-label="Selected answers"${model.command?.config ? ` data-config="${esc(model.command.config)}"` : ''}${model.command?.offline ? ' data-offline' : ''} hidden>
<p><strong id="picked" role="status"></strong> <span class="modes" role="group" aria-label="Command"><button type="button" data-mode="reject" aria-pressed="true">reject: ask again</button><button type="button" data-mode="apply" aria-pressed="false">apply only these</button></span>
<label class="reason-field">reason for the model <input id="reason" type="text" placeholder="e.g. too generic: name the feature"></label></p>
<label for="cmd" class="label">Run in the folder of ${esc(model.command?.config ?? 'batch.config.ts')}:</label>
<textarea id="cmd" readonly rows="2" wrap="off" spellcheck="false"></textarea>
<p><button type="button" id="copy">Copy</button> <button type="button" id="clear">Clear selection</button> <span id="copied" role="status"></span></p>
</aside>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
