-- Professional self-registration (src/registration): e-mail confirmation tokens, single use, with an expiry.
-- Only the SHA-256 of a token is stored; the account stays disabled until its token is used.
CREATE TABLE registration_token (
  token_hash text PRIMARY KEY,
  account_id text NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  practitioner text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX registration_token_account_idx ON registration_token (account_id);
