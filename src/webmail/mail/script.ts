/**
 * The mail pages' enhancements (the pages work without them): the folder list's unread
 * counts and the tab title's "(n)" stay fresh, polled once a minute from /mail/counts.json.
 * Keyboard shortcuts are data-key attributes the base script follows (j/k, r, a, f, #, /).
 */
export const MAIL_JS = String.raw`
var nav=document.querySelector('nav.folders[data-counts]');
if(nav&&window.fetch){var title=document.title.replace(/^\(\d+\) /,''),lang=document.documentElement.lang;
function show(c){nav.querySelectorAll('[data-unread]').forEach(function(s){var n=c.folders[s.getAttribute('data-unread')]||0;s.textContent=n?n.toLocaleString(lang):'';s.hidden=!n});document.title=(c.inbox?'('+c.inbox+') ':'')+title}
setInterval(function(){if(document.hidden)return;fetch(nav.getAttribute('data-counts'),{credentials:'same-origin'}).then(function(r){return r.ok?r.json():null}).then(function(c){c&&c.folders&&show(c)}).catch(function(){})},60000)}
`;
