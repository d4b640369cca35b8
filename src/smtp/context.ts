import type { DeliveryContext } from '../delivery/context.js';
import type { TlsMaterial } from '../store/tls.js';
import type { ConnectionCounter } from '../shared/connection-counter.js';

export type ListenerRole = 'mx' | 'submission' | 'submissions';

export interface SmtpContext extends DeliveryContext {
  tls: TlsMaterial;
  connections: ConnectionCounter;
  /** temporary files of incoming messages that spill out of memory */
  tmpDir: string;
}

/** What an authenticated submission session carries in session.user. */
export interface SessionUser {
  accountId: number;
  address: string;
}
