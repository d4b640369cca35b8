import { describe, expect, it } from 'vitest';
import { baseSubject } from '../../../src/mail/base-subject.js';

describe('RFC 5256 §2.1 base subject', () => {
  it.each([
    ['Kế hoạch chuyển đổi số', 'Kế hoạch chuyển đổi số', false],
    ['Re: Kế hoạch', 'Kế hoạch', true],
    ['RE: re: Fwd: Kế hoạch', 'Kế hoạch', true],
    ['Re[2]: Re: Kế hoạch', 'Kế hoạch', true],
    ['Fw: Kế hoạch', 'Kế hoạch', true],
    ['[Fwd: Kế hoạch] (fwd)', 'Kế hoạch', true],
    ['[fwd: Re: Kế hoạch]', 'Kế hoạch', true],
    ['Kế hoạch (fwd) (FWD)  ', 'Kế hoạch', true],
    // step 4: a leading blob goes only when something is left
    ['[He thong] Thông báo', 'Thông báo', false],
    ['[He thong]', '[He thong]', false],
    ['[a] [b] Re: x', 'x', true],
    ['[UBND] Re: [Sở TC] Re: Báo cáo', 'Báo cáo', true],
    // step 1: tabs and runs of white space become one space
    ['Re:\tKế   hoạch\r\n  số', 'Kế hoạch số', true],
    ['', '', false],
    ['Re:', '', true],
    // "re" must be followed by ":" (after optional white space and one blob)
    ['Review of the plan', 'Review of the plan', false],
    ['Re : x', 'x', true],
    ['Re [2] : x', 'x', true],
    // step 6 needs both the header and the trailer
    ['[Fwd: x', '[Fwd: x', false],
  ])('%j → %j', (subject, text, replyOrForward) => {
    expect(baseSubject(subject)).toEqual({ text, replyOrForward });
  });
});
