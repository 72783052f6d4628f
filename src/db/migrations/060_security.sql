-- Security (area: src/security): people's accounts, consumer applications, web sessions, JWT signing
-- keys, login throttling, OpenID Connect login state, and the sensitive-offer flag used by access rules.

-- People: national / regional administrators, structure referents, private-practice professionals.
CREATE TABLE account (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  display_name text,
  role text NOT NULL CHECK (role IN ('national-admin', 'regional-admin', 'referent', 'professional')),
  -- TRE_R30 region codes (regional-admin)
  regions text[] NOT NULL DEFAULT '{}',
  -- Organization ids of the EJ/EG the person answers for (referent)
  organizations text[] NOT NULL DEFAULT '{}',
  -- Practitioner id (professional)
  practitioner text,
  -- argon2id PHC string; null = OpenID Connect login only
  password_hash text,
  -- `issuer|subject` of an OpenID Connect identity linked to the account
  oidc_subject text UNIQUE,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Consumer and feeder applications (OAuth2 client credentials, optionally an mTLS certificate subject).
CREATE TABLE application (
  client_id text PRIMARY KEY,
  name text NOT NULL,
  secret_hash text,
  access_profile smallint NOT NULL CHECK (access_profile BETWEEN 0 AND 5),
  scopes text[] NOT NULL DEFAULT '{}',
  cert_subject text UNIQUE,
  revoked boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Web sessions: only the SHA-256 of the cookie value is kept, with the CSRF token of the session.
CREATE TABLE web_session (
  id_hash text PRIMARY KEY,
  account_id text NOT NULL REFERENCES account (id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_session_account_idx ON web_session (account_id);

-- JWT signing key pair generated at first start when ROR_JWT_SECRET is not set.
CREATE TABLE signing_key (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed logins, per account e-mail and per IP address, for throttling (shared by all API nodes).
CREATE TABLE auth_failure (
  key text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failure_key_idx ON auth_failure (key, at);

-- Pending OpenID Connect logins (authorization code + PKCE): state → verifier and nonce.
CREATE TABLE oidc_login (
  state text PRIMARY KEY,
  code_verifier text NOT NULL,
  nonce text NOT NULL,
  return_to text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Sensitive offers (uniteSensible = true) are hidden from most consumers: a column the access
-- predicate of every search can test cheaply.
ALTER TABLE healthcare_service ADD COLUMN sensitive boolean GENERATED ALWAYS AS (
  coalesce(content -> 'extension' @> '[{"url": "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice-sensitive-unit", "valueBoolean": true}]'::jsonb, false)
) STORED;
CREATE INDEX healthcare_service_sensitive_idx ON healthcare_service (id) WHERE sensitive;
