package chart_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/digest/chart"
)

var twelve = digest.Week{Year: 2026, Num: 50}.Last(12)

// decoded decodes a chart and checks it is a PNG of the promised size.
func decoded(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != chart.Width || got.Y != chart.Height {
		t.Fatalf("a %dx%d image, want %dx%d", got.X, got.Y, chart.Width, chart.Height)
	}
	return img
}

// painted counts the pixels of about a colour.
func painted(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, c.R) && near(g, c.G) && near(bl, c.B) {
				n++
			}
		}
	}
	return n
}

func near(v uint32, c uint8) bool { return math.Abs(float64(v>>8)-float64(c)) < 24 }

func TestLinesDrawEachSeries(t *testing.T) {
	active := []float64{120, 135, 150, 149, 160, 171, 168, 180, 191, 205, 199, 214}
	messages := []float64{900, 950, 1020, 980, 1100, 1180, 1150, 1230, 1300, 1390, 1350, 1420}
	for i := range active {
		active[i] *= 5 // on the messages' scale
	}
	b, err := chart.Lines("Active members and messages, 12 weeks", twelve, []chart.Series{
		{Name: "Active members ×5", Values: active}, {Name: "Messages", Values: messages}})
	if err != nil {
		t.Fatal(err)
	}
	img := decoded(t, b)
	for i := range 2 {
		if n := painted(img, chart.Palette[i]); n < 1500 {
			t.Errorf("series %d: %d pixels of its colour, want a line across the chart", i+1, n)
		}
	}
	if n := painted(img, chart.Palette[2]); n > 50 {
		t.Errorf("%d pixels of a third colour in a chart of two series", n)
	}
	again, _ := chart.Lines("Active members and messages, 12 weeks", twelve, []chart.Series{
		{Name: "Active members ×5", Values: active}, {Name: "Messages", Values: messages}})
	if !bytes.Equal(b, again) {
		t.Error("the same chart drawn twice differs")
	}
}

// Weeks without an NPS answer are gaps; Greek and Cyrillic letters draw.
func TestLinesLeaveGapsAndSpeakTheStaffsLanguage(t *testing.T) {
	nps := []float64{12, 18, math.NaN(), 25, 31, math.NaN(), math.NaN(), 40, 38, 44, -5, 21}
	for _, title := range []string{"Τάση NPS", "Динамика NPS", "Trend NPS"} {
		b, err := chart.Lines(title, twelve, []chart.Series{{Name: "NPS", Values: nps}})
		if err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		if n := painted(decoded(t, b), chart.Palette[0]); n < 500 {
			t.Errorf("%s: %d pixels of the line's colour", title, n)
		}
	}
}

func TestBarsDrawEachCategory(t *testing.T) {
	b, err := chart.Bars("Μέση προβλεπόμενη CLV ανά επίπεδο", []string{"Champion", "Active", "Casual", "Lurker"}, []float64{410, 260, 120, 45})
	if err != nil {
		t.Fatal(err)
	}
	if n := painted(decoded(t, b), chart.Palette[0]); n < 20000 {
		t.Errorf("%d pixels of the bars' colour, want four filled bars", n)
	}
}

func TestChartsRefuseWhatTheyCannotDraw(t *testing.T) {
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"no weeks", func() error { _, err := chart.Lines("t", nil, []chart.Series{{Name: "s"}}); return err }, `chart "t": no weeks`},
		{"short series", func() error {
			_, err := chart.Lines("t", twelve, []chart.Series{{Name: "Messages", Values: make([]float64, 11)}})
			return err
		}, `series "Messages" has 11 values for 12 weeks`},
		{"infinite", func() error {
			v := make([]float64, 12)
			v[3] = math.Inf(1)
			_, err := chart.Lines("t", twelve, []chart.Series{{Name: "s", Values: v}})
			return err
		}, `series "s": week 4 is +Inf`},
		{"too many series", func() error { _, err := chart.Lines("t", twelve, make([]chart.Series, 5)); return err }, "5 series, want 1 to 4"},
		{"bars unmatched", func() error { _, err := chart.Bars("t", []string{"a", "b"}, []float64{1}); return err }, "2 categories and 1 values"},
		{"bar not a number", func() error { _, err := chart.Bars("t", []string{"a"}, []float64{math.NaN()}); return err }, `"a" is NaN`},
	}
	for _, c := range cases {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %s", c.name, err, c.want)
		}
	}
}
