package support

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// KBStore is what the knowledge base needs from persistence. storage
// implements it.
type KBStore interface {
	// SaveEntry saves an entry, keyed by its id when it has one, else by
	// its language and question (an entry of the same key is updated),
	// with the effects of saving it, in one transaction. It reports
	// whether the entry is new; EConflict (kb.duplicate) when another
	// entry has the same language and question.
	SaveEntry(ctx context.Context, e Entry, effects func(e Entry, created bool) Effects) (Entry, bool, error)
	// ImportEntries saves entries as SaveEntry does, all of them or none,
	// with the effects of the whole import, in one transaction.
	ImportEntries(ctx context.Context, entries []Entry, effects func(created, updated int) Effects) (created, updated int, err error)
	// DeleteEntry deletes an entry with the effects of deleting it;
	// ENotFound when there is none.
	DeleteEntry(ctx context.Context, id int64, effects func(Entry) Effects) (Entry, error)
	// Entry returns one entry; ENotFound when there is none.
	Entry(ctx context.Context, id int64) (Entry, error)
	// Entries returns the entries of a language ("" for every language)
	// in the order of their ids, after the id after, at most limit.
	Entries(ctx context.Context, lang string, after int64, limit int) ([]Entry, error)
	// Retrieve returns what the knowledge base of a language holds for a
	// question already Folded: its words, their matches and at most limit
	// candidates.
	Retrieve(ctx context.Context, lang, folded string, limit int) (Retrieval, error)
	// RecordAsked saves a question asked and, when open is not nil, the
	// ticket it opens with the ticket's effects, in one transaction.
	RecordAsked(ctx context.Context, a Asked, open *Ticket, effects func(Ticket) Effects) (Asked, error)
	// Asked returns one question, whoever asked it; QuestionNotFound
	// when there is none.
	Asked(ctx context.Context, id int64) (Asked, error)
	// ChangeAsked runs change on a member's question, locked, and saves
	// what it returns; open saves a ticket with its effects in the same
	// transaction. QuestionNotFound when the member asked no such question.
	ChangeAsked(ctx context.Context, id int64, member community.MemberID,
		change func(a Asked, open func(Ticket) (Ticket, error)) (Asked, error)) (Asked, error)
}

// KnowledgeBase answers members' questions from entries staff write, and
// sends the ones it cannot answer to a person as tickets. It knows nothing
// about chats or SQL.
type KnowledgeBase struct {
	store KBStore
	rules AnswerRules
	desk  *Desk // triages the tickets it opens
	now   func() time.Time
}

// NewKnowledgeBase returns the knowledge base, deciding with rules; the
// tickets it opens are triaged by desk.
func NewKnowledgeBase(store KBStore, rules AnswerRules, desk *Desk, now func() time.Time) *KnowledgeBase {
	return &KnowledgeBase{store: store, rules: rules, desk: desk, now: now}
}

// candidates is how many entries a search ranks exactly.
const candidates = 40

// Save checks and saves an entry a staff member wrote (a new one, or one
// of the same language and question updated), audited.
func (kb *KnowledgeBase) Save(ctx context.Context, e Entry, by community.MemberID) (Entry, bool, error) {
	e = e.Normalized()
	if err := e.Check(); err != nil {
		return Entry{}, false, err
	}
	e.UpdatedAt = kb.now()
	return kb.store.SaveEntry(ctx, e, func(saved Entry, created bool) Effects {
		return Effects{Audit: []community.AuditEntry{{At: saved.UpdatedAt, Actor: by, Action: AuditKBSaved,
			Details: map[string]any{"entry": saved.ID, "lang": saved.Lang, "question": saved.Question, "created": created}}}}
	})
}

// EntryChange is what /faq edit changes of an entry: the fields set.
type EntryChange struct {
	Question, Answer *string
	Tags             *[]string
}

