-- Retention: messages Hearth sent are kept for outbox.keep_sent (a week by
-- default), then an hourly job deletes them with the events they came
-- from; erasing a member finds the welcome and captcha events of their
-- joins. These indexes find both without reading whole tables.

-- +goose Up
CREATE INDEX deliveries_sent ON deliveries (sent_at) WHERE status = 'sent';
CREATE INDEX outbox_events_rendered ON outbox_events (rendered_at) WHERE status = 'rendered';
-- Deleting an event clears the joins that point to it (ON DELETE SET NULL).
CREATE INDEX onboarding_joins_welcome_event ON onboarding_joins (welcome_event) WHERE welcome_event IS NOT NULL;
CREATE INDEX onboarding_joins_captcha_event ON onboarding_joins (captcha_event) WHERE captcha_event IS NOT NULL;

-- +goose Down
DROP INDEX onboarding_joins_captcha_event;
DROP INDEX onboarding_joins_welcome_event;
DROP INDEX outbox_events_rendered;
DROP INDEX deliveries_sent;
