// The console's one stylesheet, served by the admin app at ASSET_PATH (the CSP allows styles from
// the app itself only: no inline style, no CDN). Kept in a module so that `nest build` ships it.

export const STYLESHEET_PATH = '/assets/console.css';

export const STYLESHEET = `
:root { --fg:#1b1f24; --muted:#5b6470; --line:#d8dde3; --bg:#f6f8fa; --card:#fff; --accent:#0b5cad; --ok:#17663a; --warn:#8a5a00; --bad:#b3261e; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline:3px solid #f0b400; outline-offset:2px; }
.skip { position:absolute; left:-999px; } .skip:focus { left:8px; top:8px; background:#fff; padding:6px; z-index:2; }
header.top { background:#14213d; color:#fff; padding:0 16px; display:flex; flex-wrap:wrap; align-items:center; gap:4px 20px; }
header.top .brand { font-weight:600; padding:12px 0; }
header.top nav ul { list-style:none; margin:0; padding:0; display:flex; flex-wrap:wrap; gap:2px; }
header.top nav a { color:#dbe4f0; text-decoration:none; padding:12px 10px; display:block; }
header.top nav a[aria-current=page] { color:#fff; box-shadow: inset 0 -3px 0 #f0b400; }
main { max-width:1200px; margin:0 auto; padding:16px; }
h1 { font-size:1.5rem; margin:8px 0 16px; word-break:break-all; }
h2 { font-size:1.15rem; margin:24px 0 8px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin-bottom:16px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(200px, 1fr)); gap:12px; }
.stat { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
.stat .n { font-size:1.6rem; font-weight:600; display:block; }
.stat .l { color:var(--muted); font-size:.9rem; }
.table-wrap { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f4; font-weight:600; font-size:.9rem; white-space:nowrap; }
tr:last-child td { border-bottom:0; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:.85rem; word-break:break-all; }
.err { color:var(--bad); overflow-wrap:anywhere; }
.card > h2:first-child, .card > h3:first-child, .card > p:first-child { margin-top:0; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:.8rem; font-weight:600; background:#e7ebef; white-space:nowrap; }
.badge.processed, .badge.delivered, .badge.healthy, .badge.applied, .badge.active, .badge.unchanged { background:#dcf3e4; color:var(--ok); }
.badge.received, .badge.pending, .badge.paused, .badge.removed, .badge.retry, .badge.needs_reauth { background:#fff1cc; color:var(--warn); }
.badge.dead_lettered, .badge.revoked, .badge.failing { background:#fbe0de; color:var(--bad); }
form.filters { display:grid; grid-template-columns:repeat(auto-fill, minmax(180px, 1fr)); gap:10px 12px; align-items:end; }
label { display:flex; flex-direction:column; gap:3px; font-size:.85rem; color:var(--muted); }
label.check { flex-direction:row; align-items:center; gap:8px; color:var(--fg); font-size:1rem; }
input, select { font:inherit; padding:6px 8px; border:1px solid #aab3bd; border-radius:6px; background:#fff; color:var(--fg); min-width:0; }
button, .button { font:inherit; padding:7px 14px; border-radius:6px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary, .button.secondary { background:#fff; color:var(--accent); }
button.danger { background:var(--bad); border-color:var(--bad); }
.actions { display:flex; flex-wrap:wrap; gap:8px; align-items:center; }
dl.facts { display:grid; grid-template-columns: minmax(120px, 220px) 1fr; gap:6px 16px; margin:0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; word-break:break-all; }
pre { background:#0f1720; color:#e6edf3; padding:12px; border-radius:8px; overflow:auto; max-height:520px; font-size:.85rem; }
.notice { border-left:4px solid var(--accent); background:#e8f1fb; padding:10px 14px; border-radius:4px; margin-bottom:16px; }
.notice.error { border-color:var(--bad); background:#fdecea; }
.muted { color:var(--muted); }
.pager { margin-top:12px; }
@media (max-width: 640px) {
  main { padding:10px; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom:6px; }
  th, td { padding:6px; }
  table.stack thead { display:none; }
  table.stack tr { display:block; border-bottom:1px solid var(--line); padding:6px 0; }
  table.stack td { display:block; border:0; padding:2px 8px; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color:var(--muted); font-size:.8rem; }
}
`;
