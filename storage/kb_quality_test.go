package storage_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/support"
	"github.com/hearthbot/hearth/support/kbfile"
)

// kbTestSet is support/testdata/kb: a shop's knowledge base in five
// languages and customers' questions phrased unlike its entries.
const kbTestSet = "../support/testdata/kb"

// kbCase is one test question: its set (tune or holdout), language, the
// question of the entry that answers it ("" for none) and the query.
type kbCase struct {
	Set, Lang, Expected, Query string
}

func readKBCases(t testing.TB) []kbCase {
	t.Helper()
	f, err := os.Open(filepath.Join(kbTestSet, "questions.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []kbCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue // the header
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 4 {
			t.Fatalf("questions.tsv:%d: %d fields, want 4", line, len(fields))
		}
		out = append(out, kbCase{Set: fields[0], Lang: fields[1], Expected: fields[2], Query: fields[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readKBFile reads the test set's entries of one language.
func readKBFile(t testing.TB, lang string) []support.Entry {
	t.Helper()
	name := filepath.Join(kbTestSet, "faq."+lang+".md")
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := kbfile.Read(f, name, "")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// importKBTestSet imports every language's file of the test set.
func importKBTestSet(t testing.TB, kb *support.KnowledgeBase) {
	t.Helper()
	var entries []support.Entry
	for _, lang := range []string{"en", "el", "ru", "pl", "ro"} {
		entries = append(entries, readKBFile(t, lang)...)
	}
	if _, _, err := kb.Import(context.Background(), entries, 0); err != nil {
		t.Fatal(err)
	}
}

// kbRanked is a test question with the knowledge base's ranking of it.
type kbRanked struct {
	kbCase
	Hits []support.Hit
}

// kbQuality is how the knowledge base did on a set of questions.
type kbQuality struct {
	Answerable, Unanswerable int
	Right, Wrong             int // answers given on its own to answerable questions
	FalseAnswers             int // answers given to unanswerable questions
	Suggested                int // answerable questions whose entry was among the suggestions
}

// Precision is the share of its own answers that were right.
func (q kbQuality) Precision() float64 { return ratio(q.Right, q.Right+q.Wrong+q.FalseAnswers) }

// SelfAnswered is the share of answerable questions it answered right on
// its own.
func (q kbQuality) SelfAnswered() float64 { return ratio(q.Right, q.Answerable) }

// FalseRate is the share of unanswerable questions it answered at all.
func (q kbQuality) FalseRate() float64 { return ratio(q.FalseAnswers, q.Unanswerable) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (q kbQuality) String() string {
	return fmt.Sprintf("precision %.1f%% (%d of %d answers), answered on its own %.1f%% (%d of %d answerable; %d more offered as a suggestion), "+
		"unanswerable answered %.1f%% (%d of %d)", 100*q.Precision(), q.Right, q.Right+q.Wrong+q.FalseAnswers, 100*q.SelfAnswered(), q.Right,
		q.Answerable, q.Suggested, 100*q.FalseRate(), q.FalseAnswers, q.Unanswerable)
}

// judge decides every ranked question with rules and counts the outcomes.
func judge(ranked []kbRanked, rules support.AnswerRules, set, lang string) kbQuality {
	var q kbQuality
	for _, r := range ranked {
		if set != "" && r.Set != set || lang != "" && r.Lang != lang {
			continue
		}
		action, shown := rules.Decide(r.Hits)
		if r.Expected == "" {
			q.Unanswerable++
			if action == support.ActionAnswer {
				q.FalseAnswers++
			}
			continue
		}
		q.Answerable++
		switch {
		case action == support.ActionAnswer && shown[0].Entry.Question == r.Expected:
			q.Right++
		case action == support.ActionAnswer:
			q.Wrong++
		case action == support.ActionSuggest:
			for _, h := range shown {
				if h.Entry.Question == r.Expected {
					q.Suggested++
				}
			}
		}
	}
	return q
}

// rankKBTestSet imports the test set and ranks every question of it.
func rankKBTestSet(t *testing.T) []kbRanked {
	t.Helper()
	s := newStore(t)
	kb := newKB(t, s)
	importKBTestSet(t, kb)
	var out []kbRanked
	for _, c := range readKBCases(t) {
		res, err := kb.Search(context.Background(), []string{c.Lang}, c.Query)
		if err != nil {
			t.Fatal(err)
		}
		if res.Lang != c.Lang {
			t.Fatalf("%q searched %q, want %q", c.Query, res.Lang, c.Lang)
		}
		out = append(out, kbRanked{kbCase: c, Hits: res.Hits})
	}
	return out
}

// TestKBQualityOnItsTestSet: on questions held out from tuning, in five
// languages, with the default thresholds, the knowledge base's own
// answers are at least 90% right and it answers at most 10% of the
// questions it has no entry for; it answers at least 20% of the
// answerable ones on its own (the target, 60%, is not reached yet). (docs/benchmarks.md reports the figures;
// HEARTH_KB_TUNE=1 prints the thresholds' grid on the tuning half.)
func TestKBQualityOnItsTestSet(t *testing.T) {
	ranked := rankKBTestSet(t)
	rules := support.DefaultAnswerRules()
	for _, set := range []string{"tune", "holdout", ""} {
		t.Logf("%-8s all: %v", set, judge(ranked, rules, set, ""))
		for _, lang := range []string{"en", "el", "ru", "pl", "ro"} {
			t.Logf("%-8s %s:  %v", set, lang, judge(ranked, rules, set, lang))
		}
	}
	if os.Getenv("HEARTH_KB_TUNE") != "" {
		tuneKB(t, ranked)
		dumpKB(t, ranked)
	}
	// The target for answers on its own is 60%; lexical search
	// reaches about a quarter of the held-out questions at the precision
	// required (docs/benchmarks.md), and this floor keeps it from falling.
	held := judge(ranked, rules, "holdout", "")
	if held.Precision() < 0.9 || held.SelfAnswered() < 0.2 || held.FalseRate() > 0.1 {
		t.Errorf("held-out questions: %v; want precision ≥ 90%%, answered on its own ≥ 20%%, unanswerable answered ≤ 10%%", held)
	}
}

// tuneKB prints, for the tuning half, the thresholds that meet the targets
// with the most questions answered.
func tuneKB(t *testing.T, ranked []kbRanked) {
	for answer := 0.20; answer <= 0.60; answer += 0.02 {
		for _, margin := range []float64{0, 0.025, 0.05, 0.1, 0.15} {
			r := support.DefaultAnswerRules()
			r.AnswerAt, r.Margin, r.SuggestAt = answer, margin, min(r.SuggestAt, answer)
			q := judge(ranked, r, "tune", "")
			if q.Precision() >= 0.9 && q.FalseRate() <= 0.1 {
				t.Logf("answer_at %.3f margin %.3f: %v", answer, margin, q)
			}
		}
	}
}

// dumpKB prints each tuning question with where its entry ranked and the
// two best scores.
func dumpKB(t *testing.T, ranked []kbRanked) {
	for _, r := range ranked {
		if r.Set != "tune" {
			continue
		}
		rank, top, second, topQ := -1, 0.0, 0.0, ""
		for i, h := range r.Hits {
			if h.Entry.Question == r.Expected {
				rank = i + 1
			}
		}
		if len(r.Hits) > 0 {
			top, topQ = r.Hits[0].Score, r.Hits[0].Entry.Question
		}
		if len(r.Hits) > 1 {
			second = r.Hits[1].Score
		}
		t.Logf("DUMP\t%s\t%v\t%d\t%.3f\t%.3f\t%s\t%s", r.Lang, r.Expected != "", rank, top, second, r.Query, topQ)
	}
}
