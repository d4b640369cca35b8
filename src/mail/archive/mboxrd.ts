/**
 * The mboxrd format (RFC 4155 and its appendix; "mboxrd" as qmail and mutt write it):
 * each message starts with a "From " separator line and ends with an empty line; inside
 * a message every line that matches /^>*From / gets one more ">", so a reader that
 * removes one ">" from such lines gets the message back byte for byte.
 */

const GT = Buffer.from('>');
const FROM_ = Buffer.from('From ');
const LF = 0x0a;

type Match = 'yes' | 'no' | 'undecided';

/** Does the line starting at `start` match /^>*From /? 'undecided' when the data ends first. */
function fromLineAt(data: Buffer, start: number): Match {
  let i = start;
  while (i < data.length && data[i] === 0x3e) i++;
  for (let k = 0; k < FROM_.length; k++, i++) {
    if (i >= data.length) return 'undecided';
    if (data[i] !== FROM_[k]) return 'no';
  }
  return 'yes';
}

function nextLineStart(data: Buffer, from: number): number {
  const lf = data.indexOf(LF, from);
  return lf === -1 ? -1 : lf + 1;
}

/**
 * Quotes one message's bytes as they stream by. The bytes at a line start that could
 * still become "From " (a run of ">" and a prefix of "From ") wait for the next chunk.
 */
export class MboxrdQuoter {
  private carry: Buffer | undefined;
  private atLineStart = true;

  /** The quoted bytes of `chunk` that can be written now. */
  push(chunk: Buffer): Buffer[] {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const out: Buffer[] = [];
    let emitted = 0;
    let start = this.atLineStart ? 0 : nextLineStart(data, 0);
    while (start !== -1 && start < data.length) {
      const match = fromLineAt(data, start);
      if (match === 'undecided') {
        out.push(data.subarray(emitted, start));
        this.carry = Buffer.from(data.subarray(start));
        this.atLineStart = true;
        return out;
      }
      // RFC 4155 appendix (mboxrd): >*From  gains one more >
      if (match === 'yes') {
        out.push(data.subarray(emitted, start), GT);
        emitted = start;
      }
      start = nextLineStart(data, start);
    }
    out.push(data.subarray(emitted));
    if (data.length > 0) this.atLineStart = data[data.length - 1] === LF;
    return out;
  }

  /** What is left at the end of the message (an unfinished line cannot be a "From " line any more). */
  end(): Buffer[] {
    const rest = this.carry ? [this.carry] : [];
    this.carry = undefined;
    this.atLineStart = true;
    return rest;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C's asctime() form in UTC, as the separator line carries it: "Thu Nov 26 04:56:32 2026". */
export function asctime(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * RFC 4155 §2: "From " + the sender's address + the date. The envelope sender is not
 * kept, so the address comes from the From header when it has one that fits.
 */
export function separatorLine(fromText: string | null, internalDate: Date): Buffer {
  const address = /<?([^\s<>"@]+@[^\s<>"@]+)>?/.exec(fromText ?? '')?.[1];
  return Buffer.from(`From ${address && /^[\x21-\x7e]+$/.test(address) ? address : 'MAILER-DAEMON'} ${asctime(internalDate)}\n`, 'ascii');
}
