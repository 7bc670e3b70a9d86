-- Privacy: a member who asks to be forgotten leaves their activities
-- behind as anonymous rows (no member, no message id), so that the
-- community's totals and digests stay right.

-- +goose Up
ALTER TABLE activities ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE activities DROP CONSTRAINT activities_member_id_fkey;
ALTER TABLE activities ADD CONSTRAINT activities_member_id_fkey
    FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE SET NULL;

-- +goose Down
DELETE FROM activities WHERE member_id IS NULL;
ALTER TABLE activities DROP CONSTRAINT activities_member_id_fkey;
ALTER TABLE activities ADD CONSTRAINT activities_member_id_fkey
    FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE;
ALTER TABLE activities ALTER COLUMN member_id SET NOT NULL;
