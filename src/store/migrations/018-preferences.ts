/**
 * Per-account preferences the webmail's settings page edits (language, signature,
 * vacation auto-reply), and the senders each vacation has answered, so a sender gets
 * at most one reply per period (RFC 5230 §4.1 :days, RFC 3834 §2).
 */
export const sql = `
CREATE TABLE account_preferences (
  account_id        bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  language          text NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
  signature         text NOT NULL DEFAULT '' CHECK (char_length(signature) <= 2000),
  vacation_enabled  boolean NOT NULL DEFAULT false,
  -- '' means "Auto: " and the subject of the message answered
  vacation_subject  text NOT NULL DEFAULT '' CHECK (char_length(vacation_subject) <= 200),
  vacation_body     text NOT NULL DEFAULT '' CHECK (char_length(vacation_body) <= 5000),
  -- calendar days in the server's time zone, both included; NULL: open
  vacation_start    date,
  vacation_end      date CHECK (vacation_end >= vacation_start),
  vacation_days     integer NOT NULL DEFAULT 7 CHECK (vacation_days BETWEEN 1 AND 365),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- delivery asks only about the few accounts whose vacation is on
CREATE INDEX account_preferences_vacation ON account_preferences (account_id) WHERE vacation_enabled;

CREATE TABLE vacation_replies (
  account_id   bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  -- the envelope sender answered, lower-cased
  sender       text NOT NULL,
  last_sent_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, sender)
);
`;
