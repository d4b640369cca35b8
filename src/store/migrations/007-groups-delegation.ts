/**
 * Distribution groups (static members, or dynamic ones resolved at delivery from the
 * agency tree) with a posting rule each, and delegation of agency mailboxes to people.
 */
export const sql = `
CREATE TABLE distribution_groups (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_id           bigint NOT NULL REFERENCES domains(id),
  -- unique across accounts, aliases and groups (checked by the identity module)
  address             text NOT NULL UNIQUE CHECK (address = lower(address)),
  name                text NOT NULL DEFAULT '',
  -- static: group_members; agency-staff: active person accounts of an agency;
  -- agency-mailboxes: active agency accounts of an agency, or of the whole province
  kind                text NOT NULL DEFAULT 'static' CHECK (kind IN ('static', 'agency-staff', 'agency-mailboxes')),
  agency_id           bigint REFERENCES agencies(id),
  include_subagencies boolean NOT NULL DEFAULT true,
  -- who may post: members, senders of an agency subtree, senders of the local domains, anyone
  post_rule           text NOT NULL DEFAULT 'members' CHECK (post_rule IN ('members', 'agency', 'domain', 'anyone')),
  post_agency_id      bigint REFERENCES agencies(id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'agency-staff' OR agency_id IS NOT NULL),
  CHECK (kind <> 'static' OR agency_id IS NULL),
  CHECK ((post_rule = 'agency') = (post_agency_id IS NOT NULL))
);
CREATE INDEX distribution_groups_agency ON distribution_groups (agency_id);

CREATE TABLE group_members (
  group_id   bigint NOT NULL REFERENCES distribution_groups(id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  added_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_account ON group_members (account_id);

CREATE TABLE delegations (
  -- the agency mailbox
  mailbox_id  bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  -- the person who may read and/or send as it
  delegate_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  can_read    boolean NOT NULL DEFAULT false,
  can_send    boolean NOT NULL DEFAULT false,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox_id, delegate_id),
  CHECK (mailbox_id <> delegate_id),
  CHECK (can_read OR can_send)
);
CREATE INDEX delegations_delegate ON delegations (delegate_id);
`;
