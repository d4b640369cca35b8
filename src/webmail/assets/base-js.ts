/**
 * The progressive enhancements every page shares; the pages work without them.
 * - a form or button with data-confirm asks before it submits;
 * - a checkbox with data-select-all ticks every checkbox named by its value;
 * - the message frame grows to its content (same origin, no scripts inside it);
 * - keyboard shortcuts: an element with data-key="k" is clicked (or focused) on that key.
 */
export const BASE_JS = String.raw`
document.addEventListener('submit',function(e){var f=e.target,b=e.submitter,m=(b&&b.getAttribute('data-confirm'))||f.getAttribute('data-confirm');if(m&&!confirm(m))e.preventDefault()},true);
document.addEventListener('change',function(e){var t=e.target;if(t.hasAttribute&&t.hasAttribute('data-select-all')){document.querySelectorAll('input[type=checkbox][name="'+t.getAttribute('data-select-all')+'"]').forEach(function(c){c.checked=t.checked})}});
function fitFrame(f){try{var d=f.contentDocument;if(d&&d.body)f.style.height=(d.documentElement.scrollHeight+24)+'px'}catch(e){}}
document.querySelectorAll('iframe[data-fit]').forEach(function(f){f.addEventListener('load',function(){fitFrame(f)});fitFrame(f)});
document.addEventListener('keydown',function(e){if(e.ctrlKey||e.metaKey||e.altKey)return;var t=e.target;if(t&&(t.isContentEditable||/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))return;var el=document.querySelector('[data-key="'+(e.key==='/'?'slash':e.key)+'"]');if(!el)return;e.preventDefault();if(/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))el.focus();else el.click()});
`;
