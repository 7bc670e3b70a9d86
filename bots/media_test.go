package bots

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/hearthbot/hearth/community"
)

// TestLimitMediaStopsPastTheLimit: a stream of exactly max bytes reads
// whole; one byte more fails with a *TooBigError naming the limit, after
// the max bytes and never the one past them, whatever the reads' sizes.
func TestLimitMediaStopsPastTheLimit(t *testing.T) {
	data := bytes.Repeat([]byte("tea!"), 1000) // 4000 bytes
	for _, tc := range []struct {
		name    string
		max     int64
		tooBig  bool
		wantLen int
	}{
		{"under the limit", 5000, false, 4000},
		{"exactly the limit", 4000, false, 4000},
		{"one byte over", 3999, true, 3999},
		{"far over", 10, true, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, oneByte := range []bool{false, true} {
				var src io.Reader = bytes.NewReader(data)
				if oneByte {
					src = iotest.OneByteReader(src)
				}
				got, err := io.ReadAll(LimitMedia(io.NopCloser(src), tc.max))
				if len(got) != tc.wantLen {
					t.Errorf("read %d bytes, want %d", len(got), tc.wantLen)
				}
				var tb *TooBigError
				if tc.tooBig != errors.As(err, &tb) || tc.tooBig != errors.Is(err, ErrTooBig) {
					t.Fatalf("err = %v, want too big: %v", err, tc.tooBig)
				}
				if tc.tooBig && tb.Max != tc.max {
					t.Errorf("TooBigError.Max = %d, want %d", tb.Max, tc.max)
				}
				if !tc.tooBig && err != nil {
					t.Errorf("err = %v, want none", err)
				}
			}
		})
	}
}

// TestCheckMediaSizeRefusesADeclaredSizeOverTheLimit: refused before any
// download; an unknown size (0) is left to the stream's limit.
func TestCheckMediaSizeRefusesADeclaredSizeOverTheLimit(t *testing.T) {
	if err := CheckMediaSize(21, 20); !errors.Is(err, ErrTooBig) {
		t.Errorf("CheckMediaSize(21, 20) = %v, want too big", err)
	}
	for _, size := range []int64{0, 20} {
		if err := CheckMediaSize(size, 20); err != nil {
			t.Errorf("CheckMediaSize(%d, 20) = %v, want nil", size, err)
		}
	}
}

// TestCleanKeepsTheMediaGroup: an album's id survives cleaning, less its
// NUL bytes.
func TestCleanKeepsTheMediaGroup(t *testing.T) {
	u := Update{MediaGroup: "album\x001", Media: []Media{{Kind: "photo", FileID: "f1", Size: 3}}}.Clean()
	if u.MediaGroup != "album1" || u.Media[0] != (Media{Kind: "photo", FileID: "f1", Size: 3}) {
		t.Errorf("cleaned = %q %+v, want album1 and the media kept", u.MediaGroup, u.Media)
	}
}

// TestTooBigIsTheShowcasesRefusal: the error names the limit in the
// showcase's own words (showcase.too_big, invalid input), so the chat
// layer translates it as it does the domain's.
func TestTooBigIsTheShowcasesRefusal(t *testing.T) {
	for max, want := range map[int64]string{20 << 20: "20 MB", 512 << 10: "512 KB", 1000: "1000 B"} {
		err := error(&TooBigError{Max: max, Size: max + 1})
		derr, ok := errors.AsType[*community.Error](err)
		if !ok || derr.Code != community.EInvalid || derr.Key != "showcase.too_big" || derr.Data["Limit"] != want {
			t.Errorf("max %d: %+v, want showcase.too_big with the limit %s", max, derr, want)
		}
		if !errors.Is(err, ErrTooBig) {
			t.Errorf("max %d: not ErrTooBig", max)
		}
	}
}
