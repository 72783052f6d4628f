-- Password reset by e-mail (src/security/password-reset.ts): single-use tokens, stored as their SHA-256 only.
CREATE TABLE password_reset (
  token_hash text PRIMARY KEY,
  account_id text NOT NULL REFERENCES account (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  remote_addr text
);
CREATE INDEX password_reset_account_idx ON password_reset (account_id, created_at);
