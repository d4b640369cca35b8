import { describe, expect, it } from 'vitest';
import { agencyTreeLines } from '../../../src/cli/commands/agency.js';
import type { Agency } from '../../../src/identity/agencies.js';

const agency = (id: number, code: string, parentId: number | null, status: Agency['status'] = 'active'): Agency => ({
  id, code, name: `Tên ${code}`, parentId, externalId: null, status, createdAt: new Date(0),
});

describe('agency list tree', () => {
  it('puts each agency under its parent, two spaces a level, in the order given (by code)', () => {
    const lines = agencyTreeLines([
      agency(1, 'HUYEN-VY', null),
      agency(2, 'SNV', 5),
      agency(3, 'SNV-VP', 2),
      agency(4, 'XA-AN-BINH', 1, 'archived'),
      agency(5, 'UBND', null),
    ]);
    expect(lines).toEqual([
      'HUYEN-VY  Tên HUYEN-VY',
      '  XA-AN-BINH  Tên XA-AN-BINH (archived)',
      'UBND  Tên UBND',
      '  SNV  Tên SNV',
      '    SNV-VP  Tên SNV-VP',
    ]);
  });

  it('is empty for no agencies', () => {
    expect(agencyTreeLines([])).toEqual([]);
  });
});
