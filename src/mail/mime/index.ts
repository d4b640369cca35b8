export { parseMessage } from './parse-structure.js';
export { octetBytes, toOctetString } from './octet-string.js';
export { decodeHeaderText } from './encoded-words.js';
export type {
  Envelope,
  EnvelopeAddress,
  MimeParam,
  MimePart,
  OctetString,
  ParsedMessage,
  PartKind,
  SearchAddress,
  SearchFields,
} from './types.js';
