-- Files sent on a ticket (a photo, a document) are kept where the
-- showcase keeps its media, once per content, so that they can be passed
-- on to the member or the staff chats and read again with the ticket.
-- A kept file may now be of any type: the showcase's own are still
-- checked by the code that keeps them.

-- +goose Up
ALTER TABLE showcase_media DROP CONSTRAINT showcase_media_type_check;
ALTER TABLE showcase_media ADD CONSTRAINT showcase_media_type_check CHECK (type ~ '^[a-z0-9.+-]+/[a-z0-9.+-]+$');

CREATE TABLE ticket_message_files (
    message_id bigint   NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    seq        smallint NOT NULL CHECK (seq >= 0),
    sha256     bytea    NOT NULL REFERENCES showcase_media (sha256),
    name       text     NOT NULL,
    PRIMARY KEY (message_id, seq)
);
CREATE INDEX ticket_message_files_sha256 ON ticket_message_files (sha256);

-- +goose Down
DROP TABLE ticket_message_files;
DELETE FROM showcase_media WHERE type NOT IN ('image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4');
ALTER TABLE showcase_media DROP CONSTRAINT showcase_media_type_check;
ALTER TABLE showcase_media ADD CONSTRAINT showcase_media_type_check CHECK (type IN ('image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4'));
