-- Ideas and feedback: members' ideas, bug reports, praise and questions,
-- their votes (one per member and item, across platforms), the status
-- changes staff make, the private notices that tell each author and voter
-- (exactly once per member and change), and the place on each platform
-- where new items are posted with a Vote button.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE feedback_items (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint      REFERENCES members (id) ON DELETE SET NULL, -- the author; NULL: a former member
    kind        text        NOT NULL CHECK (kind IN ('idea', 'bug', 'praise', 'question')),
    title       text        NOT NULL CHECK (title <> '' AND char_length(title) <= 120),
    body        text        NOT NULL DEFAULT '' CHECK (char_length(body) <= 2000),
    language    text        NOT NULL DEFAULT '', -- the author's, for look-alikes
    platform    text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'under_review', 'planned', 'in_progress', 'done', 'declined', 'merged')),
    merged_into bigint      REFERENCES feedback_items (id),
    votes       integer     NOT NULL DEFAULT 0 CHECK (votes >= 0), -- the rows of feedback_votes, kept with them
    created_at  timestamptz NOT NULL,
    changed_at  timestamptz NOT NULL,
    -- the event that posted the item: its deliveries hold the posts'
    -- message ids, which the count and status are edited into
    post_event  bigint      REFERENCES outbox_events (id) ON DELETE SET NULL,
    -- when the posts are next edited (NULL: no edit due); at most one
    -- edit is due per item, so a burst of votes costs one edit
    refresh_at  timestamptz,
    refreshed_at timestamptz,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
CREATE INDEX feedback_items_member ON feedback_items (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX feedback_items_merged_into ON feedback_items (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX feedback_items_post_event ON feedback_items (post_event) WHERE post_event IS NOT NULL;
CREATE INDEX feedback_items_top ON feedback_items (votes DESC, id DESC) WHERE status NOT IN ('merged', 'declined');
CREATE INDEX feedback_items_status ON feedback_items (status, changed_at DESC);
CREATE INDEX feedback_items_similar ON feedback_items USING gin ((title || ' ' || body) gin_trgm_ops);

-- One vote per member and item. An erased member's votes stay, anonymous,
-- so that the counts do not change.
CREATE TABLE feedback_votes (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id   bigint      NOT NULL REFERENCES feedback_items (id) ON DELETE CASCADE,
    member_id bigint      REFERENCES members (id) ON DELETE SET NULL,
    at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX feedback_votes_once ON feedback_votes (item_id, member_id);
CREATE INDEX feedback_votes_member ON feedback_votes (member_id) WHERE member_id IS NOT NULL;

-- What a member is writing: held between /idea and the member choosing
-- the kind or a look-alike.
CREATE TABLE feedback_drafts (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind       text        NOT NULL DEFAULT '' CHECK (kind IN ('', 'idea', 'bug', 'praise', 'question')),
    title      text        NOT NULL CHECK (title <> '' AND char_length(title) <= 120),
    body       text        NOT NULL DEFAULT '' CHECK (char_length(body) <= 2000),
    language   text        NOT NULL DEFAULT '',
    platform   text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX feedback_drafts_member ON feedback_drafts (member_id);
CREATE INDEX feedback_drafts_created ON feedback_drafts (created_at);

-- Each status change staff made, with their comment.
CREATE TABLE feedback_changes (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id     bigint      NOT NULL REFERENCES feedback_items (id) ON DELETE CASCADE,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    merged_into bigint      REFERENCES feedback_items (id) ON DELETE CASCADE,
    comment     text        NOT NULL DEFAULT '' CHECK (char_length(comment) <= 500),
    by_member   bigint      REFERENCES members (id) ON DELETE SET NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX feedback_changes_item ON feedback_changes (item_id, at);
CREATE INDEX feedback_changes_merged_into ON feedback_changes (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX feedback_changes_by ON feedback_changes (by_member) WHERE by_member IS NOT NULL;

-- Who is told of a change: its author and voters, once each. A notice is
-- queued (event_id, queued_at) in the transaction that writes the event
-- telling them, so a crash neither loses nor repeats it; a member's
-- pending notices go out together. unreachable: Hearth could not write to
-- the member privately when it was queued (counted, not lost).
CREATE TABLE feedback_notices (
    change_id   bigint      NOT NULL REFERENCES feedback_changes (id) ON DELETE CASCADE,
    member_id   bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    event_id    bigint      REFERENCES outbox_events (id) ON DELETE SET NULL,
    queued_at   timestamptz,
    unreachable boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (change_id, member_id)
);
CREATE INDEX feedback_notices_pending ON feedback_notices (member_id, created_at) WHERE queued_at IS NULL;
CREATE INDEX feedback_notices_member ON feedback_notices (member_id, queued_at);
CREATE INDEX feedback_notices_event ON feedback_notices (event_id) WHERE event_id IS NOT NULL;

-- Where each platform's new items are posted (/setideas): a group,
-- channel or forum topic. Without one, the staff chat.
CREATE TABLE feedback_places (
    platform  text        PRIMARY KEY,
    chat_id   bigint      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    thread_id text        NOT NULL DEFAULT '',
    set_by    bigint      REFERENCES members (id) ON DELETE SET NULL,
    set_at    timestamptz NOT NULL
);
CREATE INDEX feedback_places_chat ON feedback_places (chat_id);
CREATE INDEX feedback_places_set_by ON feedback_places (set_by) WHERE set_by IS NOT NULL;

-- +goose Down
DROP TABLE feedback_places;
DROP TABLE feedback_notices;
DROP TABLE feedback_changes;
DROP TABLE feedback_drafts;
DROP TABLE feedback_votes;
DROP TABLE feedback_items;
