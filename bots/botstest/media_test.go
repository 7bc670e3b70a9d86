package botstest

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"testing"

	"github.com/hearthbot/hearth/feedback"
)

// TestGeneratedFilesAreWhole: the photos and videos the tests send are
// files the showcase keeps (their headers parse), of the size asked, the
// photos decode whole, and GeneratedMedia streams the same bytes.
func TestGeneratedFilesAreWhole(t *testing.T) {
	for _, tc := range []struct {
		file []byte
		typ  feedback.MediaType
		gen  GeneratedMedia
	}{
		{Photo(1, 300_000), feedback.MediaJPEG, GeneratedMedia{Seed: 1, Size: 300_000, Type: "image/jpeg"}},
		{Photo(2, 65_537*3+5), feedback.MediaJPEG, GeneratedMedia{Seed: 2, Size: 65_537*3 + 5, Type: "image/jpeg"}},
		{Video(3, 1000), feedback.MediaMP4, GeneratedMedia{Seed: 3, Size: 1000}},
		{Video(4, 3<<20), feedback.MediaMP4, GeneratedMedia{Seed: 4, Size: 3 << 20}},
	} {
		m := feedback.NewMediaReader(bytes.NewReader(tc.file), 0)
		if _, err := io.Copy(io.Discard, m); err != nil || m.Type() != tc.typ || m.Size() != tc.gen.Size {
			t.Errorf("%s of %d bytes: read as %q of %d bytes, %v", tc.typ, tc.gen.Size, m.Type(), m.Size(), err)
		}
		if tc.typ == feedback.MediaJPEG {
			if _, err := jpeg.Decode(bytes.NewReader(tc.file)); err != nil {
				t.Errorf("photo of %d bytes: %v", len(tc.file), err)
			}
		}
		rc, _, _, _ := tc.gen.OpenSentMedia(context.Background(), "")
		if got, _ := io.ReadAll(rc); !bytes.Equal(got, tc.file) {
			t.Errorf("%s of %d bytes: GeneratedMedia streams %d other bytes", tc.typ, tc.gen.Size, len(got))
		}
	}
}
