// Package chart draws the digest's charts as PNG images, in Go with
// gonum/plot (no browser): weekly lines (active members and messages over
// 12 weeks, the NPS trend) and bars (average predicted CLV by engagement
// level). Titles and names come from the caller, in the staff's language;
// the fonts cover Latin, Greek and Cyrillic. Every image is Width×Height
// pixels, lettered to be read on a phone.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"github.com/hearthbot/hearth/digest"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The size of every chart, in pixels: 6 by 4 inches at 180 dots an inch.
const (
	Width  = 1080
	Height = 720
	dpi    = 180
)

// Palette is the series' colours, in order: Okabe and Ito's, told apart
// by colour-blind readers too.
var Palette = []color.RGBA{
	{R: 0x00, G: 0x72, B: 0xB2, A: 0xff}, // blue
	{R: 0xD5, G: 0x5E, B: 0x00, A: 0xff}, // vermillion
	{R: 0x00, G: 0x9E, B: 0x73, A: 0xff}, // bluish green
	{R: 0xCC, G: 0x79, B: 0xA7, A: 0xff}, // reddish purple
}

// Series is one line of a weekly chart: its name (the legend) and a
// value for each week; NaN is a week without data (no NPS answer), left
// as a gap.
type Series struct {
	Name   string
	Values []float64
}

// Lines draws series over weeks, oldest first, each week labelled by its
// number ("W49"). The value axis starts at zero unless a value is below.
func Lines(title string, weeks []digest.Week, series []Series) ([]byte, error) {
	if len(weeks) == 0 {
		return nil, fmt.Errorf("chart %q: no weeks", title)
	}
	if len(series) == 0 || len(series) > len(Palette) {
		return nil, fmt.Errorf("chart %q: %d series, want 1 to %d", title, len(series), len(Palette))
	}
	p := newPlot(title)
	names := make([]string, len(weeks))
	for i, w := range weeks {
		names[i] = fmt.Sprintf("W%02d", w.Num)
	}
	p.NominalX(names...)
	for i, s := range series {
		if len(s.Values) != len(weeks) {
			return nil, fmt.Errorf("chart %q: series %q has %d values for %d weeks", title, s.Name, len(s.Values), len(weeks))
		}
		if err := addSeries(p, s, Palette[i]); err != nil {
			return nil, fmt.Errorf("chart %q: %w", title, err)
		}
	}
	p.Y.Min = math.Min(0, p.Y.Min)
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(12) // the legend's marks inside the picture
	if len(series) == 1 {
		p.Legend = plot.NewLegend() // the title names the one line
	}
	return render(p)
}

// addSeries draws a series as a line with a mark on each week, broken
// where a week has no value.
func addSeries(p *plot.Plot, s Series, c color.RGBA) error {
	var run plotter.XYs
	legend := false
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		line, marks, err := plotter.NewLinePoints(run)
		if err != nil {
			return fmt.Errorf("series %q: %w", s.Name, err)
		}
		line.Color, line.Width = c, vg.Points(2.5)
		marks.Color, marks.Radius, marks.Shape = c, vg.Points(3.5), draw.CircleGlyph{}
		p.Add(line, marks)
		if !legend {
			p.Legend.Add(s.Name, line, marks)
			legend = true
		}
		run = nil
		return nil
	}
	for x, v := range s.Values {
		if math.IsInf(v, 0) {
			return fmt.Errorf("series %q: week %d is %g", s.Name, x+1, v)
		}
		if math.IsNaN(v) {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		run = append(run, plotter.XY{X: float64(x), Y: v})
	}
	return flush()
}

// Bars draws one bar a category, in the order given.
func Bars(title string, categories []string, values []float64) ([]byte, error) {
	if len(categories) == 0 || len(categories) != len(values) {
		return nil, fmt.Errorf("chart %q: %d categories and %d values, want one value a category", title, len(categories), len(values))
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("chart %q: %q is %g, not a number", title, categories[i], v)
		}
	}
	p := newPlot(title)
	bars, err := plotter.NewBarChart(plotter.Values(values), vg.Points(36))
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", title, err)
	}
	bars.Color, bars.LineStyle.Width = Palette[0], 0
	p.Add(bars)
	p.NominalX(categories...)
	p.Y.Min = math.Min(0, p.Y.Min)
	return render(p)
}

// newPlot is a plot lettered for a phone, in a sans-serif face: a
// 16-point title and 11-point ticks at 180 dots an inch.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(16)
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Font = sans(11)
		a.Label.TextStyle.Font = sans(12)
	}
	p.Legend.TextStyle.Font = sans(11)
	p.Add(plotter.NewGrid())
	return p
}

func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// render draws the plot as a PNG image of Width×Height pixels, with a
// margin, and room above the highest value for the legend.
func render(p *plot.Plot) ([]byte, error) {
	if p.Y.Max > 0 {
		p.Y.Max += (p.Y.Max - p.Y.Min) * 0.15
	}
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(Width)/dpi*vg.Inch, vg.Length(Height)/dpi*vg.Inch), vgimg.UseDPI(dpi))
	margin := vg.Points(10)
	p.Draw(draw.Crop(draw.New(c), margin, -margin, margin, -margin))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart %q: %w", p.Title.Text, err)
	}
	return buf.Bytes(), nil
}
