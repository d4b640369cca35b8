import { getAccount } from '../../identity/accounts.js';
import { getPreferences, setVacation, type Vacation } from '../../identity/preferences.js';
import { cliActor, CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

/** The vacation as a few lines a person reads. */
function describeVacation(address: string, v: Vacation): string {
  const window = v.start || v.end ? `${v.start ?? 'now'} to ${v.end ?? 'until switched off'}` : 'no dates: while switched on';
  return [
    `${address}: vacation auto-reply ${v.enabled ? 'ON' : 'off'}`,
    `  days:    ${window}`,
    `  period:  one reply per sender every ${v.days} day${v.days === 1 ? '' : 's'}`,
    `  subject: ${v.subject || '"Auto: " and the subject answered'}`,
    ...(v.body ? ['  text:', ...v.body.split('\n').map((l) => `    ${l}`)] : ['  text:    (none)']),
  ].join('\n');
}

export const accountVacation: CliCommand = {
  options: { off: { type: 'boolean' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [address], values) {
    if (!address) throw new CliUsageError('which account? hopthu account vacation ADDRESS [--off]');
    const account = await getAccount(rt.db, address);
    const vacation = values.off
      ? (await setVacation(rt.db, account.id, { enabled: false }, { actor: cliActor(), source: 'cli' })).vacation
      : (await getPreferences(rt.db, account.id)).vacation;
    console.log(values.json ? JSON.stringify(vacation, null, 2) : describeVacation(account.address, vacation));
  },
};
