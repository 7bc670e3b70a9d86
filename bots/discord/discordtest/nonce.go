package discordtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// DefaultNonceWindow is how long the fake remembers the nonce of a message
// for enforce_nonce unless WithNonceWindow sets another time. Discord
// documents it only as "the past few minutes".
const DefaultNonceWindow = 2 * time.Minute

// maxNonce is the longest nonce string Create Message takes.
const maxNonce = 25

// WithNonceWindow sets how long a message's nonce is remembered: within
// it, Create Message with enforce_nonce and the same nonce from the same
// author answers the earlier message instead of creating one. 0 forgets
// every nonce at once.
func WithNonceWindow(d time.Duration) Option {
	return func(c *config) { c.nonceWindow = d }
}

// nonceRecord is a message created with a nonce.
type nonceRecord struct {
	channelID, messageID string
	at                   time.Time
}

// nonce checks Create Message's nonce as Discord does: absent or null, a
// string of at most 25 characters, or an integer (which counts as its
// decimal digits). It answers 400 Invalid Form Body otherwise.
func (o *outgoing) nonce(w http.ResponseWriter) (string, bool) {
	raw := o.payload.Nonce
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	fe := formErrors{}
	var s string
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	switch {
	case json.Unmarshal(raw, &s) == nil:
		if utf8.RuneCountInString(s) > maxNonce {
			fe.add("nonce", "NONCE_TYPE_TOO_LONG", "Must be 25 or fewer characters long.")
		}
	case dec.Decode(&n) == nil && isInteger(n):
		s = n.String()
	default:
		fe.add("nonce", "NONCE_TYPE_INVALID_TYPE", "This field must be a string or integer.")
	}
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return "", false
	}
	return s, true
}

func isInteger(n json.Number) bool {
	_, err := n.Int64()
	return err == nil
}

func (s *Server) nonceKey(nonce string) string { return s.bot.ID + "/" + nonce }

// earlierByNonceLocked finds the message the bot created with nonce within
// the window, which enforce_nonce answers instead of creating another. A
// message deleted since is found too (as nil): Discord then answers
// Unknown Message rather than post it again.
func (s *Server) earlierByNonceLocked(nonce string) (*discordgo.Message, bool) {
	rec, ok := s.nonces[s.nonceKey(nonce)]
	if !ok || time.Since(rec.at) >= s.cfg.nonceWindow {
		return nil, false
	}
	if _, m := s.findMessageLocked(rec.channelID, rec.messageID); m != nil {
		return copyMessage(m), true
	}
	return nil, true
}

// rememberNonceLocked remembers that m was created with nonce.
func (s *Server) rememberNonceLocked(nonce string, m *discordgo.Message) {
	if nonce != "" {
		s.nonces[s.nonceKey(nonce)] = nonceRecord{channelID: m.ChannelID, messageID: m.ID, at: time.Now()}
	}
}

// answerCreated tells the gateway about a message just created and answers
// it, both with the nonce it was sent with.
func (s *Server) answerCreated(w http.ResponseWriter, m *discordgo.Message, nonce json.RawMessage) {
	wire, err := messageWire(m)
	if err == nil {
		wire, err = withNonce(wire, nonce)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	if m.Flags&discordgo.MessageFlagsEphemeral == 0 {
		s.broadcast("MESSAGE_CREATE", wire)
	}
	writeJSON(w, http.StatusOK, wire)
}

// answerEarlier answers a Create Message that enforce_nonce found already
// done: the earlier message as it is now, or Unknown Message if it was
// deleted. Nothing is created and the gateway hears nothing.
func (s *Server) answerEarlier(w http.ResponseWriter, m *discordgo.Message, nonce json.RawMessage) {
	if m == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	wire, err := messageWire(m)
	if err == nil {
		wire, err = withNonce(wire, nonce)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	writeJSON(w, http.StatusOK, wire)
}

// withNonce adds the nonce a message was sent with to its wire form.
func withNonce(wire, nonce json.RawMessage) (json.RawMessage, error) {
	if len(nonce) == 0 || string(nonce) == "null" {
		return wire, nil
	}
	var o object
	if err := json.Unmarshal(wire, &o); err != nil {
		return nil, err
	}
	o["nonce"] = nonce
	return json.Marshal(o)
}
