-- An index for every foreign key that had none, so that deleting or
-- changing a row others refer to (a member forgotten, a chat gone, a
-- sanction or a model deleted) looks the referring rows up instead of
-- reading their whole table: forgetting one member read every warning,
-- sanction, report, announcement and audit entry. A nullable column's
-- index leaves its NULLs out (who closed a report, who lifted a sanction:
-- mostly nobody yet). Built concurrently, so a large community keeps
-- working while they are built. TestEveryForeignKeyIsIndexed keeps it so.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS announcement_posts_chat_id ON announcement_posts (chat_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS announcements_author_id ON announcements (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS announcements_settled_by ON announcements (settled_by) WHERE settled_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_chat_id ON audit_log (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS chats_parent_id ON chats (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS clv_snapshots_model_id ON clv_snapshots (model_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS help_places_set_by ON help_places (set_by) WHERE set_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS moderation_notes_by_member_id ON moderation_notes (by_member_id) WHERE by_member_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS moderation_reviews_closed_by ON moderation_reviews (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS moderation_reviews_sanction_id ON moderation_reviews (sanction_id) WHERE sanction_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS onboarding_joins_chat_id ON onboarding_joins (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS onboarding_joins_member_id ON onboarding_joins (member_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS reports_chat_id ON reports (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS reports_closed_by ON reports (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS sanctions_by_member_id ON sanctions (by_member_id) WHERE by_member_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS sanctions_lifted_by ON sanctions (lifted_by) WHERE lifted_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS staff_added_by ON staff (added_by) WHERE added_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_closed_by ON tickets (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS warnings_by_member_id ON warnings (by_member_id) WHERE by_member_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS warnings_removed_by ON warnings (removed_by) WHERE removed_by IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS welcome_templates_updated_by ON welcome_templates (updated_by) WHERE updated_by IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS welcome_templates_updated_by;
DROP INDEX CONCURRENTLY IF EXISTS warnings_removed_by;
DROP INDEX CONCURRENTLY IF EXISTS warnings_by_member_id;
DROP INDEX CONCURRENTLY IF EXISTS tickets_closed_by;
DROP INDEX CONCURRENTLY IF EXISTS staff_added_by;
DROP INDEX CONCURRENTLY IF EXISTS sanctions_lifted_by;
DROP INDEX CONCURRENTLY IF EXISTS sanctions_by_member_id;
DROP INDEX CONCURRENTLY IF EXISTS reports_closed_by;
DROP INDEX CONCURRENTLY IF EXISTS reports_chat_id;
DROP INDEX CONCURRENTLY IF EXISTS onboarding_joins_member_id;
DROP INDEX CONCURRENTLY IF EXISTS onboarding_joins_chat_id;
DROP INDEX CONCURRENTLY IF EXISTS moderation_reviews_sanction_id;
DROP INDEX CONCURRENTLY IF EXISTS moderation_reviews_closed_by;
DROP INDEX CONCURRENTLY IF EXISTS moderation_notes_by_member_id;
DROP INDEX CONCURRENTLY IF EXISTS help_places_set_by;
DROP INDEX CONCURRENTLY IF EXISTS clv_snapshots_model_id;
DROP INDEX CONCURRENTLY IF EXISTS chats_parent_id;
DROP INDEX CONCURRENTLY IF EXISTS audit_log_chat_id;
DROP INDEX CONCURRENTLY IF EXISTS announcements_settled_by;
DROP INDEX CONCURRENTLY IF EXISTS announcements_author_id;
DROP INDEX CONCURRENTLY IF EXISTS announcement_posts_chat_id;
