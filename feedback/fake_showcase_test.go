package feedback

import (
	"bytes"
	"context"
	"io"
	"time"

	"github.com/hearthbot/hearth/community"
)

// fakeShowcase keeps the showcase in memory.
type fakeShowcase struct {
	media    map[MediaHash][]byte
	types    map[MediaHash]MediaType
	subs     map[SubmissionID]Submission
	consents []Consent // index = id - 1
	effects  []community.Effects
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

func (f *fakeShowcase) SaveSubmission(_ context.Context, s Submission) (Submission, error) {
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
	return s, nil
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

func (f *fakeShowcase) RecordConsent(_ context.Context, c Consent, to SubmissionStatus) (Consent, error) {
	s := f.subs[c.Submission]
	if s.Status != SubmissionApproved {
		return Consent{}, community.ErrConflict
	}
	s.Status = to
	f.subs[s.ID] = s
	c.ID = ConsentID(len(f.consents) + 1)
	f.consents = append(f.consents, c)
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

func (f *fakeShowcase) RevokeConsent(_ context.Context, id ConsentID, at time.Time) error {
	if !f.consents[id-1].RevokedAt.IsZero() {
		return community.ErrConflict
	}
	f.consents[id-1].RevokedAt = at
	return nil
}
