/**
 * The status page's only stylesheet, inlined so the page needs nothing else. State colours
 * are backgrounds behind white (or, for warn, dark) text with a contrast of at least 6:1;
 * the state is always written out too, colour only repeats it.
 */
export const statusPageStyle = `
:root {
  color-scheme: light dark;
  --bg: #f6f8fa; --card: #ffffff; --text: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --code: #f6f8fa; --maint-line: #0550ae;
  --pass: #116329; --warn: #ffd33d; --fail: #a40e26; --maint: #0550ae; --pending: #59636e;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #9198a1; --line: #3d444d;
    --code: #0d1117; --maint-line: #4493f8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); overflow-wrap: anywhere; }
.wrap { max-width: 64rem; margin: 0 auto; padding: 0 1rem; }
.sym { display: inline-block; min-width: 1.1em; text-align: center; }
.s-pass { --state: var(--pass); --on-state: #ffffff; }
.s-warn { --state: var(--warn); --on-state: #1f2328; }
.s-fail, .s-stale { --state: var(--fail); --on-state: #ffffff; }
.s-maintenance { --state: var(--maint); --on-state: #ffffff; }
.s-pending { --state: var(--pending); --on-state: #ffffff; }
header.overall { background: var(--state); color: var(--on-state); padding: 1rem 0 0.9rem; }
.overall-state { margin: 0; font-size: 2.6rem; font-weight: 800; letter-spacing: 0.04em;
  line-height: 1.1; }
header h1 { margin: 0.25rem 0 0; font-size: 1.35rem; font-weight: 600; }
header p.meta { margin: 0.25rem 0 0; font-size: 0.95rem; }
main.wrap { padding-top: 1rem; padding-bottom: 0.5rem; }
.banner { background: var(--card); border: 2px solid var(--maint-line); border-left-width: 0.6rem;
  border-radius: 0.5rem; padding: 0.75rem 1rem; margin-bottom: 1rem; }
.banner h2 { margin: 0; font-size: 1.2rem; }
.banner p { margin: 0.3rem 0 0; }
.banner .note { color: var(--muted); font-size: 0.9rem; }
ul.checks { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
.check { background: var(--card); border: 1px solid var(--line); border-left: 0.5rem solid var(--state);
  border-radius: 0.5rem; padding: 0.75rem 1rem; min-width: 0; }
.check-head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem 0.75rem; }
.badge { background: var(--state); color: var(--on-state); font-weight: 800; letter-spacing: 0.03em;
  border-radius: 0.3rem; padding: 0.1rem 0.5rem; white-space: nowrap; }
.check h2 { margin: 0; font-size: 1.15rem; font-family: ui-monospace, SFMono-Regular, Menlo,
  Consolas, "DejaVu Sans Mono", monospace; }
.since { font-weight: 600; }
.tags { color: var(--muted); font-size: 0.9rem; }
dl { display: flex; flex-wrap: wrap; gap: 0.15rem 1.75rem; margin: 0.4rem 0 0; }
dl div { display: flex; align-items: baseline; gap: 0.45rem; min-width: 0; }
dt { color: var(--muted); font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.05em; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
pre { background: var(--code); border: 1px solid var(--line); border-radius: 0.35rem;
  margin: 0.6rem 0 0; padding: 0.5rem 0.65rem; max-height: 14rem; overflow: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85rem;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.hidden, .why { margin: 0.5rem 0 0; color: var(--muted); font-size: 0.9rem; }
code { background: var(--code); border: 1px solid var(--line); border-radius: 0.25rem;
  padding: 0 0.3em; font-size: 0.95em;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
footer.wrap { color: var(--muted); font-size: 0.85rem; padding-top: 0.5rem; padding-bottom: 1.5rem; }
a { color: inherit; }
.badge.flapping { --state: #6639ba; --on-state: #ffffff; }
.recent { display: flex; align-items: flex-end; gap: 0.6rem; margin: 0.6rem 0 0; }
.recent-label, .changes h3 { color: var(--muted); font-size: 0.78rem; text-transform: uppercase;
  letter-spacing: 0.05em; font-weight: 400; white-space: nowrap; }
.strip { display: flex; align-items: flex-end; gap: 2px; height: 1.5rem; flex: 0 1 22rem;
  min-width: 0; }
.cell { flex: 1 1 0; min-width: 3px; max-width: 1rem; height: 55%; background: var(--state);
  border-radius: 2px; }
.cell.s-warn { height: 80%; }
.cell.s-fail { height: 100%; }
.changes h3 { margin: 0.6rem 0 0.2rem; }
.changes ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.3rem; }
.changes pre { margin-top: 0.15rem; padding: 0.2rem 0.5rem; max-height: 5rem; font-size: 0.8rem; }
.change { font-variant-numeric: tabular-nums; }
.ago, .more { color: var(--muted); font-size: 0.9rem; }
.more { margin: 0.3rem 0 0; }
.word { background: var(--state); color: var(--on-state); font-size: 0.8rem; font-weight: 700;
  letter-spacing: 0.03em; border-radius: 0.2rem; padding: 0 0.3rem; white-space: nowrap; }
@media (max-width: 30rem) {
  .overall-state { font-size: 2rem; }
  dl { gap: 0.25rem 1.25rem; }
}
`;
