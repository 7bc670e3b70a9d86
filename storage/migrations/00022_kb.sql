-- The support desk's knowledge base: the entries staff write (a question
-- as members ask it, its answer, tags, a language), the words of each as
-- the language's search configuration stems them (accents folded), every
-- word of a language with the number of entries that hold it (how rare a
-- word is, and the words a misspelt one may be, by trigram similarity),
-- the entries each word is in (what a question's words find),
-- and every question members asked it with what came of it (answered,
-- suggested, solved or escalated), so that the hit rate is known.

-- +goose Up
SET LOCAL lock_timeout = '10s';

CREATE TABLE kb_entries (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang           text        NOT NULL,
    question       text        NOT NULL,
    answer         text        NOT NULL,
    tags           text[]      NOT NULL DEFAULT '{}',
    -- The stemmed words of the question and tags, and of the answer.
    question_terms text[]      NOT NULL,
    answer_terms   text[]      NOT NULL,
    terms          text[]      NOT NULL, -- both, each once
    updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX kb_entries_key ON kb_entries (lang, lower(question));

-- The entries each word of a language is in: an entry's terms, a row each.
CREATE TABLE kb_postings (
    lang     text   NOT NULL,
    term     text   NOT NULL,
    entry_id bigint NOT NULL REFERENCES kb_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (lang, term, entry_id)
);
CREATE INDEX kb_postings_entry ON kb_postings (entry_id);

CREATE TABLE kb_terms (
    lang    text NOT NULL,
    term    text NOT NULL,
    entries int  NOT NULL CHECK (entries > 0),
    PRIMARY KEY (lang, term)
);
CREATE INDEX kb_terms_similar ON kb_terms USING gin (term gin_trgm_ops);

CREATE TABLE kb_questions (
    id        bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id bigint           REFERENCES members (id) ON DELETE SET NULL,
    platform  text             NOT NULL,
    lang      text             NOT NULL, -- the language searched ('' when the knowledge base was empty)
    text      text             NOT NULL, -- '' once the member is forgotten
    action    text             NOT NULL CHECK (action IN ('answer', 'suggest', 'escalate')),
    entry_id  bigint           REFERENCES kb_entries (id) ON DELETE SET NULL,
    score     double precision NOT NULL,
    outcome   text             NOT NULL CHECK (outcome IN ('answered', 'suggested', 'solved', 'escalated')),
    ticket_id bigint           REFERENCES tickets (id) ON DELETE SET NULL,
    asked_at  timestamptz      NOT NULL
);
CREATE INDEX kb_questions_member ON kb_questions (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX kb_questions_entry ON kb_questions (entry_id) WHERE entry_id IS NOT NULL;
CREATE INDEX kb_questions_ticket ON kb_questions (ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX kb_questions_asked_at ON kb_questions (asked_at);

-- +goose Down
DROP TABLE kb_questions;
DROP TABLE kb_terms;
DROP TABLE kb_postings;
DROP TABLE kb_entries;
