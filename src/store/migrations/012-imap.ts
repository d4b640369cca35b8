/**
 * What SORT and THREAD (RFC 5256) compare, made once per blob from its parsed search
 * fields (src/mail/sort-keys.ts) and kept beside it, so a SORT of 10,000 messages reads
 * short columns instead of every blob's parsed description.
 */
export const sql = `
CREATE TABLE blob_sort_keys (
  hash          text PRIMARY KEY REFERENCES blobs(hash) ON DELETE CASCADE,
  -- SORT_KEYS_VERSION of the extract; an older one is made again lazily
  version       smallint NOT NULL,
  -- RFC 5256 §2.1 base subject of the first Subject, decoded (NFC), and whether it is a reply or forward
  base_subject  text NOT NULL,
  reply         boolean NOT NULL,
  -- RFC 5256 §3 FROM / TO / CC: the mailbox (local part) of the first address, or its group's name
  from_key      text NOT NULL,
  to_key        text NOT NULL,
  cc_key        text NOT NULL,
  -- RFC 5957 §3 DISPLAYFROM / DISPLAYTO: the first address's display name, else its address
  display_from  text NOT NULL,
  display_to    text NOT NULL,
  -- the first Date header's instant; NULL when absent or unreadable (SORT then uses INTERNALDATE)
  sent_at       timestamptz,
  -- RFC 5256 §2.2 REFERENCES: the Message-ID, and the references (References, else the first In-Reply-To)
  message_id    text,
  refs          text[] NOT NULL
);
`;
