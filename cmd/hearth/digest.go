package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/draw"
	"image/png"
	"os"
	"slices"
	"strings"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/outbox"
)

// digestFormats are what `hearth digest` writes.
var digestFormats = []string{"text", "json", "png", "html"}

// digest prints a week's digest: the stored one, or one made now from
// the database when none is stored. It never stores or posts one.
func (c *cli) digest(ctx context.Context, args []string) error {
	fs := c.flags("digest", "[--week 2026-W49] [--format text|json|png|html] [--out FILE] [--config FILE]",
		"Print the weekly engagement digest of a week (the last complete week unless given):\n"+
			"the stored digest staff were sent, or one made now when none is stored.\n"+
			"text and html are in the community's default language; png is the charts, one under\n"+
			"the other; html is one page with the charts inside it.")
	week := fs.String("week", "", "the ISO `WEEK`, such as 2026-W49 (default: the last complete week)")
	format := fs.String("format", "text", "what to write: "+strings.Join(digestFormats, ", "))
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	if !slices.Contains(digestFormats, *format) {
		return usageError{fmt.Sprintf("digest: --format must be one of %s, not %q", strings.Join(digestFormats, ", "), *format)}
	}
	var w digest.Week
	if *week != "" {
		if w, err = digest.ParseWeek(*week); err != nil {
			return usageError{"digest: --week: " + err.Error()}
		}
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	opts := bots.CommunityOptionsFrom(cfg)
	digests, err := digest.NewDigests(store, bots.DigestRules(opts), c.now)
	if err != nil {
		return err
	}
	if *week == "" {
		w = digests.LastWeek()
	}
	d, stored, err := digests.Read(ctx, w)
	if err != nil {
		return err
	}
	cat, err := catalog.New()
	if err != nil {
		return err
	}
	doc, err := renderDigest(cat, cfg.Community.DefaultLanguage, d, stored, *format)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = c.stdout.Write(doc)
		return err
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		return fmt.Errorf("digest: write %s: %w", *out, err)
	}
	return nil
}

// renderDigest writes the digest in format, in lang.
func renderDigest(cat *catalog.Catalog, lang string, d digest.Digest, stored bool, format string) ([]byte, error) {
	text := bots.DigestText(cat, lang, d, stored)
	switch format {
	case "json":
		b, err := json.MarshalIndent(d, "", "  ")
		return append(b, '\n'), err
	case "text":
		return []byte(markup.Parse(text).PlainText() + "\n"), nil
	}
	charts, err := bots.DigestCharts(cat, lang, d)
	if err != nil {
		return nil, err
	}
	if format == "png" {
		return stackCharts(charts)
	}
	return digestHTML(lang, d, text, charts), nil
}

// stackCharts draws the charts one under the other on one image.
func stackCharts(charts []outbox.Image) ([]byte, error) {
	var images []image.Image
	width, height := 0, 0
	for _, c := range charts {
		img, err := png.Decode(bytes.NewReader(c.Data))
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.Name, err)
		}
		images = append(images, img)
		width, height = max(width, img.Bounds().Dx()), height+img.Bounds().Dy()
	}
	sheet := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(sheet, sheet.Bounds(), image.White, image.Point{}, draw.Src)
	y := 0
	for _, img := range images {
		r := img.Bounds()
		draw.Draw(sheet, image.Rect(0, y, r.Dx(), y+r.Dy()), img, r.Min, draw.Src)
		y += r.Dy()
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, sheet); err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	return buf.Bytes(), nil
}

// digestHTML is one self-contained page: the digest's text, then its
// charts as inline images.
func digestHTML(lang string, d digest.Digest, text string, charts []outbox.Image) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", html.EscapeString(lang))
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString("Hearth "+d.Week.String()))
	b.WriteString("<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}" +
		"p{margin:.2rem 0}img{width:100%;height:auto;margin:1rem 0}</style>\n</head>\n<body>\n")
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			b.WriteString("<br>\n")
			continue
		}
		fmt.Fprintf(&b, "<p>%s</p>\n", markup.TelegramHTML(markup.Parse(line)))
	}
	for _, c := range charts {
		fmt.Fprintf(&b, "<img alt=\"%s\" src=\"data:image/png;base64,%s\">\n", html.EscapeString(c.Name), base64.StdEncoding.EncodeToString(c.Data))
	}
	b.WriteString("</body>\n</html>\n")
	return []byte(b.String())
}
