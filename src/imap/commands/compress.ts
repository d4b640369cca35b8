import { AUTHENTICATED, type Command } from '../command.js';
import { ImapBad, ImapNo } from '../errors.js';

/** RFC 4978 §3 COMPRESS DEFLATE: both directions become raw DEFLATE right after the tagged OK */
export const compress: Command<'COMPRESS'> = {
  states: AUTHENTICATED,
  async run(session, { algorithm }) {
    // RFC 4978 §3: an algorithm the server does not offer is BAD
    if (algorithm !== 'DEFLATE') throw new ImapBad(`COMPRESS ${algorithm} is not supported; use COMPRESS DEFLATE (RFC 4978 section 3)`);
    // RFC 4978 §3: a second COMPRESS is NO [COMPRESSIONACTIVE]
    if (session.compressed) throw new ImapNo('COMPRESSIONACTIVE', 'DEFLATE compression is already on');
    return { text: 'DEFLATE active', after: () => session.startCompression() };
  },
};
