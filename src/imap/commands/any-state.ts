import { ANY, type Command } from '../command.js';
import { atom, untagged, untaggedStatus } from '../protocol/response-writer.js';

/** RFC 9051 §6.1.1 */
export const capability: Command<'CAPABILITY'> = {
  states: ANY,
  async run(session) {
    session.send(untagged(atom('CAPABILITY'), ...session.capabilities().map(atom)));
  },
};

/** RFC 9051 §6.1.2: does nothing, but the untagged updates go out before the OK */
export const noop: Command<'NOOP'> = {
  states: ANY,
  async run(session) {
    if (session.selected) session.selected.stale = true;
  },
};

/** RFC 9051 §6.1.3: BYE, then the tagged OK, then the server closes */
export const logout: Command<'LOGOUT'> = {
  states: [...ANY, 'logout'],
  async run(session) {
    session.send(untaggedStatus('BYE', 'hopthu logging out'));
    session.select(null);
    session.state = 'logout';
    return { after: () => session.close() };
  },
};

/** RFC 2971 §3.1: the server answers with its own identification */
export const id: Command<'ID'> = {
  states: ANY,
  async run(session, args) {
    // kept for the audit log's login events: "Thunderbird 115.3", "iOS Mail 17.1"
    const fields = new Map((args.params ?? []).map(([k, v]) => [k.toLowerCase(), v]));
    const name = fields.get('name');
    if (name) session.clientId = [name, fields.get('version')].filter(Boolean).join(' ').slice(0, 200);
    session.send(untagged(atom('ID'), ['name', 'hopthu', 'vendor', 'hopthu']));
  },
};

/** RFC 5161 §3.1: ENABLE lists only the extensions it turned on; unknown names are ignored */
export const enable: Command<'ENABLE'> = {
  states: ['authenticated'],
  async run(session, { capabilities }) {
    const turnedOn: string[] = [];
    // RFC 7162 §3.1: ENABLE CONDSTORE is a CONDSTORE enabling command
    if (capabilities.includes('CONDSTORE') && !session.enabled.has('CONDSTORE')) {
      session.enabled.add('CONDSTORE');
      session.condstore = true;
      turnedOn.push('CONDSTORE');
    }
    // RFC 7162 §3.2.3: ENABLE QRESYNC turns CONDSTORE on as well
    if (capabilities.includes('QRESYNC') && !session.enabled.has('QRESYNC')) {
      session.enabled.add('QRESYNC');
      session.qresync = true;
      session.condstore = true;
      turnedOn.push('QRESYNC');
    }
    // RFC 9051 §6.3.1: the client chooses IMAP4rev2, whose mailbox names are UTF-8 (§5.1)
    if (capabilities.includes('IMAP4REV2') && !session.enabled.has('IMAP4rev2')) {
      session.enabled.add('IMAP4rev2');
      session.rev2 = true;
      session.utf8 = true;
      turnedOn.push('IMAP4rev2');
    }
    // RFC 6855 §3: UTF-8 mailbox names and quoted strings
    if (capabilities.includes('UTF8=ACCEPT') && !session.enabled.has('UTF8=ACCEPT')) {
      session.enabled.add('UTF8=ACCEPT');
      session.utf8 = true;
      turnedOn.push('UTF8=ACCEPT');
    }
    session.send(untagged(atom('ENABLED'), ...turnedOn.map(atom)));
  },
};
