/** The HR pages of the console: search filters, figures, facts of an account, the plan's table, the progress bar. */
export const HR_CSS = String.raw`
form.filters{display:flex;flex-wrap:wrap;gap:0 12px;align-items:flex-end;margin:0 0 8px}
form.filters>div{flex:1 1 180px}form.filters>div.go{flex:0 0 auto}form.filters label{margin-top:0}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.stat{flex:1 1 140px;background:#fff;border:1px solid #d6dce4;border-radius:6px;padding:10px 12px;color:inherit;text-decoration:none;font-size:.9em}
.stat .n{display:block;font-size:1.6em;font-weight:700;color:#0b3d6e}.stat.on{border-color:#0b57a4;box-shadow:inset 0 -3px #0b57a4}.stat.warn .n{color:#b3261e}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid #d6dce4;border-radius:6px;padding:12px 16px;margin:0 0 8px}
dl.facts dt{color:#5b6675}dl.facts dd{margin:0}
.actions form{display:inline;margin:0}
.tag{display:inline-block;padding:0 8px;border-radius:10px;font-size:.85em}.tag.ok{background:#e6f4ea;color:#1e6b34}.tag.off{background:#fdecea;color:#8c1d18}
.secret{border-color:#f0a500;background:#fff8e6;margin:0 0 12px}.secret .code{font:1.4em/1.2 ui-monospace,Consolas,monospace;letter-spacing:.05em;user-select:all}
.address-input{display:flex;gap:6px;align-items:center}.address-input input{flex:1}.address-input select{flex:1}
label.check{font-weight:400}
main form.card{max-width:760px}
.job progress{width:100%;height:1.4em}
table.items td:first-child,table.problems td:first-child{white-space:nowrap}
`;
