/** Minimal server-side HTML: escaped by default, no client framework, no build step. */
import { DEFAULT_LOCALE, isMessageCode, translator, type Locale, type MessageCode } from '@oa-archive/messages';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escape = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A trusted fragment, passed through `html` without escaping. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const rendered = Array.isArray(v) ? v.map((x) => (x instanceof Html ? x.value : escape(x))).join('') : v instanceof Html ? v.value : escape(v);
    out += rendered + strings[i + 1]!;
  });
  return new Html(out);
}

const STYLE = `
body{font-family:"Noto Sans CJK SC","Noto Sans",system-ui,sans-serif;margin:0;color:#1d2733;background:#f5f6f8}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
header nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem}
header a{color:#dfe8f5;text-decoration:none}header a:hover,header a[aria-current=page]{text-decoration:underline}header .who{margin-left:auto;font-size:.9rem}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#1f3a5f;padding:.4rem .8rem;z-index:10}.skip:focus{left:.5rem}
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
main{padding:1rem 1.2rem;max-width:1300px}main:focus{outline:none}
@media (max-width:1024px){main{padding:.8rem}table{display:block;overflow-x:auto;max-width:100%}header .who{margin-left:0}}h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;background:#fff;width:100%;font-size:.9rem}th,td{border:1px solid #dde2e8;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.6rem .8rem;min-width:9rem}
.card b{font-size:1.4rem;display:block}.FILED{color:#1b7a3a}.FAILED{color:#b3261e}.REVIEW{color:#9a6700}.QUARANTINED{color:#6f42c1}.EXCLUDED{color:#57606a}
.pass{color:#1b7a3a}.fail{color:#b3261e}code{font-size:.8rem;word-break:break-all}button{padding:.3rem .8rem;cursor:pointer}
form.inline{display:inline-flex;gap:.4rem;align-items:center;flex-wrap:wrap}input,select{padding:.25rem}.muted{color:#57606a;font-size:.85rem}
.msg{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;margin:.5rem 0}
.code{font-size:.75rem;font-family:monospace}#review td{min-width:4rem}#review .why{margin-top:.3rem}#review ul.findings,#review ol.components{margin:.3rem 0;padding-left:1.2rem}`;

const SCRIPT = `
async function act(url, body){
  const r = await fetch(url,{method:'POST',headers:{'content-type':'application/json','x-requested-with':'oa-console'},body:JSON.stringify(body||{})});
  const text = await r.text(); let data; try{data=JSON.parse(text)}catch{data={error:text}}
  const box=document.getElementById('msg'); if(box){box.hidden=false; box.textContent=r.ok?'done: '+JSON.stringify(data):'refused ('+r.status+'): '+(data.error||text)}
  if(r.ok) setTimeout(()=>location.reload(),800);
}`;

/** What the page chrome needs besides title and body: the reader's language and where the language switch returns to. */
export interface PageChrome {
  locale: Locale;
  /** The path (with query) of this page: the language switch brings the reader back to it. */
  path: string;
}

const NAV: [string, MessageCode][] = [
  ['/', 'nav.overview'],
  ['/ingests', 'nav.ingests'],
  ['/review', 'nav.review'],
  ['/review/proposals', 'nav.proposals'],
  ['/reconciler', 'nav.reconciler'],
  ['/callbacks', 'nav.callbacks'],
  ['/timeliness', 'nav.timeliness'],
  ['/completeness', 'nav.completeness'],
  ['/disposition', 'nav.disposition'],
  ['/holds', 'nav.holds'],
  ['/custody/fixity', 'nav.fixity'],
  ['/custody/replication', 'nav.replication'],
  ['/queues', 'nav.queues'],
];

export function page(title: string, principal: { name: string; role: string } | undefined, body: Html, chrome: PageChrome = { locale: DEFAULT_LOCALE, path: '/' }): string {
  const t = translator(chrome.locale);
  const back = encodeURIComponent(chrome.path);
  // The other language, offered on every page; the choice is kept in a cookie (see locale.ts).
  const other = chrome.locale === 'en' ? html`<a href="/lang/zh-CN?next=${back}" id="lang-switch" lang="zh-CN">中文</a>` : html`<a href="/lang/en?next=${back}" id="lang-switch" lang="en">English</a>`;
  const role = principal && isMessageCode(`role.${principal.role}`) ? t(`role.${principal.role}` as MessageCode) : principal?.role;
  // The section this page belongs to, marked for screen readers: the longest nav path that prefixes it.
  const pathname = chrome.path.split('?')[0] ?? '/';
  const current = NAV.map(([href]) => href).filter((href) => pathname === href || (href !== '/' && pathname.startsWith(`${href}/`))).sort((a, b) => b.length - a.length)[0];
  const script = SCRIPT.replace("'done: '", JSON.stringify(t('page.done'))).replace("'refused ('", JSON.stringify(`${t('page.refused')} (`));
  return `<!doctype html><html lang="${chrome.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · ${escape(t('app.name'))}</title><style>${STYLE}</style><script>${script}</script></head><body>
<a class="skip" href="#main">${escape(t('nav.skip'))}</a>
<header><strong>${escape(t('app.name'))}</strong><nav aria-label="${escape(t('nav.label'))}">${NAV.map(([href, code]) => `<a href="${href}"${current === href ? ' aria-current="page"' : ''}>${escape(t(code))}</a>`).join('')}${principal?.role === 'admin' ? `<a href="/queues-admin">${escape(t('nav.queuesAdmin'))}</a>` : ''}</nav>
<span class="who">${principal ? `${escape(principal.name)} (${escape(role)}) · <a href="/logout">${escape(t('nav.logout'))}</a> · ` : ''}${other.value}</span></header>
<main id="main" tabindex="-1"><h1>${escape(title)}</h1><div id="msg" class="msg" role="status" aria-live="polite" hidden></div>${body.value}</main></body></html>`;
}

/** A horizontal stacked bar chart as inline SVG: one row per label, one colour per series. */
export function barChart(rows: { label: string; values: Record<string, number> }[], colours: Record<string, string>): Html {
  const max = Math.max(1, ...rows.map((r) => Object.values(r.values).reduce((a, b) => a + b, 0)));
  const width = 640;
  const rowHeight = 22;
  const bars = rows
    .map((row, i) => {
      let x = 120;
      const y = i * rowHeight + 4;
      const parts = Object.entries(colours)
        .map(([series, colour]) => {
          const n = row.values[series] ?? 0;
          const w = (n / max) * (width - 170);
          const rect = n > 0 ? `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="16" fill="${colour}"><title>${escape(series)}: ${n}</title></rect>` : '';
          x += w;
          return rect;
        })
        .join('');
      const total = Object.values(row.values).reduce((a, b) => a + b, 0);
      return `<text x="0" y="${y + 13}" font-size="12">${escape(row.label)}</text>${parts}<text x="${(x + 6).toFixed(1)}" y="${y + 13}" font-size="12">${total}</text>`;
    })
    .join('');
  const legend = Object.entries(colours)
    .map(([series, colour], i) => `<rect x="${120 + i * 95}" y="${rows.length * rowHeight + 10}" width="10" height="10" fill="${colour}"/><text x="${134 + i * 95}" y="${rows.length * rowHeight + 19}" font-size="11">${escape(series)}</text>`)
    .join('');
  return new Html(`<svg role="img" width="${width}" height="${rows.length * rowHeight + 30}" xmlns="http://www.w3.org/2000/svg">${bars}${legend}</svg>`);
}
