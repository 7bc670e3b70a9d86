package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// formErrors is the "errors" tree of Discord's 400 Invalid Form Body:
// {"content": {"_errors": [{"code": ..., "message": ...}]}}.
type formErrors map[string]any

// add records an error at a dotted path such as "components.0.custom_id".
func (fe formErrors) add(path, code, message string) {
	cur := map[string]any(fe)
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			next, ok := cur[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[seg] = next
			}
			cur = next
		}
	}
	errs, _ := cur["_errors"].([]map[string]string)
	cur["_errors"] = append(errs, map[string]string{"code": code, "message": message})
}

// length checks that a string has minLen to maxLen characters.
func (fe formErrors) length(path, s string, minLen, maxLen int) {
	fe.count(path, utf8.RuneCountInString(s), minLen, maxLen)
}

// count checks that a list or string length n is within minLen..maxLen.
func (fe formErrors) count(path string, n, minLen, maxLen int) {
	switch {
	case n >= minLen && n <= maxLen:
	case minLen == 0:
		fe.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxLen))
	default:
		fe.add(path, "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between %d and %d in length.", minLen, maxLen))
	}
}

func writeFormErrors(w http.ResponseWriter, fe formErrors) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "errors": fe, "message": "Invalid Form Body"})
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// outgoing is a message the bot sends or edits: its JSON payload and files.
type outgoing struct {
	payload messagePayload
	raw     json.RawMessage
	files   []File
}

type messagePayload struct {
	Content    *string            `json:"content"`
	Embeds     []embedPayload     `json:"embeds"`
	Components []componentPayload `json:"components"`
	StickerIDs []string           `json:"sticker_ids"`
	Poll       json.RawMessage    `json:"poll"`
	Flags      int                `json:"flags"`

	AllowedMentions *allowedMentions `json:"allowed_mentions"`

	// Create Message only.
	Nonce        json.RawMessage `json:"nonce"`
	EnforceNonce bool            `json:"enforce_nonce"`
}

type allowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users"`
	Roles []string `json:"roles"`
}

