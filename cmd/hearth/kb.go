package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/support"
	"github.com/hearthbot/hearth/support/kbfile"
)

// kbImport adds or updates knowledge-base entries from files, all of them
// or none.
func (c *cli) kbImport(ctx context.Context, args []string) error {
	fs := c.flags("kb import", "FILE... [--lang xx] [--config FILE]",
		"Add knowledge-base entries from Markdown (.md) or YAML (.yaml, .yml) files, or update\n"+
			"the entries of the same language and question in place: importing a file again\n"+
			"changes nothing but what the file changed. An entry's language is its own\n"+
			"`lang:` line, else the file name's (faq.el.md is Greek), else --lang. Every\n"+
			"entry of every file is checked first: one problem and nothing is imported.")
	lang := fs.String("lang", "", "the language of entries that name none, such as `en` (default: from the file name)")
	cfg, files, err := c.parseConfigArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{"kb import: name at least one FILE (see hearth kb import --help)"}
	}
	var entries []support.Entry
	for _, name := range files {
		read, err := readKBFile(name, *lang)
		if err != nil {
			return err
		}
		entries = append(entries, read...)
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	kb := support.NewKnowledgeBase(store, cfg.Support.AnswerRules(), support.NewDesk(store, c.now).WithPolicy(cfg.SLAPolicy()), c.now)
	created, updated, err := kb.Import(ctx, entries, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.stdout, "Imported %d entries from %d files: %d new, %d updated.\n", len(entries), len(files), created, updated)
	return err
}

// readKBFile reads the entries of one file.
func readKBFile(name, lang string) ([]support.Entry, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, usageError{"kb import: " + err.Error()}
	}
	defer f.Close()
	entries, err := kbfile.Read(f, name, lang)
	if err != nil {
		return nil, usageError{"kb import: " + err.Error()}
	}
	for _, e := range entries {
		if err := bots.CheckMarkup(e.Answer); err != nil {
			return nil, usageError{fmt.Sprintf("kb import: %s: the answer of %q: %s at character %v", name, e.Question, strings.TrimPrefix(err.Key, "onboarding."), err.Data["Position"])}
		}
	}
	return entries, nil
}

// kbExport writes the knowledge base as Markdown or YAML, each entry with
// its language, so that importing the file again changes nothing.
func (c *cli) kbExport(ctx context.Context, args []string) error {
	fs := c.flags("kb export", "[--lang xx] [--format md|yaml] [--out FILE] [--config FILE]",
		"Write the knowledge base's entries, in the order they were added, as Markdown\n"+
			"(the format hearth kb import reads) or YAML, to standard output or a file.")
	lang := fs.String("lang", "", "only the entries of this language, such as `el`")
	format := fs.String("format", "md", "`md` or yaml")
	out := fs.String("out", "", "write to `FILE` instead of standard output (written whole, then renamed)")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	write := map[string]func(io.Writer, []support.Entry) error{"md": kbfile.WriteMarkdown, "yaml": kbfile.WriteYAML}[*format]
	if write == nil {
		return usageError{fmt.Sprintf("kb export: --format must be md or yaml, not %q", *format)}
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	entries, err := allEntries(ctx, support.NewKnowledgeBase(store, cfg.Support.AnswerRules(), support.NewDesk(store, c.now).WithPolicy(cfg.SLAPolicy()), c.now), strings.ToLower(*lang))
	if err != nil {
		return err
	}
	if *out == "" {
		return write(c.stdout, entries)
	}
	return writeFileAtomically(*out, func(w io.Writer) error { return write(w, entries) })
}

// allEntries reads every entry of a language ("" for all), page by page.
func allEntries(ctx context.Context, kb *support.KnowledgeBase, lang string) ([]support.Entry, error) {
	var out []support.Entry
	var after int64
	for {
		page, err := kb.Entries(ctx, lang, after, 500)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// writeFileAtomically writes a file next to its place, then renames it
// there: a reader never sees half of it.
func writeFileAtomically(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // once renamed, there is nothing to remove
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// kbHit is one ranked entry as kb search prints it.
type kbHit struct {
	ID       int64   `json:"id"`
	Lang     string  `json:"lang"`
	Question string  `json:"question"`
	Score    float64 `json:"score"`
	Shown    bool    `json:"shown"` // answered or offered
}

// kbSearchResult is what kb search prints.
type kbSearchResult struct {
	Question string  `json:"question"`
	Lang     string  `json:"lang"` // the language searched; "" when it has no entries
	Action   string  `json:"action"`
	Hits     []kbHit `json:"hits"`
}

// kbSearch shows how the knowledge base ranks a question, with each
// entry's score and what Hearth would do, for tuning the thresholds.
func (c *cli) kbSearch(ctx context.Context, args []string) error {
	fs := c.flags("kb search", `"question" [--lang xx] [--top N] [--json] [--config FILE]`,
		"Rank the knowledge base's entries for a question as a member's private message\n"+
			"would be (in --lang, then the community's default language when --lang has no\n"+
			"entries) and print each entry's score and what Hearth would do: answer, suggest\n"+
			"or escalate (support.kb_answer_at, kb_suggest_at and kb_margin decide).")
	lang := fs.String("lang", "", "the member's language, such as `el` (default: community.default_language)")
	top := fs.Int("top", 10, "print at most `N` entries")
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, words, err := c.parseConfigArgs(fs, args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(words, " "))
	if question == "" {
		return usageError{`kb search: give the question, such as hearth kb search "how long does delivery take?"`}
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	kb := support.NewKnowledgeBase(store, cfg.Support.AnswerRules(), support.NewDesk(store, c.now).WithPolicy(cfg.SLAPolicy()), c.now)
	s, err := kb.Search(ctx, []string{strings.ToLower(cmpOr(*lang, cfg.Community.DefaultLanguage)), cfg.Community.DefaultLanguage}, question)
	if err != nil {
		return err
	}
	res := kbSearchResult{Question: question, Lang: s.Lang, Action: string(s.Action), Hits: []kbHit{}}
	for i, h := range s.Hits {
		if i == *top {
			break
		}
		res.Hits = append(res.Hits, kbHit{ID: h.Entry.ID, Lang: h.Entry.Lang, Question: h.Entry.Question, Score: h.Score, Shown: i < len(s.Shown)})
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printSearch(c.stdout, res)
}

func printSearch(w io.Writer, res kbSearchResult) error {
	if res.Lang == "" {
		_, err := fmt.Fprintln(w, "The knowledge base has no entries in that language or the default one.\naction: escalate")
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "question: %s\nlanguage: %s\naction:   %s\n", res.Question, res.Lang, res.Action)
	for i, h := range res.Hits {
		mark := " "
		if h.Shown {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s %2d. %.3f  #%d [%s] %s\n", mark, i+1, h.Score, h.ID, h.Lang, h.Question)
	}
	if len(res.Hits) == 0 {
		b.WriteString("No entry shares a word with the question.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
