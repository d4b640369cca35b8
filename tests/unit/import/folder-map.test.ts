import { describe, expect, it } from 'vitest';
import { mapFolder } from '../../../src/import/folder-map.js';

describe('where an old folder goes', () => {
  it.each([
    ['INBOX', '/', null, { kind: 'inbox' }],
    ['inbox', '.', null, { kind: 'inbox' }],
    ['Gửi đi', '/', '\\Sent', { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['Thư đã gửi', '/', null, { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['THƯ ĐÃ GỬI', '.', null, { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['Sent Items', '/', null, { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['Deleted Items', '/', null, { kind: 'special', use: '\\Trash', name: 'Trash' }],
    ['Thùng rác', '/', null, { kind: 'special', use: '\\Trash', name: 'Trash' }],
    ['Thư rác', '/', null, { kind: 'special', use: '\\Junk', name: 'Junk' }],
    ['Junk E-mail', '/', null, { kind: 'special', use: '\\Junk', name: 'Junk' }],
    ['Thư nháp', '/', null, { kind: 'special', use: '\\Drafts', name: 'Drafts' }],
    ['Lưu trữ', '/', '\\Archive', { kind: 'special', use: '\\Archive', name: 'Archive' }],
    // a folder named like a special one deeper in the tree stays where it is
    ['Dự án/Sent', '/', null, { kind: 'named', name: 'Dự án/Sent' }],
    // the old server's delimiter becomes "/", and a "/" inside a name cannot stay one
    ['Dự án.2024', '.', null, { kind: 'named', name: 'Dự án/2024' }],
    ['Báo cáo 1/2024.Tháng 3', '.', null, { kind: 'named', name: 'Báo cáo 1_2024/Tháng 3' }],
    ['Công văn đến', '/', null, { kind: 'named', name: 'Công văn đến' }],
  ] as const)('%s (delimiter %s, special-use %s)', (path, delimiter, use, expected) => {
    expect(mapFolder(path, delimiter, use)).toEqual(expected);
  });
});