type embedPayload struct {
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Image       *embedFile `json:"image"`
	Thumbnail   *embedFile `json:"thumbnail"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
}

// embedFile is an embed's image or thumbnail.
type embedFile struct {
	URL string `json:"url"`
}

type componentPayload struct {
	Type       int                `json:"type"`
	CustomID   *string            `json:"custom_id"`
	Label      *string            `json:"label"`
	Style      int                `json:"style"`
	URL        string             `json:"url"`
	Disabled   bool               `json:"disabled"`
	Options    []json.RawMessage  `json:"options"`
	MinLength  *int               `json:"min_length"`
	MaxLength  *int               `json:"max_length"`
	Required   *bool              `json:"required"`
	Components []componentPayload `json:"components"`
	Accessory  *componentPayload  `json:"accessory"` // of a section
}

// readOutgoing reads a JSON or multipart message body, answering 50109 if
// it cannot be read.
func readOutgoing(w http.ResponseWriter, r *http.Request) (outgoing, bool) {
	raw, files, err := readBody(r)
	if err == nil {
		var out outgoing
		if out, err = parseOutgoing(raw, files); err == nil {
			return out, true
		}
	}
	writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	return outgoing{}, false
}

// readBody returns the JSON payload (payload_json if multipart) and files.
func readBody(r *http.Request) (json.RawMessage, []File, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, err
	}
	return Request{Header: r.Header, Body: body}.parts()
}

func parseOutgoing(raw json.RawMessage, files []File) (outgoing, error) {
	out := outgoing{raw: raw, files: files}
	if len(raw) == 0 {
		return out, nil
	}
	return out, json.Unmarshal(raw, &out.payload)
}

func (o *outgoing) empty() bool {
	p := o.payload
	return (p.Content == nil || *p.Content == "") && len(p.Embeds) == 0 && len(p.Components) == 0 &&
		len(p.StickerIDs) == 0 && (len(p.Poll) == 0 || string(p.Poll) == "null") && len(o.files) == 0
}

// valid checks a message as Discord does, answering 400 if it is not.
func (o *outgoing) valid(w http.ResponseWriter, prefix string, needsBody bool) bool {
	fe := formErrors{}
	validateMessage(fe, prefix, &o.payload)
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return false
	}
	if needsBody && o.empty() {
		writeError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return false
	}
	return true
}

func validateMessage(fe formErrors, prefix string, p *messagePayload) {
	if p.Content != nil {
		fe.length(join(prefix, "content"), *p.Content, 0, 2000)
	}
	fe.count(join(prefix, "embeds"), len(p.Embeds), 0, 10)
	total := 0
	for i, e := range p.Embeds {
		path := join(prefix, "embeds."+strconv.Itoa(i))
		fe.length(path+".title", e.Title, 0, 256)
		fe.length(path+".description", e.Description, 0, 4096)
		fe.count(path+".fields", len(e.Fields), 0, 25)
		for key, f := range map[string]*embedFile{"image": e.Image, "thumbnail": e.Thumbnail} {
			if f != nil {
				validateMediaURL(fe, path+"."+key+".url", f.URL)
			}
		}
		total += utf8.RuneCountInString(e.Title + e.Description)
		for j, f := range e.Fields {
			fe.length(path+".fields."+strconv.Itoa(j)+".name", f.Name, 1, 256)
			fe.length(path+".fields."+strconv.Itoa(j)+".value", f.Value, 1, 1024)
			total += utf8.RuneCountInString(f.Name + f.Value)
		}
	}
	if total > 6000 {
		fe.add(join(prefix, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
	}
	if p.Flags&int(discordgo.MessageFlagsIsComponentsV2) == 0 {
		validateRows(fe, join(prefix, "components"), p.Components)
	}
	if p.AllowedMentions != nil {
		validateAllowedMentions(fe, join(prefix, "allowed_mentions"), p.AllowedMentions)
	}
}

// validateMediaURL checks an embed image's URL: Discord fetches http and
// https URLs and takes attachment://name for a file sent with the message.
func validateMediaURL(fe formErrors, path, raw string) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		fe.add(path, "BASE_TYPE_REQUIRED", "This field is required")
	case err != nil || u.Host == "":
		fe.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "attachment":
		fe.add(path, "URL_TYPE_INVALID_SCHEME", fmt.Sprintf("Scheme %q is not supported. Scheme must be one of ('http', 'https').", u.Scheme))
	}
}

// validateAllowedMentions checks allowed_mentions: known parse types, at
// most 100 ids per list, and no list next to the parse type it overrides.
func validateAllowedMentions(fe formErrors, path string, am *allowedMentions) {
	for i, p := range am.Parse {
		if p != "roles" && p != "users" && p != "everyone" {
			fe.add(path+".parse."+strconv.Itoa(i), "BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone').")
		}
	}
	fe.count(path+".users", len(am.Users), 0, 100)
	fe.count(path+".roles", len(am.Roles), 0, 100)
	for _, kind := range []struct {
		name string
		ids  []string
	}{{"users", am.Users}, {"roles", am.Roles}} {
		if len(kind.ids) > 0 && slices.Contains(am.Parse, kind.name) {
			fe.add(path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
				fmt.Sprintf("parse:[\"%s\"] and %s: [ids] are mutually exclusive.", kind.name, kind.name))
		}
	}
}

// validateRows checks message components: at most 5 action rows of at most
// 5 buttons or one select menu, with unique custom ids.
func validateRows(fe formErrors, path string, rows []componentPayload) {
	fe.count(path, len(rows), 0, 5)
	seen := map[string]bool{}
	for i, row := range rows {
		rp := path + "." + strconv.Itoa(i)
		if row.Type != int(discordgo.ActionsRowComponent) {
			fe.add(rp+".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
			continue
		}
		fe.count(rp+".components", len(row.Components), 1, 5)
		width := 0
		for j, c := range row.Components {
			width += validateComponent(fe, rp+".components."+strconv.Itoa(j), c, seen)
		}
		if width > 5 {
			fe.add(rp+".components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
		}
	}
}

// validateComponent checks one component in an action row and returns its
// width (a button takes 1 of 5, a select menu all 5).
func validateComponent(fe formErrors, path string, c componentPayload, seen map[string]bool) int {
	switch discordgo.ComponentType(c.Type) {
	case discordgo.ButtonComponent:
		if c.Label != nil {
			fe.length(path+".label", *c.Label, 0, 80)
		}
		if discordgo.ButtonStyle(c.Style) == discordgo.LinkButton {
			if c.URL == "" {
				fe.add(path+".url", "BASE_TYPE_REQUIRED", "This field is required")
			}
			return 1
		}
		customID(fe, path, c.CustomID, seen)
		return 1
	case discordgo.SelectMenuComponent, discordgo.UserSelectMenuComponent, discordgo.RoleSelectMenuComponent,
		discordgo.MentionableSelectMenuComponent, discordgo.ChannelSelectMenuComponent:
		customID(fe, path, c.CustomID, seen)
		fe.count(path+".options", len(c.Options), 0, 25)
		return 5
	}
	fe.add(path+".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (2, 3, 5, 6, 7, 8).")
	return 1
}

func customID(fe formErrors, path string, id *string, seen map[string]bool) {
	switch {
	case id == nil:
		fe.add(path+".custom_id", "BASE_TYPE_REQUIRED", "This field is required")
	case seen[*id]:
		fe.add(path+".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
	default:
		seen[*id] = true
		fe.length(path+".custom_id", *id, 1, 100)
	}
}

// modalPayload is the data of a MODAL interaction callback (type 9).
type modalPayload struct {
	CustomID   string             `json:"custom_id"`
	Title      *string            `json:"title"`
	Components []componentPayload `json:"components"`
}

// validateModal checks a modal: custom_id 1-100, title up to 45, 1-5 rows
// each holding one text input with a label up to 45.
func validateModal(fe formErrors, m *modalPayload) {
	fe.length("data.custom_id", m.CustomID, 1, 100)
	if m.Title == nil {
		fe.add("data.title", "BASE_TYPE_REQUIRED", "This field is required")
	} else {
		fe.length("data.title", *m.Title, 1, 45)
	}
	fe.count("data.components", len(m.Components), 1, 5)
	seen := map[string]bool{}
	for i, row := range m.Components {
		rp := "data.components." + strconv.Itoa(i)
		if row.Type != int(discordgo.ActionsRowComponent) {
			continue // labels and text displays of newer modals
		}
		fe.count(rp+".components", len(row.Components), 1, 1)
		for j, c := range row.Components {
			validateTextInput(fe, rp+".components."+strconv.Itoa(j), c, seen)
		}
	}
}

func validateTextInput(fe formErrors, path string, c componentPayload, seen map[string]bool) {
	if discordgo.ComponentType(c.Type) != discordgo.TextInputComponent {
		fe.add(path+".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (4,).")
		return
	}
	customID(fe, path, c.CustomID, seen)
	if c.Label == nil {
		fe.add(path+".label", "BASE_TYPE_REQUIRED", "This field is required")
	} else {
		fe.length(path+".label", *c.Label, 1, 45)
	}
	if c.Style != int(discordgo.TextInputShort) && c.Style != int(discordgo.TextInputParagraph) {
		fe.add(path+".style", "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
	}
	if c.MinLength != nil && (*c.MinLength < 0 || *c.MinLength > 4000) {
		fe.add(path+".min_length", "NUMBER_TYPE_MAX", "int value should be less than or equal to 4000.")
	}
	if c.MaxLength != nil && (*c.MaxLength < 1 || *c.MaxLength > 4000) {
		fe.add(path+".max_length", "NUMBER_TYPE_MAX", "int value should be less than or equal to 4000.")
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
