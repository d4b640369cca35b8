/** The settings pages: the overview's grid of sections, codes and secrets shown once, check boxes in a row. */
export const SETTINGS_CSS = String.raw`
.settings-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px}
a.setting{display:flex;flex-direction:column;gap:4px;text-decoration:none;color:inherit}
a.setting strong{color:#0b57a4}a.setting:hover{border-color:#0b57a4}
a.setting.attention{border-left:4px solid #f0a500}
main>.card+.card,main>.card+section,main>section+.card{margin-top:12px}
.warning{background:#fff4d6;border:1px solid #e8c15a;padding:8px 12px;border-radius:4px}
ol.recovery-codes{columns:2;font:1.15em/1.9 ui-monospace,Consolas,monospace;max-width:420px}
.app-secret{font:1.5em/1.6 ui-monospace,Consolas,monospace;letter-spacing:.04em}.app-secret span{white-space:nowrap}
code.secret{font:1.15em ui-monospace,Consolas,monospace;word-spacing:.3em}
img.qr{display:block;width:264px;height:264px;image-rendering:pixelated}
dl.client-settings{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dl.client-settings dd{margin:0}
label.check{display:flex;gap:8px;align-items:center;font-weight:400}
fieldset{border:0;padding:0;margin:.7em 0}legend{font-weight:600}
.row{display:flex;gap:16px;flex-wrap:wrap}.row>div{flex:0 1 240px}
.card>h2:first-child{margin-top:0}
input[type=number],.enrol #code{max-width:10em}
.status.on{color:#1e6b34;font-weight:600}.status.off{color:#8a5a00;font-weight:600}
tr.this{background:#f2f7fc}.tag{font-size:.85em;color:#1e6b34}
table.list form{margin:0}
@media print{header.top,aside,.actions,.notice,form{display:none}.card{border:0}}
`;
