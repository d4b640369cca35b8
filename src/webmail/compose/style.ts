/** Compose and the address book: a label column beside the fields, a tall body, recipient suggestions under their field. */
export const COMPOSE_CSS = String.raw`
form.compose{max-width:960px}
.compose .field{display:grid;grid-template-columns:5.5em 1fr;align-items:center;gap:4px 10px;margin:0 0 6px}
.compose .field label{margin:0}
.compose #c-hint{margin:0 0 8px calc(5.5rem + 10px)}
.compose textarea{min-height:11em;margin-top:4px;line-height:1.4}
.compose fieldset.files{border:1px solid #d6dce4;border-radius:4px;margin:10px 0 0;padding:4px 10px 8px}
.compose legend{font-weight:600;padding:0 4px}
.compose .kept{list-style:none;margin:0 0 6px;padding:0}
.compose .kept label,.compose label.add{display:inline-block;font-weight:400;margin:.2em 10px .2em 0}
.compose progress{display:block;width:100%;height:10px;margin-top:6px}
.compose progress[hidden]{display:none}
ul.suggest{position:absolute;z-index:5;background:#fff;border:1px solid #9aa6b4;border-radius:4px;list-style:none;margin:2px 0 0;padding:2px 0;max-height:22em;overflow:auto;box-shadow:0 2px 8px rgba(0,0,0,.18)}
ul.suggest li{padding:4px 10px;cursor:pointer;white-space:nowrap}
ul.suggest li[aria-selected=true],ul.suggest li:hover{background:#dce8f5}
form.contacts-search{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 8px}
form.contacts-search input{flex:2 1 16em;width:auto}
form.contacts-search select{flex:1 1 12em;width:auto}
@media (max-width:720px){.compose .field{grid-template-columns:1fr}.compose #c-hint{margin-left:0}}
`;
