-- +goose Up
-- The groups that get the weekly public highlight (issue 19): staff turn
-- it on in a group with /highlights on. The highlight names no one who
-- hid from /top.
CREATE TABLE highlight_places (
    chat_id bigint      PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    set_by  bigint      REFERENCES members (id) ON DELETE SET NULL,
    set_at  timestamptz NOT NULL
);
CREATE INDEX highlight_places_set_by ON highlight_places (set_by) WHERE set_by IS NOT NULL;

-- +goose Down
DROP TABLE highlight_places;
