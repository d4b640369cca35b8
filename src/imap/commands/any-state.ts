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
  async run(session) {
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
    session.send(untagged(atom('ENABLED'), ...turnedOn.map(atom)));
  },
};
