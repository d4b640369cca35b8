/** The security console's additions: the filter grid, wide tables that scroll, compact JSON and codes. */
export const SEC_CSS = String.raw`
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:0 12px;align-items:end;margin-bottom:8px}form.filters input,form.filters select{height:2.4em}
form.filters label{margin-top:.4em}.filter-actions{display:flex;gap:10px;align-items:center;padding-top:8px}
form.inline-form{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}form.inline-form label{margin:0}form.inline-form select{width:auto}
form.inline{display:inline;margin:0}
.narrow-form{max-width:520px}label.check{font-weight:400}
.table-wrap{overflow-x:auto}
table.audit{font-size:.9em}table.audit td:first-child{min-width:9em}table.audit td:nth-child(7){min-width:16em;max-width:30em}
code.json,code.code{font:.85em/1.3 ui-monospace,Consolas,monospace;word-break:break-all;color:#34404f}
code.code{background:#eef2f6;padding:0 3px;border-radius:3px;white-space:nowrap}
.nowrap{white-space:nowrap}td.num{text-align:right}
.chain{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin:8px 0}.chain p{margin:0;flex:1}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:0 16px}
textarea.zone{font:.85em/1.35 ui-monospace,Consolas,monospace;white-space:pre;min-height:14em}
tr.result-failure td:nth-child(2),tr.result-lockout td:nth-child(2){color:#b3261e;font-weight:600}
`;
