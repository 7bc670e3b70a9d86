// Package catalog holds everything Hearth says to people, in every language
// it speaks (English, Greek, Russian, Polish and Romanian), as message
// files embedded in the binary. Texts are written in Hearth's markup (see
// package markup); the values put into them are escaped so that a member's
// name can never change the formatting.
package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hearthbot/hearth/bots/markup"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed messages/*.yaml
var files embed.FS

// Fallback is the language every message exists in, used when a
// translation is missing.
const Fallback = "en"

// Raw is a value put into a message as markup, not escaped: for text that
// is already markup, such as a list built from other messages.
type Raw string

// Catalog finds a message in a language and fills in its values.
type Catalog struct {
	bundle     *i18n.Bundle
	languages  []string
	localizers map[string]*i18n.Localizer
	ids        map[string][]string // message ids per language
}

// New loads the embedded message files.
func New() (*Catalog, error) {
	c := &Catalog{
		bundle:     i18n.NewBundle(language.English),
		localizers: map[string]*i18n.Localizer{},
		ids:        map[string][]string{},
	}
	c.bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	entries, err := fs.ReadDir(files, "messages")
	if err != nil {
		return nil, err
	}
	seen := map[string]string{} // "lang id" -> the file that defined it
	for _, e := range entries {
		name := path.Join("messages", e.Name())
		lang, ok := FileLanguage(e.Name())
		if !ok {
			return nil, fmt.Errorf("message file %s: name it AREA.LANG.yaml, such as core.en.yaml", name)
		}
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		mf, err := c.bundle.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("message file %s: %w", name, err)
		}
		if !slices.Contains(c.languages, lang) {
			c.languages = append(c.languages, lang)
		}
		for _, m := range mf.Messages {
			if first, dup := seen[lang+" "+m.ID]; dup {
				return nil, fmt.Errorf("message file %s: %s is already defined in %s", name, m.ID, first)
			}
			seen[lang+" "+m.ID] = name
			c.ids[lang] = append(c.ids[lang], m.ID)
		}
	}
	for _, lang := range c.languages {
		sort.Strings(c.ids[lang])
	}
	for _, lang := range c.languages {
		c.localizers[lang] = i18n.NewLocalizer(c.bundle, lang, Fallback)
	}
	return c, nil
}

// FileLanguage returns the language of a message file named
// AREA.LANG.yaml: each area of Hearth (core, community, moderation...)
// keeps its messages in a file of its own per language.
func FileLanguage(name string) (string, bool) {
	parts := strings.Split(name, ".")
	if len(parts) != 3 || parts[2] != "yaml" || parts[0] == "" || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

// Languages lists the languages the catalog has, such as "en" and "el".
func (c *Catalog) Languages() []string { return slices.Clone(c.languages) }

// IDs lists the message ids of a language, sorted.
func (c *Catalog) IDs(lang string) []string { return slices.Clone(c.ids[lang]) }

// Match returns the catalog language for a platform's language code (such
// as "ru", "ru-RU" or "pt-BR"), or false when there is none.
func (c *Catalog) Match(code string) (string, bool) {
	base, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(code, "_", "-")), "-")
	if _, ok := c.localizers[base]; ok && base != "" {
		return base, true
	}
	return "", false
}

// Text returns message id in lang with data filled in. String values in
// data are escaped for markup unless they are Raw. A message missing in
// lang comes in English; a message missing altogether is a bug, shown as
// its id so it is noticed.
func (c *Catalog) Text(lang, id string, data map[string]any) string {
	return c.localize(lang, id, data, nil)
}

// Count returns the plural form of message id for count, which the
// template sees as .Count.
func (c *Catalog) Count(lang, id string, count int, data map[string]any) string {
	filled := map[string]any{"Count": count}
	for k, v := range data {
		filled[k] = v
	}
	return c.localize(lang, id, filled, count)
}

func (c *Catalog) localize(lang, id string, data map[string]any, count any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[Fallback]
	}
	out, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: escaped(data), PluralCount: count})
	if err != nil && out == "" {
		return "[" + id + "]"
	}
	return out
}

func escaped(data map[string]any) map[string]any {
	if data == nil {
		return nil
	}
	out := make(map[string]any, len(data))
	for k, v := range data {
		switch v := v.(type) {
		case string:
			out[k] = markup.Escape(v)
		case Raw:
			out[k] = string(v)
		case fmt.Stringer:
			out[k] = markup.Escape(v.String())
		default:
			out[k] = v
		}
	}
	return out
}
