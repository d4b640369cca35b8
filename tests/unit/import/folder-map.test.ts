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

  // RFC 2342 §5: on a Courier-layout server (Dovecot with prefix "INBOX.") every folder sits under the prefix
  it.each([
    ['INBOX', null, { kind: 'inbox' }],
    ['INBOX.Thư đã gửi', null, { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['INBOX.Sent Items', null, { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['INBOX.Đã gửi đi', '\\Sent', { kind: 'special', use: '\\Sent', name: 'Sent' }],
    ['INBOX.Dự án', null, { kind: 'named', name: 'Dự án' }],
    ['INBOX.Dự án.Đường tỉnh 151', null, { kind: 'named', name: 'Dự án/Đường tỉnh 151' }],
    ['INBOX.Dự án.Sent', null, { kind: 'named', name: 'Dự án/Sent' }],
  ] as const)('%s under the personal prefix "INBOX." (special-use %s)', (path, use, expected) => {
    expect(mapFolder(path, '.', use, 'INBOX.')).toEqual(expected);
  });

  // RFC 9051 §6.3.9: Dovecot accepts the LIST wildcards in names; hopthu keeps their full-width forms
  it.each([
    ['50% xong', '50％ xong'],
    ['Quan trọng*', 'Quan trọng＊'],
    ['Hồ sơ/100% hoàn thành', 'Hồ sơ/100％ hoàn thành'],
  ])('%s becomes %s', (path, name) => {
    expect(mapFolder(path, '/', null)).toEqual({ kind: 'named', name });
  });
});
