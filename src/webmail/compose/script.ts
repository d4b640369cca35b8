/**
 * Compose's enhancements (the form works without them):
 * - with files chosen, the form is sent by XMLHttpRequest and a bar shows the upload's progress; once
 *   redirected (sent, draft saved) the browser goes there, a refusal's page replaces this one;
 * - recipient fields (data-contacts) suggest addresses from /mail/contacts.json as one types.
 */
export const COMPOSE_JS = String.raw`
var form=document.querySelector('form[data-compose]');
if(form){
form.addEventListener('submit',function(e){
var input=form.querySelector('input[type=file]');if(e.defaultPrevented||!input||!input.files||!input.files.length||!window.FormData)return;
e.preventDefault();var data=new FormData(form),b=e.submitter;if(b&&b.name)data.append(b.name,b.value);
var bar=form.querySelector('progress.upload'),x=new XMLHttpRequest();bar.hidden=false;bar.value=0;
form.querySelectorAll('button').forEach(function(x){x.disabled=true});
x.open('POST',form.getAttribute('action'));
x.upload.onprogress=function(ev){if(ev.lengthComputable)bar.value=Math.round(ev.loaded*100/ev.total)};
var to=document.createElement('a');to.href=form.getAttribute('action');
x.onload=function(){if(x.responseURL&&x.responseURL!==to.href){location.href=x.responseURL;return}document.open();document.write(x.responseText);document.close()};
x.onerror=function(){bar.hidden=true;form.querySelectorAll('button').forEach(function(x){x.disabled=false})};
x.send(data)});
var list=document.createElement('ul'),field=null,items=[],sel=-1,timer=0,asked='';
list.className='suggest';list.setAttribute('role','listbox');list.hidden=true;document.body.appendChild(list);
function cut(v){return Math.max(v.lastIndexOf(','),v.lastIndexOf(';'))}
function hide(){list.hidden=true;items=[];sel=-1}
function label(it){return it.name?it.name+' <'+it.address+'>':it.address}
function pick(k){var it=items[k];if(!it||!field)return;var v=field.value,i=cut(v),n=it.name?(/[,;"<>@()]/.test(it.name)?'"'+it.name.replace(/"/g,'')+'"':it.name)+' <'+it.address+'>':it.address;field.value=(i>=0?v.slice(0,i+1)+' ':'')+n+', ';hide();field.focus()}
function mark(){[].forEach.call(list.children,function(li,k){li.setAttribute('aria-selected',k===sel?'true':'false')})}
function show(data){items=data;sel=-1;list.textContent='';if(!data.length)return hide();
data.forEach(function(it,k){var li=document.createElement('li');li.setAttribute('role','option');li.textContent=label(it)+(it.agency?' · '+it.agency:'');li.addEventListener('mousedown',function(e){e.preventDefault();pick(k)});list.appendChild(li)});
var r=field.getBoundingClientRect();list.style.left=(r.left+window.scrollX)+'px';list.style.top=(r.bottom+window.scrollY)+'px';list.style.minWidth=r.width+'px';list.hidden=false}
function ask(){var q=field.value.slice(cut(field.value)+1).trim();if(q.length<2||q.indexOf('<')>=0)return hide();if(q===asked)return;asked=q;
var x=new XMLHttpRequest();x.open('GET','/mail/contacts.json?q='+encodeURIComponent(q));x.onload=function(){if(x.status===200&&q===asked)try{show(JSON.parse(x.responseText))}catch(e){}};x.send()}
form.querySelectorAll('input[data-contacts]').forEach(function(f){
f.addEventListener('input',function(){field=f;asked='';clearTimeout(timer);timer=setTimeout(ask,150)});
f.addEventListener('blur',function(){setTimeout(hide,100)});
f.addEventListener('keydown',function(e){if(list.hidden||field!==f)return;
if(e.key==='ArrowDown'||e.key==='ArrowUp'){e.preventDefault();sel=(sel+(e.key==='ArrowDown'?1:items.length-1))%items.length;mark()}
else if(e.key==='Enter'&&sel>=0){e.preventDefault();pick(sel)}else if(e.key==='Escape')hide()})})}
`;