// Edit changes an entry's question, answer or tags, audited.
func (kb *KnowledgeBase) Edit(ctx context.Context, id int64, c EntryChange, by community.MemberID) (Entry, error) {
	e, err := kb.store.Entry(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	if c.Question != nil {
		e.Question = *c.Question
	}
	if c.Answer != nil {
		e.Answer = *c.Answer
	}
	if c.Tags != nil {
		e.Tags = *c.Tags
	}
	e, _, err = kb.Save(ctx, e, by)
	return e, err
}

// Delete deletes an entry, audited.
func (kb *KnowledgeBase) Delete(ctx context.Context, id int64, by community.MemberID) (Entry, error) {
	return kb.store.DeleteEntry(ctx, id, func(e Entry) Effects {
		return Effects{Audit: []community.AuditEntry{{At: kb.now(), Actor: by, Action: AuditKBDeleted,
			Details: map[string]any{"entry": e.ID, "lang": e.Lang, "question": e.Question}}}}
	})
}

// Import saves entries read from files, all or none: every entry is
// checked first, and two of the same language and question are refused.
func (kb *KnowledgeBase) Import(ctx context.Context, entries []Entry, by community.MemberID) (created, updated int, err error) {
	at := kb.now()
	seen := map[string]int{}
	checked := make([]Entry, len(entries))
	for i, e := range entries {
		e = e.Normalized()
		if err := e.Check(); err != nil {
			return 0, 0, fmt.Errorf("entry %d (%q): %w", i+1, e.Question, err)
		}
		key := e.Lang + "\x00" + strings.ToLower(e.Question)
		if j, dup := seen[key]; dup {
			return 0, 0, community.Errorf(community.EInvalid, "kb.duplicate", map[string]any{"Question": e.Question},
				"entries %d and %d have the same question %q in %s", j+1, i+1, e.Question, e.Lang)
		}
		seen[key] = i
		e.ID, e.UpdatedAt = 0, at
		checked[i] = e
	}
	return kb.store.ImportEntries(ctx, checked, func(created, updated int) Effects {
		return Effects{Audit: []community.AuditEntry{{At: at, Actor: by, Action: AuditKBImported,
			Details: map[string]any{"created": created, "updated": updated}}}}
	})
}

// Entry returns one entry.
func (kb *KnowledgeBase) Entry(ctx context.Context, id int64) (Entry, error) {
	return kb.store.Entry(ctx, id)
}

// Entries returns the entries of a language ("" for all) after the id
// after, at most limit, in the order of their ids.
func (kb *KnowledgeBase) Entries(ctx context.Context, lang string, after int64, limit int) ([]Entry, error) {
	return kb.store.Entries(ctx, lang, after, limit)
}

// Search is what the knowledge base makes of a question: the language it
// searched, every hit best first, and what Hearth would do with it.
type Search struct {
	Lang   string
	Hits   []Hit
	Action Action
	Shown  []Hit // the answer, or the suggestions; none to escalate
}

// Search ranks the entries for a question in the first of langs whose
// knowledge base has entries (the member's language, then the
// community's), and decides what to do with it.
func (kb *KnowledgeBase) Search(ctx context.Context, langs []string, question string) (Search, error) {
	folded := Fold(question)
	var s Search
	for _, lang := range slices.Compact(slices.Clone(langs)) {
		r, err := kb.store.Retrieve(ctx, lang, folded, candidates)
		if err != nil {
			return Search{}, err
		}
		if r.Entries == 0 {
			continue
		}
		s = Search{Lang: lang, Hits: Rank(r)}
		break
	}
	s.Action, s.Shown = kb.rules.Decide(s.Hits)
	return s, nil
}

// AskInput is a member's question to the knowledge base, with the
// languages to search in order.
type AskInput struct {
	Question
	Langs []string
}

// Asking is what came of a question: the question as recorded, what
// Hearth shows (the answer or the suggestions) and the ticket it opened.
type Asking struct {
	Asked  Asked
	Shown  []Hit
	Ticket Ticket
}

// Ask answers a member's question from the knowledge base, offers the
// entries that may answer it, or opens a ticket for a person to answer,
// and records what it did. An empty or too long question is EInvalid.
func (kb *KnowledgeBase) Ask(ctx context.Context, in AskInput) (Asking, error) {
	text := strings.TrimSpace(in.Text)
	if err := checkQuestion(text); err != nil {
		return Asking{}, err
	}
	s, err := kb.Search(ctx, in.Langs, text)
	if err != nil {
		return Asking{}, err
	}
	a := Asked{Member: in.Member, Platform: in.Platform, Lang: s.Lang, Text: text, Action: s.Action, At: kb.now()}
	if len(s.Hits) > 0 {
		a.Score = s.Hits[0].Score
	}
	var open *Ticket
	switch s.Action {
	case ActionAnswer:
		a.Outcome, a.Entry = OutcomeAnswered, s.Shown[0].Entry.ID
	case ActionSuggest:
		a.Outcome = OutcomeSuggested
	case ActionEscalate:
		a.Outcome = OutcomeEscalated
		t, err := kb.desk.Triage(ctx, Ticket{Member: in.Member, Name: in.Name, Platform: in.Platform, AskedIn: in.Where, Text: text, OpenedAt: a.At})
		if err != nil {
			return Asking{}, err
		}
		open = &t
	}
	var ticket Ticket
	a, err = kb.store.RecordAsked(ctx, a, open, func(t Ticket) Effects {
		ticket = t
		return OpeningEffects(t)
	})
	if err != nil {
		return Asking{}, err
	}
	return Asking{Asked: a, Shown: s.Shown, Ticket: ticket}, nil
}

// checkQuestion refuses an empty or too long question.
func checkQuestion(text string) error {
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return community.Errorf(community.EInvalid, "support.ask_empty", nil, "an empty question")
	case n > MaxQuestion:
		return community.Errorf(community.EInvalid, "support.ask_too_long", map[string]any{"Max": MaxQuestion, "Length": n},
			"a question of %d characters; at most %d", n, MaxQuestion)
	}
	return nil
}

