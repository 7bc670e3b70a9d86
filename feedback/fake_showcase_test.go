package feedback

import (
	"bytes"
	"context"
	"io"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

// fakeShowcase keeps the showcase in memory.
type fakeShowcase struct {
	media     map[MediaHash][]byte
	types     map[MediaHash]MediaType
	subs      map[SubmissionID]Submission
	consents  []Consent // index = id - 1
	effects   []community.Effects
	records   []ConsentRecord
	submitted []community.Event
	withdrawn []Withdrawal
}

func newFakeShowcase() *fakeShowcase {
	return &fakeShowcase{media: map[MediaHash][]byte{}, types: map[MediaHash]MediaType{}, subs: map[SubmissionID]Submission{}}
}

func (f *fakeShowcase) PutMedia(_ context.Context, m *MediaReader) (Media, error) {
	b, err := io.ReadAll(m)
	if err != nil {
		return Media{}, err
	}
	md := m.Media()
	f.media[md.Hash], f.types[md.Hash] = b, md.Type
	return md, nil
}

func (f *fakeShowcase) OpenMedia(_ context.Context, h MediaHash) (io.ReadCloser, Media, error) {
	b, ok := f.media[h]
	if !ok {
		return nil, Media{}, MediaNotFound(h)
	}
	return io.NopCloser(bytes.NewReader(b)), Media{Hash: h, Type: f.types[h], Size: int64(len(b))}, nil
}

func (f *fakeShowcase) SaveSubmission(_ context.Context, s Submission, submitted func(SubmissionID) community.Event) (Submission, error) {
	for _, old := range f.subs {
		for _, om := range old.Media {
			for _, m := range s.Media {
				if old.Member == s.Member && om.Hash == m.Hash {
					return Submission{}, AlreadySubmitted(old.ID)
				}
			}
		}
	}
	for i, m := range s.Media {
		if _, ok := f.media[m.Hash]; !ok {
			return Submission{}, MediaNotFound(m.Hash)
		}
		s.Media[i].Type, s.Media[i].Size = f.types[m.Hash], int64(len(f.media[m.Hash]))
	}
	s.ID = SubmissionID(len(f.subs) + 1)
	f.subs[s.ID] = s
	f.submitted = append(f.submitted, submitted(s.ID))
	return s, nil
}

func (f *fakeShowcase) AlbumSubmission(_ context.Context, member community.MemberID, p community.Platform, album string) (Submission, error) {
	for _, s := range f.subs {
		if s.Member == member && s.Platform == p && s.Album == album && s.Status == SubmissionPending {
			return s, nil
		}
	}
	return Submission{}, SubmissionNotFound(0)
}

func (f *fakeShowcase) AddToAlbum(_ context.Context, member community.MemberID, p community.Platform, album string, m SubmissionMedia) (Submission, error) {
	for id, s := range f.subs {
		if s.Member == member && s.Platform == p && s.Album == album && s.Status == SubmissionPending {
			if len(s.Media) >= MaxAlbum {
				return Submission{}, community.Errorf(community.EInvalid, "showcase.too_many_files", nil, "full")
			}
			m.Type, m.Size = f.types[m.Hash], int64(len(f.media[m.Hash]))
			s.Media = append(s.Media, m)
			f.subs[id] = s
			return s, nil
		}
	}
	return Submission{}, SubmissionNotFound(0)
}

func (f *fakeShowcase) Submission(_ context.Context, id SubmissionID) (Submission, error) {
	s, ok := f.subs[id]
	if !ok {
		return Submission{}, SubmissionNotFound(id)
	}
	return s, nil
}

func (f *fakeShowcase) ReviewSubmission(_ context.Context, s Submission, effects community.Effects) error {
	if f.subs[s.ID].Status != SubmissionPending {
		return community.ErrConflict
	}
	f.subs[s.ID] = s
	f.effects = append(f.effects, effects)
	return nil
}

func (f *fakeShowcase) RecordConsent(_ context.Context, r ConsentRecord) (Consent, error) {
	c := r.Consent
	s := f.subs[c.Submission]
	if s.Status != r.From {
		return Consent{}, community.ErrConflict
	}
	if last, err := f.LatestConsent(context.Background(), s.ID); err == nil && last.Valid(c.GrantedAt) {
		return Consent{}, community.ErrConflict
	}
	s.Status = r.To
	f.subs[s.ID] = s
	c.ID = ConsentID(len(f.consents) + 1)
	f.consents = append(f.consents, c)
	f.records = append(f.records, r)
	return c, nil
}

func (f *fakeShowcase) Consent(_ context.Context, id ConsentID) (Consent, error) {
	if id < 1 || int(id) > len(f.consents) {
		return Consent{}, ConsentNotFound(id)
	}
	return f.consents[id-1], nil
}

func (f *fakeShowcase) LatestConsent(_ context.Context, id SubmissionID) (Consent, error) {
	for i := len(f.consents) - 1; i >= 0; i-- {
		if f.consents[i].Submission == id {
			return f.consents[i], nil
		}
	}
	return Consent{}, ConsentNotFound(0)
}

func (f *fakeShowcase) RevokeConsent(_ context.Context, w Withdrawal, at time.Time) error {
	if !f.consents[w.Consent-1].RevokedAt.IsZero() {
		return community.ErrConflict
	}
	f.consents[w.Consent-1].RevokedAt = at
	f.withdrawn = append(f.withdrawn, w)
	return nil
}

func (f *fakeShowcase) WithdrawExpired(_ context.Context, now time.Time) ([]Withdrawal, error) {
	var out []Withdrawal
	for _, c := range f.consents {
		if c.Decision == ConsentDecline || !c.RevokedAt.IsZero() || now.Before(c.ExpiresAt) || slices.ContainsFunc(f.withdrawn, func(w Withdrawal) bool { return w.Consent == c.ID }) {
			continue
		}
		w := Withdrawal{Submission: c.Submission, Consent: c.ID, Reason: WithdrawExpired}
		f.withdrawn, out = append(f.withdrawn, w), append(out, w)
	}
	return out, nil
}

func (f *fakeShowcase) MemberEntries(ctx context.Context, member community.MemberID) ([]Entry, error) {
	var out []Entry
	for id := SubmissionID(len(f.subs)); id > 0; id-- {
		if s := f.subs[id]; s.Member == member {
			c, _ := f.LatestConsent(ctx, id)
			out = append(out, Entry{Submission: s, Consent: c})
		}
	}
	return out, nil
}

func (f *fakeShowcase) ConsentedEntries(ctx context.Context, now time.Time, limit int) ([]Entry, error) {
	var out []Entry
	for id := SubmissionID(len(f.subs)); id > 0 && len(out) < limit; id-- {
		if c, err := f.LatestConsent(ctx, id); err == nil && c.Valid(now) {
			out = append(out, Entry{Submission: f.subs[id], Consent: c})
		}
	}
	return out, nil
}

func (f *fakeShowcase) Reshares(context.Context, Withdrawal) ([]Reshare, error) { return nil, nil }
