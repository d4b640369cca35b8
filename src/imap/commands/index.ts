import type { Command } from '../command.js';
import type { CommandName } from '../protocol/commands.js';
import { deleteAcl, getAcl, listRights, myRights, setAcl } from './acl.js';
import { capability, enable, id, logout, noop } from './any-state.js';
import { authenticate, login, starttls } from './auth.js';
import { append } from './append.js';
import { compress } from './compress.js';
import { copy, move } from './copy-move.js';
import { expunge } from './expunge.js';
import { fetch } from './fetch.js';
import { idle } from './idle.js';
import { list, lsub, namespace, status } from './list.js';
import { create, del, rename, subscribe, unsubscribe } from './mailboxes.js';
import { getQuota, getQuotaRoot, setQuota } from './quota.js';
import { search } from './search.js';
import { sort, thread } from './sort.js';
import { check, close, examine, select, unselect } from './select.js';
import { store } from './store.js';

/** Every command this server runs; the grammar of the others is known, and they get BAD. */
export const COMMANDS: { [N in CommandName]?: Command<N> } = {
  CAPABILITY: capability,
  NOOP: noop,
  LOGOUT: logout,
  ID: id,
  STARTTLS: starttls,
  LOGIN: login,
  AUTHENTICATE: authenticate,
  ENABLE: enable,
  CREATE: create,
  DELETE: del,
  RENAME: rename,
  SUBSCRIBE: subscribe,
  UNSUBSCRIBE: unsubscribe,
  LIST: list,
  LSUB: lsub,
  NAMESPACE: namespace,
  STATUS: status,
  APPEND: append,
  IDLE: idle,
  COMPRESS: compress,
  SELECT: select,
  EXAMINE: examine,
  CLOSE: close,
  UNSELECT: unselect,
  CHECK: check,
  FETCH: fetch,
  STORE: store,
  SEARCH: search,
  SORT: sort,
  THREAD: thread,
  EXPUNGE: expunge,
  COPY: copy,
  MOVE: move,
  GETQUOTAROOT: getQuotaRoot,
  GETQUOTA: getQuota,
  SETQUOTA: setQuota,
  SETACL: setAcl,
  DELETEACL: deleteAcl,
  GETACL: getAcl,
  LISTRIGHTS: listRights,
  MYRIGHTS: myRights,
};
