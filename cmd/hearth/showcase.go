package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/feedback"
)

// showcaseExport writes the showcase's posts the brand may use on its
// social accounts and website, with a manifest, for its social team.
func (c *cli) showcaseExport(ctx context.Context, args []string) error {
	fs := c.flags("showcase export", "--consented DIR [--config FILE]",
		"Write the showcase's posts whose authors' consent lets the brand use them on its\n"+
			"social accounts and website now (not declined, revoked or expired) into DIR, a\n"+
			"new or empty directory: each file as <submission>-<n>.<ext>, and manifest.json\n"+
			"and manifest.csv, newest first, with each post's files, caption, credit (named or\n"+
			"anonymous), author, scopes, consent, granted_at, expires_at, language and the\n"+
			"SHA-256 of the consent text. The manifests are written last: a directory\n"+
			"without manifest.json holds an export that did not finish.")
	dir := fs.String("consented", "", "the new or empty `DIR` to write the consented posts to")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"showcase export: --consented DIR is required (see hearth showcase export --help)"}
	}
	if err := emptyDir(*dir); err != nil {
		return usageError{"showcase export: " + err.Error()}
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	sc := feedback.NewShowcase(store, c.now, 0, 0)
	items, err := feedback.NewShowcaseExport(sc, store).Items(ctx, c.now())
	if err != nil {
		return err
	}
	entries := make([]manifestEntry, 0, len(items))
	files := 0
	for _, it := range items {
		names, err := exportMedia(ctx, sc, *dir, it.Submission)
		if err != nil {
			return unfinished(*dir, err)
		}
		files += len(names)
		entries = append(entries, newManifestEntry(it, names))
	}
	if err := writeManifests(*dir, entries); err != nil {
		return unfinished(*dir, err)
	}
	_, err = fmt.Fprintf(c.stdout, "exported %d posts (%d files) to %s\n", len(entries), files, *dir)
	return err
}

// unfinished is err of an export that stopped after writing some files
// into dir.
func unfinished(dir string, err error) error {
	return fmt.Errorf("%w; the export in %s is unfinished (no manifest.json): remove it before exporting again", err, dir)
}

// emptyDir makes dir, or finds it empty: an export never mixes with other
// files.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("%s is not empty (it holds %s): export into a new or empty directory", dir, names[0].Name())
	}
	return nil
}

// mediaExt is the file name extension of each media type.
var mediaExt = map[feedback.MediaType]string{
	feedback.MediaJPEG: "jpg",
	feedback.MediaPNG:  "png",
	feedback.MediaGIF:  "gif",
	feedback.MediaWebP: "webp",
	feedback.MediaMP4:  "mp4",
}

// exportMedia writes sub's files into dir as <submission>-<n>.<ext>, in
// their order, and returns their names.
func exportMedia(ctx context.Context, sc *feedback.Showcase, dir string, sub feedback.Submission) ([]string, error) {
	names := make([]string, len(sub.Media))
	for i, m := range sub.Media {
		ext, ok := mediaExt[m.Type]
		if !ok {
			return nil, fmt.Errorf("submission %d file %d: no file name extension for media type %q", sub.ID, i+1, m.Type)
		}
		names[i] = fmt.Sprintf("%d-%d.%s", sub.ID, i+1, ext)
		if err := writeFile(dir, names[i], func(w io.Writer) error { return copyMedia(ctx, sc, m.Hash, w) }); err != nil {
			return nil, fmt.Errorf("submission %d: %w", sub.ID, err)
		}
	}
	return names, nil
}

// copyMedia streams kept file h to w, a chunk at a time, and checks that
// what it read is the file h names.
func copyMedia(ctx context.Context, sc *feedback.Showcase, h feedback.MediaHash, w io.Writer) error {
	rc, _, err := sc.OpenMedia(ctx, h)
	if err != nil {
		return err
	}
	defer rc.Close()
	sum := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, sum), rc); err != nil {
		return err
	}
	if got := feedback.MediaHash(sum.Sum(nil)); got != h {
		return fmt.Errorf("media %s: read back as %s", h, got)
	}
	return nil
}

// writeFile writes name in dir through a temporary file renamed once it
// is whole, so that a name in dir is always a finished file; the
// temporary file goes on failure.
func writeFile(dir, name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".*.part")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o640); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, name))
}

// manifestEntry is a post in the export's manifests.
type manifestEntry struct {
	Submission int64    `json:"submission"`
	Files      []string `json:"files"`
	Caption    string   `json:"caption"`
	Credit     string   `json:"credit"` // named or anonymous
	Author     string   `json:"author"` // the name to credit; "" when anonymous
	Scopes     []string `json:"scopes"`
	Consent    int64    `json:"consent"`
	GrantedAt  string   `json:"granted_at"` // RFC 3339, UTC
	ExpiresAt  string   `json:"expires_at"`
	Language   string   `json:"language"`  // of the consent text
	TextHash   string   `json:"text_hash"` // SHA-256 of the consent text, hex
}

func newManifestEntry(it feedback.ExportItem, files []string) manifestEntry {
	e := manifestEntry{Submission: int64(it.Submission.ID), Files: files, Caption: it.Submission.Caption, Credit: string(it.Consent.Credit),
		Author: it.Credit, Consent: int64(it.Consent.ID), GrantedAt: it.Consent.GrantedAt.UTC().Format(time.RFC3339),
		ExpiresAt: it.Consent.ExpiresAt.UTC().Format(time.RFC3339), Language: it.Consent.Lang, TextHash: hex.EncodeToString(it.Consent.TextHash[:])}
	for _, sc := range it.Consent.Scopes {
		e.Scopes = append(e.Scopes, string(sc))
	}
	return e
}

// manifestColumns are manifest.csv's columns, manifestEntry's JSON names;
// a column of several values (files, scopes) separates them by spaces.
var manifestColumns = []string{"submission", "files", "caption", "credit", "author", "scopes", "consent", "granted_at", "expires_at", "language", "text_hash"}

func (e manifestEntry) record() []string {
	return []string{strconv.FormatInt(e.Submission, 10), strings.Join(e.Files, " "), inert(e.Caption), e.Credit, inert(e.Author),
		strings.Join(e.Scopes, " "), strconv.FormatInt(e.Consent, 10), e.GrantedAt, e.ExpiresAt, e.Language, e.TextHash}
}

// inert keeps a member's text from running as a spreadsheet formula: one
// that starts as a formula does (=, +, -, @, a tab or a carriage return)
// is prefixed with an apostrophe, which spreadsheets show as text.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeManifests writes manifest.csv, then manifest.json, the sign of a
// finished export.
func writeManifests(dir string, entries []manifestEntry) error {
	err := writeFile(dir, "manifest.csv", func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(manifestColumns)
		for _, e := range entries {
			cw.Write(e.record())
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return writeFile(dir, "manifest.json", func(w io.Writer) error {
		b, err := json.MarshalIndent(entries, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	})
}
