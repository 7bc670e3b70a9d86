package support

import (
	"time"

	"github.com/hearthbot/hearth/community"
)

// Action is what Hearth does with a member's question.
type Action string

// The actions: answer with the one entry that surely answers it, suggest
// the entries that may, or escalate it to a person as a ticket.
const (
	ActionAnswer   Action = "answer"
	ActionSuggest  Action = "suggest"
	ActionEscalate Action = "escalate"
)

// AnswerRules are the knowledge base's thresholds: a hit scoring AnswerAt
// or more (and ahead of the next by Margin) is answered at once; hits
// scoring SuggestAt or more are offered, at most Suggestions of them;
// below that the question goes to a person.
type AnswerRules struct {
	AnswerAt    float64
	SuggestAt   float64
	Margin      float64
	Suggestions int
}

// DefaultAnswerRules are the thresholds chosen on the tuning half of
// Hearth's own test set (support/testdata/kb) for answers at least 90%
// right and at most 10% of unanswerable questions answered: an answer
// only when sure, suggestions generously (docs/benchmarks.md has the
// figures).
func DefaultAnswerRules() AnswerRules {
	return AnswerRules{AnswerAt: 0.4, SuggestAt: 0.15, Margin: 0.05, Suggestions: 3}
}

// MaxSuggestions is the most entries Hearth offers for one question.
const MaxSuggestions = 5

// Decide says what to do with a question from its ranked hits (best
// first), and which hits to show: the one answer, the suggestions, or
// none.
func (r AnswerRules) Decide(hits []Hit) (Action, []Hit) {
	if len(hits) == 0 || hits[0].Score < r.SuggestAt {
		return ActionEscalate, nil
	}
	if hits[0].Score >= r.AnswerAt && (len(hits) == 1 || hits[0].Score-hits[1].Score >= r.Margin) {
		return ActionAnswer, hits[:1]
	}
	n := 0
	for n < len(hits) && n < r.Suggestions && hits[n].Score >= r.SuggestAt {
		n++
	}
	return ActionSuggest, hits[:n]
}

// Outcome is where a question asked of the knowledge base ended, so the
// hit rate is known.
type Outcome string

// The outcomes: answered by Hearth (or by an entry the member picked),
// suggested and nothing picked yet, confirmed solved by the member, or
// escalated to a person.
const (
	OutcomeAnswered  Outcome = "answered"
	OutcomeSuggested Outcome = "suggested"
	OutcomeSolved    Outcome = "solved"
	OutcomeEscalated Outcome = "escalated"
)

// Asked is a question a member asked the knowledge base, and what came
// of it.
type Asked struct {
	ID       int64
	Member   community.MemberID // 0 once the member is forgotten
	Platform community.Platform
	Lang     string // the language searched
	Text     string
	Action   Action
	Entry    int64 // the entry answered or picked; 0 for none
	Score    float64
	Outcome  Outcome
	Ticket   int64 // the ticket it opened; 0 for none
	At       time.Time
}

// The audit actions of the knowledge base.
const (
	AuditKBSaved    = "kb.saved"
	AuditKBDeleted  = "kb.deleted"
	AuditKBImported = "kb.imported"
)

// QuestionNotFound: no question id of this member.
func QuestionNotFound(id int64) error {
	return community.Errorf(community.ENotFound, "kb.question_gone", map[string]any{"ID": id}, "no question %d", id)
}
