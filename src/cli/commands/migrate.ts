import { migrate } from '../../store/migrate.js';
import type { CliCommand } from './command.js';

export const migrateCommand: CliCommand = {
  needs: 'db',
  async run(rt) {
    const applied = await migrate(rt.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  },
};