// Solved records that the answer Hearth gave (or the member picked)
// solved the member's question. A question sent to a person stays so.
func (kb *KnowledgeBase) Solved(ctx context.Context, id int64, member community.MemberID) (Asked, error) {
	return kb.store.ChangeAsked(ctx, id, member, func(a Asked, _ func(Ticket) (Ticket, error)) (Asked, error) {
		switch a.Outcome {
		case OutcomeEscalated:
			return a, community.Errorf(community.EConflict, "kb.already_escalated", map[string]any{"Ticket": a.Ticket},
				"question %d went to a person already (ticket %d)", id, a.Ticket)
		case OutcomeSuggested:
			return a, community.Errorf(community.EConflict, "kb.nothing_picked", nil, "question %d: no entry was picked", id)
		}
		a.Outcome = OutcomeSolved
		return a, nil
	})
}

// Pick shows the member the suggested entry they chose, and records it as
// the question's answer.
func (kb *KnowledgeBase) Pick(ctx context.Context, id int64, member community.MemberID, entry int64) (Asked, Entry, error) {
	e, err := kb.store.Entry(ctx, entry)
	if err != nil {
		return Asked{}, Entry{}, err
	}
	a, err := kb.store.ChangeAsked(ctx, id, member, func(a Asked, _ func(Ticket) (Ticket, error)) (Asked, error) {
		if a.Outcome == OutcomeSuggested || a.Outcome == OutcomeAnswered {
			a.Outcome, a.Entry = OutcomeAnswered, entry
		}
		return a, nil
	})
	return a, e, err
}

// Escalate sends the member's question to a person: it opens a ticket
// with the question, once; a second press finds the same ticket.
func (kb *KnowledgeBase) Escalate(ctx context.Context, id int64, member community.MemberID, name string) (Asked, Ticket, error) {
	var ticket Ticket
	triaged, err := kb.desk.Triage(ctx, Ticket{Member: member, Name: name, OpenedAt: kb.now()})
	if err != nil {
		return Asked{}, Ticket{}, err
	}
	a, err := kb.store.ChangeAsked(ctx, id, member, func(a Asked, open func(Ticket) (Ticket, error)) (Asked, error) {
		if a.Ticket != 0 {
			ticket.ID = a.Ticket
			return a, nil
		}
		triaged.Platform, triaged.Text = a.Platform, a.Text
		t, err := open(triaged)
		if err != nil {
			return a, err
		}
		ticket = t
		a.Outcome, a.Ticket = OutcomeEscalated, t.ID
		return a, nil
	})
	return a, ticket, err
}

// Resume is what came of a member's question, to show them again where
// they continue it (the private chat a Telegram deep link from the group
// they asked in opens). Asked.Action says what to show now: the answer
// given or picked (Shown), the suggestions ranked again (Shown, perhaps
// none: the member may still talk to a person), or the ticket it opened.
// Another member's question is EForbidden (kb.not_yours); one that does
// not exist, or whose member was forgotten, QuestionNotFound.
func (kb *KnowledgeBase) Resume(ctx context.Context, id int64, member community.MemberID) (Asking, error) {
	a, err := kb.store.Asked(ctx, id)
	switch {
	case err != nil:
		return Asking{}, err
	case a.Member == 0:
		return Asking{}, QuestionNotFound(id)
	case a.Member != member:
		return Asking{}, community.Errorf(community.EForbidden, "kb.not_yours", nil, "question %d is member %d's, not %d's", id, a.Member, member)
	}
	out := Asking{Asked: a, Ticket: Ticket{ID: a.Ticket}}
	if a.Ticket != 0 {
		out.Asked.Action = ActionEscalate
		return out, nil
	}
	if a.Entry != 0 {
		e, err := kb.store.Entry(ctx, a.Entry)
		if err == nil {
			out.Asked.Action, out.Shown = ActionAnswer, []Hit{{Entry: e}}
			return out, nil
		}
		if community.ErrorCode(err) != community.ENotFound {
			return Asking{}, err
		}
	}
	// Suggested, or the answer's entry is gone: what may answer it now.
	s, err := kb.Search(ctx, []string{a.Lang}, a.Text)
	if err != nil {
		return Asking{}, err
	}
	out.Asked.Action, out.Shown = ActionSuggest, s.Shown
	return out, nil
}
