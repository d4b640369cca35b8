/** The mail pages: folder list, message list, message view, search form (1366×768 first, one column on a phone). */
export const MAIL_CSS = String.raw`
nav.folders ul{list-style:none;margin:0 0 12px;padding:0}
nav.folders li .level{display:block;padding:5px 8px;color:#5b6675}
nav.folders li a{display:flex;justify-content:space-between;gap:6px;padding:5px 8px;border-radius:4px;text-decoration:none;color:#1c2430}
nav.folders li a:hover{background:#e6edf5}
nav.folders li a[aria-current]{background:#dce8f5;font-weight:600}
nav.folders .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
nav.folders .count{font-weight:700;color:#0b57a4}
nav.folders .d1>*{padding-left:22px}nav.folders .d2>*{padding-left:36px}nav.folders .d3>*,nav.folders .d4>*{padding-left:50px}
nav.folders h2{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;color:#5b6675;margin:14px 8px 4px}
nav.folders form.search{margin:0 0 10px}
.listhead{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 16px}
.listhead h1{margin:0}
h1 small{font-weight:400;color:#5b6675;font-size:.7em}
form.view{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;font-size:.9em;margin:4px 0}
form.view label{display:inline;margin:0;font-weight:400}
form.view select{width:auto;padding:3px 4px}
form.view button{padding:3px 10px}
.toolbar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:8px 0}
.toolbar button{padding:4px 10px;font-size:.92em}
.toolbar select{width:auto;padding:4px}
table.mail{table-layout:fixed;border:1px solid #d6dce4}
table.mail td{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;vertical-align:middle;padding:5px 6px}
table.mail .sel{width:30px}table.mail .mark{width:22px;padding:0}table.mail .from{width:22%}table.mail .att{width:28px;text-overflow:clip;padding:5px 4px}table.mail .date{width:84px;text-align:right}table.mail .size{width:70px;text-align:right;color:#5b6675;font-size:.88em}
table.mail tr.unread td{font-weight:700;background:#fbfcff}
table.mail td.subject a{color:#1c2430;text-decoration:none}table.mail td.subject a:hover{text-decoration:underline}
table.mail tr:hover td{background:#eef3f9}
table.mail .d1{padding-left:20px}table.mail .d2{padding-left:34px}table.mail .d3,table.mail .d4,table.mail .d5,table.mail .d6{padding-left:48px}
.flag{color:#d08700}
.clip{display:inline-block;width:14px;height:14px;vertical-align:-2px;background:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='%23445' stroke-width='2.2' stroke-linecap='round'%3E%3Cpath d='M20 11.5l-8 8a5 5 0 01-7-7l8.5-8.5a3.3 3.3 0 014.7 4.7l-8.4 8.4a1.7 1.7 0 01-2.4-2.4l7.6-7.6'/%3E%3C/svg%3E") center/contain no-repeat}
.in{font-size:.8em;font-weight:400;color:#5b6675;border:1px solid #d6dce4;border-radius:3px;padding:0 4px}
.empty{color:#5b6675}
.message h1{margin:10px 0 6px;font-size:1.3em}
.msgbar{display:flex;flex-wrap:wrap;justify-content:space-between;gap:8px}
.msgnav,.replies{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.replies .button{padding:5px 12px}
dl.headers{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 10px;font-size:.93em}
dl.headers dt{color:#5b6675}dl.headers dd{margin:0;overflow-wrap:anywhere}
.blocked{background:#fff6dc;border:1px solid #e7c865;padding:6px 10px;border-radius:4px;margin:0 0 8px}
iframe.body{display:block;width:100%;min-height:320px;border:1px solid #d6dce4;border-radius:4px;background:#fff}
.attachments ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px}
.attachments .clip{margin-right:4px}
.attachments li{background:#fff;border:1px solid #d6dce4;border-radius:4px;padding:5px 10px}
.searchform .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:0 12px}
.searchform .grid label{font-weight:400}
fieldset.scope{border:0;padding:0;margin:8px 0}fieldset.scope legend{font-weight:600}
label.check{display:inline-flex;gap:4px;align-items:center;font-weight:400;margin-right:12px}
@media (max-width:720px){table.mail .size,table.mail .att{display:none}table.mail .from{width:32%}}
`;
