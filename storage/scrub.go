package storage

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/hearthbot/hearth/community"
)

// The fields of audit details and outbox payloads that hold a member id:
// a subject field names whom the record is about (community.Action's
// member, community.Report's reported), an actor field who acted (an
// action's by, a report's reporter). Other numbers are ids of other
// things, or counts, even when they happen to equal a member's id.
var (
	subjectFields = []string{"member", "reported"}
	actorFields   = []string{"by", "reporter"}
	// subjectListFields hold lists of member ids, each a subject: the
	// members a feedback.notices event tells.
	subjectListFields = []string{"members"}
)

// scrubbed is a JSON document with an erased member's id taken out.
type scrubbed struct {
	doc     []byte
	about   bool // the document is about the member: a subject field at its top holds their id
	changed bool // doc differs from what it was
}

// scrubMemberID takes member's id out of a JSON document: an actor field
// that holds it is set to community.ErasedMember, an object in an array
// whose subject field holds it (one member's line of a summary) is
// removed from the array, and a document whose own subject is the member
// is reported as about them, for the caller to drop. Ids are matched
// exactly, field by field: text is never searched.
func scrubMemberID(raw []byte, member community.MemberID) (scrubbed, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return scrubbed{}, err
	}
	id := json.Number(member.String())
	if obj, ok := doc.(map[string]any); ok && holdsSubject(obj, id) {
		return scrubbed{about: true}, nil
	}
	doc, changed := scrubValue(doc, id)
	if !changed {
		return scrubbed{doc: raw}, nil
	}
	out, err := json.Marshal(doc)
	return scrubbed{doc: out, changed: true}, err
}

func holdsSubject(obj map[string]any, id json.Number) bool {
	for _, f := range subjectFields {
		if n, ok := obj[f].(json.Number); ok && n == id {
			return true
		}
	}
	return false
}

// scrubValue scrubs v (decoded with UseNumber) and reports whether it
// changed.
func scrubValue(v any, id json.Number) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		changed := false
		for k, val := range x {
			n, isNumber := val.(json.Number)
			switch {
			case isNumber && n == id && slices.Contains(actorFields, k):
				x[k], changed = json.Number(community.ErasedMember.String()), true
			case isNumber && n == id && slices.Contains(subjectFields, k):
				// A nested record about them that no array holds.
				x[k], changed = json.Number(community.ErasedMember.String()), true
			case slices.Contains(subjectListFields, k) && holdsID(val, id):
				x[k], changed = slices.DeleteFunc(slices.Clone(val.([]any)), func(el any) bool { return el == id }), true
			default:
				var c bool
				x[k], c = scrubValue(val, id)
				changed = changed || c
			}
		}
		return x, changed
	case []any:
		out := make([]any, 0, len(x))
		changed := false
		for _, el := range x {
			if obj, ok := el.(map[string]any); ok && holdsSubject(obj, id) {
				changed = true
				continue
			}
			el, c := scrubValue(el, id)
			out, changed = append(out, el), changed || c
		}
		return out, changed
	}
	return v, false
}

// holdsID reports whether v is a list that holds id as one of its numbers.
func holdsID(v any, id json.Number) bool {
	list, ok := v.([]any)
	return ok && slices.Contains(list, any(id))
}
