-- Schema 5: what a server profile rules for its agents (the discount policy and the
-- cancellation reasons, `orderdesk_core::ProfilePolicy` as JSON). NULL: none set, the defaults
-- apply. Kept apart from the connection columns: saving a profile's connection never
-- changes its policy.
ALTER TABLE server_profiles ADD COLUMN policy TEXT;

