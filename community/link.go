package community

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// A link token carries a shop customer id and an expiry, signed with the
// community's link secret, in at most 64 characters of A-Z a-z 0-9 _ - so
// that it fits a Telegram deep link (t.me/bot?start=TOKEN):
//
//	base64url( version(1) | expires unix seconds(4) | HMAC-SHA256[:12] | customer id )
//
// The HMAC covers the version, the expiry and the customer id.
const (
	linkTokenVersion = 1
	linkMACSize      = 12
	linkHeaderSize   = 1 + 4 + linkMACSize
	// MaxLinkTokenLen is the longest token Telegram accepts in a deep link.
	MaxLinkTokenLen = 64
	// MaxLinkCustomerID is the longest customer id a link token can carry.
	MaxLinkCustomerID = MaxLinkTokenLen*3/4 - linkHeaderSize
	// MinLinkSecret is the shortest link secret Hearth accepts.
	MinLinkSecret = 32
)

// LinkTokens issues and checks the signed, expiring tokens that link a
// member to a shop customer.
type LinkTokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// NewLinkTokens returns a token issuer for secret whose tokens are valid
// for ttl. now is the clock (time.Now in production).
func NewLinkTokens(secret string, ttl time.Duration, now func() time.Time) (*LinkTokens, error) {
	if len(secret) < MinLinkSecret {
		return nil, fmt.Errorf("link secret: %d characters, at least %d are needed", len(secret), MinLinkSecret)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("link token lifetime %s: must be positive", ttl)
	}
	return &LinkTokens{secret: []byte(secret), ttl: ttl, now: now}, nil
}

// Issue returns a token for customerID that expires after the configured
// lifetime, and when it expires.
func (t *LinkTokens) Issue(customerID string) (string, time.Time, error) {
	if customerID == "" {
		return "", time.Time{}, fmt.Errorf("link token: the customer id is empty")
	}
	if len(customerID) > MaxLinkCustomerID {
		return "", time.Time{}, fmt.Errorf("link token: customer id %q is %d bytes, at most %d fit in a Telegram link", customerID, len(customerID), MaxLinkCustomerID)
	}
	expires := t.now().Add(t.ttl).Truncate(time.Second)
	buf := make([]byte, linkHeaderSize, linkHeaderSize+len(customerID))
	buf[0] = linkTokenVersion
	binary.BigEndian.PutUint32(buf[1:5], uint32(expires.Unix()))
	buf = append(buf, customerID...)
	copy(buf[5:linkHeaderSize], t.mac(buf))
	return base64.RawURLEncoding.EncodeToString(buf), expires, nil
}

// Verify returns the customer id a token carries. A malformed or forged
// token is EInvalid (link.invalid), an expired one EInvalid (link.expired).
func (t *LinkTokens) Verify(token string) (string, error) {
	invalid := Errorf(EInvalid, "link.invalid", nil, "the link token is not valid")
	if len(token) > MaxLinkTokenLen {
		return "", invalid
	}
	buf, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(buf) <= linkHeaderSize || buf[0] != linkTokenVersion {
		return "", invalid
	}
	if !hmac.Equal(buf[5:linkHeaderSize], t.mac(buf)) {
		return "", invalid
	}
	expires := time.Unix(int64(binary.BigEndian.Uint32(buf[1:5])), 0)
	if !t.now().Before(expires) {
		return "", Errorf(EInvalid, "link.expired", nil, "the link token expired at %s", expires.UTC().Format(time.RFC3339))
	}
	return string(buf[linkHeaderSize:]), nil
}

// mac signs a token's version, expiry and customer id (everything but the
// MAC's own bytes).
func (t *LinkTokens) mac(buf []byte) []byte {
	m := hmac.New(sha256.New, t.secret)
	m.Write(buf[:5])
	m.Write(buf[linkHeaderSize:])
	return m.Sum(nil)[:linkMACSize]
}

// replaceProof signs a member's confirmed move to another customer, so
// that a button may carry it (in 64 bytes with the customer id) and no one
// can forge one for a customer they hold no token of.
func (t *LinkTokens) replaceProof(member MemberID, customerID string) string {
	m := hmac.New(sha256.New, t.secret)
	fmt.Fprintf(m, "replace\x00%d\x00%s", member, customerID)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:9])
}

// LinkStore is what linking needs from persistence.
type LinkStore interface {
	// LinkedCustomer returns the customer the member is linked to, or ""
	// when none.
	LinkedCustomer(ctx context.Context, member MemberID) (string, error)
	// LinkCustomer links the member to the shop customer (creating the
	// customer if the shop has sent no order yet), replacing any customer
	// the member was linked to before, and writes the audit entry. A
	// customer already linked to another member is EConflict.
	LinkCustomer(ctx context.Context, member MemberID, customerID string) error
}

// Linking links members to shop customers with link tokens.
type Linking struct {
	tokens *LinkTokens
	store  LinkStore
}

// NewLinking returns the linking service.
func NewLinking(tokens *LinkTokens, store LinkStore) *Linking {
	return &Linking{tokens: tokens, store: store}
}

// Relink is a link the member must confirm: it would move them from the
// shop customer they are linked to to another one. Proof lets the
// confirmation be checked without the code.
type Relink struct {
	To    string
	Proof string
}

// Link checks token and links member to the customer it names. A member
// linked to another customer already is not moved silently: Link returns
// the Relink to confirm instead, and links nothing.
func (l *Linking) Link(ctx context.Context, member MemberID, token string) (*Relink, error) {
	customerID, err := l.tokens.Verify(token)
	if err != nil {
		return nil, err
	}
	current, err := l.store.LinkedCustomer(ctx, member)
	if err != nil {
		return nil, err
	}
	if current != "" && current != customerID {
		return &Relink{To: customerID, Proof: l.tokens.replaceProof(member, customerID)}, nil
	}
	return nil, l.store.LinkCustomer(ctx, member, customerID)
}

// Confirm links member to the customer of a Relink they confirmed.
func (l *Linking) Confirm(ctx context.Context, member MemberID, r Relink) error {
	if !hmac.Equal([]byte(r.Proof), []byte(l.tokens.replaceProof(member, r.To))) {
		return Errorf(EInvalid, "link.invalid", nil, "the confirmation to link customer %q is not valid", r.To)
	}
	return l.store.LinkCustomer(ctx, member, r.To)
}
