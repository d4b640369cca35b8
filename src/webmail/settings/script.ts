/**
 * The settings' enhancements: "Print" and "Copy" buttons (hidden without script) for the
 * recovery codes and a new app password.
 */
export const SETTINGS_JS = String.raw`
document.querySelectorAll('[data-print],[data-copy]').forEach(function(b){if(b.hasAttribute('data-copy')&&!navigator.clipboard)return;b.hidden=false});
document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('[data-print],[data-copy]');if(!b)return;if(b.hasAttribute('data-print')){window.print();return}var el=document.getElementById(b.getAttribute('data-copy'));if(el)navigator.clipboard.writeText(el.innerText.trim())});
`;
