package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/support"
)

// syntheticKB returns n entries per language of the test set: the real
// entries, then made-up ones whose words are drawn from the language's
// real text (so common words stay common), each with a question of 5-12
// words, 0-4 tags and an answer of 20-80 words.
func syntheticKB(real []support.Entry, n int, seed uint64) []support.Entry {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := map[string][]string{}
	for _, e := range real {
		for _, w := range strings.Fields(e.Question + " " + e.Answer + " " + strings.Join(e.Tags, " ")) {
			if utf8.RuneCountInString(w) <= 20 && !strings.ContainsAny(w, "[]()") {
				words[e.Lang] = append(words[e.Lang], w)
			}
		}
	}
	pick := func(lang string, k int) string {
		w := words[lang]
		out := make([]string, k)
		for i := range out {
			out[i] = strings.Trim(w[rng.IntN(len(w))], ".,;:?!*_()[]«»\"")
		}
		return strings.Join(out, " ")
	}
	out := slices.Clone(real)
	count := map[string]int{}
	for _, e := range real {
		count[e.Lang]++
	}
	langs := make([]string, 0, len(words))
	for lang := range words {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		for i := count[lang]; i < n; i++ {
			e := support.Entry{Lang: lang, Question: fmt.Sprintf("%s %d?", pick(lang, 5+rng.IntN(8)), i), Answer: pick(lang, 20+rng.IntN(61))}
			for range rng.IntN(5) {
				e.Tags = append(e.Tags, pick(lang, 1+rng.IntN(2)))
			}
			out = append(out, e)
		}
	}
	return out
}

// BenchmarkKBSearch10k ranks the test set's questions in a knowledge base
// of 10,000 entries (2,000 per language), reporting the 50th and 99th
// percentiles of one search (what a member's question waits for before
// Hearth decides), and how long importing the 10,000 entries took.
func BenchmarkKBSearch10k(b *testing.B) {
	s := storage.New(storagetest.New(b))
	kb := support.NewKnowledgeBase(s, support.DefaultAnswerRules(), support.NewDesk(s, func() time.Time { return kbNow }), func() time.Time { return kbNow })
	ctx := context.Background()
	var real []support.Entry
	for _, lang := range []string{"en", "el", "ru", "pl", "ro"} {
		real = append(real, readKBFile(b, lang)...)
	}
	entries := syntheticKB(real, 2000, 1)
	start := time.Now()
	if _, _, err := kb.Import(ctx, entries, 0); err != nil {
		b.Fatal(err)
	}
	imported := time.Since(start)
	if _, err := s.DB().Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	cases := readKBCases(b)
	var took []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		t0 := time.Now()
		if _, err := kb.Search(ctx, []string{c.Lang}, c.Query); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	at := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))]) / 1e6 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(imported.Seconds(), "import-s")
	b.ReportMetric(float64(len(entries)), "entries")
}
