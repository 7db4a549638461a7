/** The review page's one script and one style sheet, inlined by html.ts (the page loads nothing). */

// No content is ever interpolated into the script: it reads data-* attributes only.
export const SCRIPT = `(() => {
  const nav = document.querySelector('.filters');
  const entries = [...document.querySelectorAll('.entry')];
  const sections = [...document.querySelectorAll('section.task')];
  const state = { task: '', status: '', query: '', lang: '' };
  // Each card's text, lower-cased, read on the first search only: thousands of cards cost nothing until then.
  let texts;
  const search = document.getElementById('q');
  const apply = () => {
    let shown = 0;
    if (state.query && !texts) texts = entries.map((e) => e.textContent.toLowerCase());
    entries.forEach((e, i) => {
      const hide = (state.task !== '' && e.dataset.task !== state.task) || (state.status !== '' && e.dataset.status !== state.status) || (state.query !== '' && !texts[i].includes(state.query)) || (state.lang !== '' && e.dataset.lang !== state.lang);
      if (e.hidden !== hide) e.hidden = hide;
      if (!hide) shown++;
    });
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
  let typing;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.query = search.value.trim().toLowerCase();
      apply();
    }, 120);
  });
  // Sorting moves the cards within each task's section; "as listed" puts them back in the page's order.
  const order = new Map(entries.map((e, i) => [e, i]));
  const STATUS = { failed: 0, stale: 1, proposed: 2 };
  const number = (e, key, none) => (e.dataset[key] === undefined || e.dataset[key] === '-1' ? none : Number(e.dataset[key]));
  const keys = {
    '': () => 0,
    'len-desc': (a, b) => number(b, 'len', -1) - number(a, 'len', -1),
    'len-asc': (a, b) => number(a, 'len', Infinity) - number(b, 'len', Infinity),
    status: (a, b) => STATUS[a.dataset.status] - STATUS[b.dataset.status],
    urgency: (a, b) => number(a, 'urgency', Infinity) - number(b, 'urgency', Infinity),
  };
  document.getElementById('sort').addEventListener('change', (event) => {
    const by = keys[event.target.value] || keys[''];
    for (const s of sections) {
      const cards = [...s.querySelectorAll(':scope > .entry')].sort((a, b) => by(a, b) || order.get(a) - order.get(b));
      const moved = document.createDocumentFragment();
      for (const card of cards) moved.appendChild(card);
      s.insertBefore(moved, s.querySelector(':scope > .empty'));
    }
  });
  nav.hidden = false;
  apply();

  // Picking answers writes the command that acts on them, one line per task. Paths come from data-path and are
  // single-quoted for the shell ('"'"' for a quote in them), so a file name is never read as shell syntax.
  const act = document.querySelector('.act');
  const picks = [...document.querySelectorAll('.pick')];
  const cmd = document.getElementById('cmd');
  const reason = document.getElementById('reason');
  const quote = (text) => "'" + text.split("'").join("'" + '"' + "'" + '"' + "'") + "'";
  let mode = 'reject';
  const write = () => {
    const chosen = picks.filter((p) => p.querySelector('input').checked).map((p) => p.closest('.entry'));
    act.hidden = chosen.length === 0;
    document.getElementById('picked').textContent = chosen.length + ' selected';
    const byTask = new Map();
    for (const e of chosen) byTask.set(e.dataset.task, [...(byTask.get(e.dataset.task) || []), e.dataset.path]);
    const why = reason.value.trim();
    // A path starting with - would read as an option: ./ keeps it a path. --reason=… keeps a reason starting with - its value.
    const pathArg = (p) => quote(p.startsWith('-') ? './' + p : p);
    const config = [...(act.dataset.config ? ['--config', quote(act.dataset.config)] : []), ...('offline' in act.dataset ? ['--offline'] : [])];
    cmd.value = [...byTask].map(([task, paths]) => ['npx batchmatter', mode, ...config, '--task', quote(task), ...paths.map(pathArg), ...(mode === 'reject' && why ? ['--reason=' + quote(why)] : [])].join(' ')).join('\\n');
    cmd.rows = byTask.size + 1; // one command a line, and room for the scroll bar of a long one
    reason.disabled = mode !== 'reject';
    for (const b of act.querySelectorAll('[data-mode]')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    document.getElementById('copied').textContent = '';
  };
  for (const p of picks) {
    p.hidden = false;
    p.querySelector('input').addEventListener('change', write);
  }
  reason.addEventListener('input', write);
  act.addEventListener('click', async (event) => {
    const b = event.target.closest('button');
    if (!b) return;
    if (b.dataset.mode) mode = b.dataset.mode;
    if (b.id === 'clear') for (const p of picks) p.querySelector('input').checked = false;
    if (b.id !== 'copy') return write();
    cmd.select();
    const done = document.getElementById('copied');
    try {
      await navigator.clipboard.writeText(cmd.value);
      done.textContent = 'Copied.';
    } catch {
      done.textContent = 'Selected: press Ctrl+C (or Cmd+C) to copy.';
    }
  });
})();`;

export const CSS = `
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
.entry{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:12px 0;content-visibility:auto;contain-intrinsic-size:auto 240px}
.filters input,.filters select{font:inherit;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--text);margin-left:6px}.filters input{min-width:16em}
.input{margin-top:10px}.input summary{cursor:pointer;color:var(--muted);font-size:.9rem}.input pre{margin:6px 0 0;padding:8px 12px;max-height:24em;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;background:var(--bg);border-radius:6px;font:.85rem/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
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
.entry>header .tools{display:flex;gap:10px;align-items:center;white-space:nowrap}.pick{font-size:.8rem;color:var(--muted);cursor:pointer}
.act{position:sticky;bottom:0;max-width:1080px;margin:0 auto;padding:10px 20px;background:var(--card);border:1px solid var(--line);border-radius:10px 10px 0 0;box-shadow:0 -4px 16px rgba(0,0,0,.12)}
.act p{margin:4px 0;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}.act .label{font-size:.85rem;color:var(--muted)}
.act textarea{width:100%;white-space:pre;overflow-x:auto;resize:vertical;font:.85rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:6px;padding:6px}
.act button,.act input{font:inherit;padding:3px 12px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--text)}
.act button{cursor:pointer}.act button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}.reason-field input{margin-left:6px;min-width:18em}
.urgent ol{margin:0;padding-left:20px}.urgent li span{color:var(--muted)}.urgent a{color:var(--accent)}
`;
