package discordtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"
)

// discordEpoch is the first millisecond of 2015, where snowflakes count from.
const discordEpoch = 1420070400000

// lastID is the last snowflake NewID handed out, shared by every Server so
// that ids never repeat within a test binary.
var lastID atomic.Uint64

// NewID returns a fresh snowflake: its timestamp part is now, and ids grow
// strictly, so sorting them sorts by creation as on Discord.
func NewID() string {
	for {
		prev := lastID.Load()
		next := uint64(time.Now().UnixMilli()-discordEpoch) << 22
		if next <= prev {
			next = prev + 1
		}
		if lastID.CompareAndSwap(prev, next) {
			return strconv.FormatUint(next, 10)
		}
	}
}

// interactionToken returns a token for an interaction, shaped like
// Discord's (base64 of "interaction:<id>:<secret>") and never repeated.
func interactionToken(interactionID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("interaction:" + interactionID + ":" + randomHex(32)))
}

func newSessionID() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails, per crypto/rand
	return hex.EncodeToString(b)
}

// lastLow numbers the ids IDAt hands out within one millisecond.
var lastLow atomic.Uint64

// IDAt returns a fresh snowflake whose timestamp is at, such as the id of
// a message posted weeks ago (Discord bulk-deletes only messages younger
// than 14 days, telling their age from their ids).
func IDAt(at time.Time) string {
	return strconv.FormatUint(uint64(at.UnixMilli()-discordEpoch)<<22|lastLow.Add(1)&(1<<22-1), 10)
}
