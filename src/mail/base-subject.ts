/**
 * The base subject of RFC 5256 §2.1: what SORT (SUBJECT) compares and what THREAD groups
 * by. It works on the decoded subject (step 1's RFC 2047 decoding is done by the parser,
 * mime/search-fields.ts). Matching of "re", "fw", "fwd" is case-insensitive.
 */

export interface BaseSubject {
  /** the base subject, possibly empty */
  text: string;
  /** RFC 5256 §2.1: the extraction removed a subj-refwd, a "(fwd)" trailer or a subj-fwd, so the message is a reply or forward */
  replyOrForward: boolean;
}

// RFC 5256 §5: subj-blob = "[" *BLOBCHAR "]" *WSP; BLOBCHAR is any CHAR but "[" and "]"
const BLOB = String.raw`\[[^\[\]]*\] *`;
// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; subj-leader = (*subj-blob subj-refwd) / WSP
const LEADER_REFWD = new RegExp(String.raw`^(?:${BLOB})*(?:re|fwd?) *(?:${BLOB})?:`, 'i');
const LEADING_BLOB = new RegExp(`^${BLOB}`);
// subj-trailer = "(fwd)" / WSP
const TRAILER_FWD = /\(fwd\)$/i;
// subj-fwd-hdr = "[fwd:", subj-fwd-trl = "]"
const FWD_HDR = /^\[fwd:/i;

export function baseSubject(subject: string): BaseSubject {
  // step 1: tabs and continuations become a space, runs of spaces one space
  let s = subject.replace(/[ \t\r\n]+/g, ' ');
  let replyOrForward = false;
  for (;;) {
    // step 2: remove every trailing subj-trailer
    for (;;) {
      const t = s.replace(/ +$/, '');
      if (TRAILER_FWD.test(t)) {
        s = t.slice(0, -5);
        replyOrForward = true;
      } else if (t !== s) s = t;
      else break;
    }
    // steps 3-5: remove subj-leader prefixes, and a subj-blob that leaves a non-empty subj-base
    for (;;) {
      const before = s;
      s = s.replace(/^ +/, '');
      const refwd = LEADER_REFWD.exec(s);
      if (refwd) {
        s = s.slice(refwd[0].length);
        replyOrForward = true;
        continue;
      }
      const blob = LEADING_BLOB.exec(s);
      if (blob && blob[0].length < s.length) s = s.slice(blob[0].length);
      if (s === before) break;
    }
    // step 6: "[fwd: subject]" is unwrapped and the extraction starts again at step 2
    if (FWD_HDR.test(s) && s.endsWith(']')) {
      s = s.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    return { text: s, replyOrForward };
  }
}
