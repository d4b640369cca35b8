/**
 * The stylesheet every page shares: system fonts (no web fonts to download), one column
 * on a phone, header + sidebar + content on a desktop, readable on a 1366×768 screen.
 */
export const BASE_CSS = String.raw`
*,*::before,*::after{box-sizing:border-box}
html{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:#1c2430;background:#f3f5f8}
body{margin:0}
a{color:#0b57a4}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f0a500;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px;padding:6px 16px;background:#0b3d6e;color:#fff}
header.top a,header.top .linkish{color:#fff;text-decoration:none}
header.top .brand{font-weight:700;font-size:1.1em;margin-right:8px}
header.top nav{display:flex;flex-wrap:wrap;gap:2px 14px;align-items:center;flex:1}
header.top nav a[aria-current]{text-decoration:underline;text-underline-offset:4px}
header.top .who{font-size:.9em;opacity:.9}
header.top form{display:inline;margin:0}
.linkish{background:none;border:0;padding:0;font:inherit;cursor:pointer;text-decoration:underline}
.layout{display:flex;gap:16px;padding:12px 16px;align-items:flex-start}
.layout>aside{flex:0 0 210px}
.layout>main{flex:1;min-width:0}
main.narrow{max-width:440px;margin:40px auto;padding:0 16px}
main.page{padding:12px 16px;max-width:1200px}
.card{background:#fff;border:1px solid #d6dce4;border-radius:6px;padding:16px}
h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.15em;margin:1em 0 .5em}
label{display:block;margin:.7em 0 .2em;font-weight:600}
input[type=text],input[type=email],input[type=password],input[type=search],input[type=number],input[type=date],input[type=datetime-local],select,textarea{width:100%;padding:7px 8px;font:inherit;border:1px solid #9aa6b4;border-radius:4px;background:#fff}
textarea{min-height:8em}
button,.button{display:inline-block;padding:7px 14px;font:inherit;border:1px solid #0b57a4;border-radius:4px;background:#0b57a4;color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#0b57a4}
button.danger{background:#b3261e;border-color:#b3261e}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.notice,.error{padding:8px 12px;border-radius:4px;margin:0 0 12px}
.notice{background:#e6f4ea;border:1px solid #8fc79f}
.error{background:#fdecea;border:1px solid #e3a39c}
.muted{color:#5b6675;font-size:.92em}
.hint{color:#5b6675;font-size:.88em;margin:.2em 0}
table.list{width:100%;border-collapse:collapse;background:#fff}
table.list th,table.list td{padding:6px 8px;border-bottom:1px solid #e3e7ec;text-align:left;vertical-align:top}
table.list th{font-size:.88em;color:#445;background:#f7f9fb}
.pager{display:flex;gap:12px;align-items:center;margin:8px 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
nav.menu ul{list-style:none;margin:0;padding:0}nav.menu li a{display:block;padding:6px 10px;border-radius:4px;text-decoration:none}nav.menu li a[aria-current]{background:#dce8f5;font-weight:600}
footer.lang{margin:16px;text-align:center;font-size:.9em}
@media (max-width:720px){.layout{flex-direction:column;padding:8px}.layout>aside{flex:none;width:100%}header.top{padding:6px 8px}}
`;
