-- Subscription delivery (area: src/sync/subscriptions). Each active rest-hook Subscription follows
-- the change feed from its own position; a notification that keeps failing goes to the dead letters
-- (visible to administrators) so that the following ones are not blocked for ever.
CREATE TABLE subscription_delivery (
  subscription_id text PRIMARY KEY,
  -- Feed position "<txid>.<seq>" after the last change handled (delivered, skipped or dead-lettered).
  cursor text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text,
  -- The API node delivering (one at a time per subscription, to keep the order).
  lease_owner text,
  lease_until timestamptz
);

CREATE TABLE subscription_dead_letter (
  seq bigserial PRIMARY KEY,
  subscription_id text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  version_id integer NOT NULL,
  attempts integer NOT NULL,
  error text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscription_dead_letter_sub_idx ON subscription_dead_letter (subscription_id, seq);
