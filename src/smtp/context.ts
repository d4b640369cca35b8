import type { AuthSettings } from '../identity/authenticate.js';
import type { DeliveryContext } from '../delivery/context.js';
import type { TlsMaterial } from '../store/tls.js';
import type { ConnectionCounter } from '../shared/connection-counter.js';

export type ListenerRole = 'mx' | 'submission' | 'submissions';

export interface SmtpContext extends DeliveryContext {
  tls: TlsMaterial;
  connections: ConnectionCounter;
  /** temporary files of incoming messages that spill out of memory */
  tmpDir: string;
  /** what authentication needs: the configuration, and the directory's password check when a domain uses it */
  authSettings: AuthSettings;
}

/** What an authenticated submission session carries in session.user. */
export interface SessionUser {
  accountId: number;
  address: string;
}
