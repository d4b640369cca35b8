import type { CliCommand } from './command.js';

export const migrateCommand: CliCommand = {
  needs: 'db',
  async run(rt) {
    // opening the runtime applied them already (runtime.ts): report what it did
    const applied = rt.migrationsApplied;
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  },
};
