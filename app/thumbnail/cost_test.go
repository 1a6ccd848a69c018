//go:build !race

// Built without the race detector, whose instrumentation allocates for
// itself; CI runs it in a pass of its own.

package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"runtime"
	"testing"
)

// slack is what a decode may allocate beyond what it acquired: a few
// small values whose size does not depend on the image.
const slack = 16 << 10

// TestCostIsAnUpperBound: on each path, what Make allocates (garbage
// included) stays within what it took from the budget.
func TestCostIsAnUpperBound(t *testing.T) {
	big := encodeJPEG(t, photo(1600, 1200, 5), 85)
	mid := encodeJPEG(t, photo(800, 600, 7), 85)
	small := encodeJPEG(t, photo(600, 400, 6), 85)
	pal := image.NewPaletted(image.Rect(0, 0, 500, 400), color.Palette{color.White, color.Black, color.NRGBA{255, 0, 0, 128}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, pal, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data func() []byte
	}{
		{"JPEG at 1/8", func() []byte { return big }},
		{"JPEG at 1/8, turned", func() []byte { return withOrientation(big, 6, false) }},
		{"JPEG at 1/8, progressive", func() []byte { return imagemagick(t, big, "-interlace", "Plane") }},
		{"JPEG at 1/8, YCCK progressive", func() []byte { return fixture(t, "ycck-progressive.jpg") }},
		{"JPEG at 1/8, Adobe CMYK", func() []byte { return adobeCMYK(t, 1280, 1280, inks, false) }},
		{"JPEG at 1/4", func() []byte { return mid }},
		{"JPEG at 1/4, turned", func() []byte { return withOrientation(mid, 6, false) }},
		{"JPEG at 1/4, Adobe CMYK", func() []byte { return adobeCMYK(t, 800, 800, inks, false) }},
		{"JPEG whole", func() []byte { return small }},
		{"JPEG whole, turned", func() []byte { return withOrientation(small, 5, false) }},
		{"JPEG whole, progressive", func() []byte { return imagemagick(t, small, "-interlace", "Plane") }},
		{"JPEG whole, CMYK", func() []byte { return adobeCMYK(t, 320, 320, inks, false) }},
		{"PNG 16-bit bomb", bomb},
		{"PNG palette", func() []byte { return encodePNG(t, pal) }},
		{"PNG RGBA", func() []byte { return encodePNG(t, pngVariants(700, 500)["RGBA 8"]) }},
		{"PNG RGBA, turned", func() []byte { return withEXIf(encodePNG(t, pngVariants(700, 500)["RGBA 8"]), 6) }},
		{"PNG interlaced", func() []byte { return fixture(t, "interlaced.png") }},
		{"PNG interlaced, turned", func() []byte { return withEXIf(fixture(t, "interlaced.png"), 8) }},
		{"PNG interlaced 16-bit", func() []byte { return fixture(t, "interlaced16.png") }},
		{"GIF", func() []byte { return gifData.Bytes() }},
		{"WebP lossy with alpha", func() []byte { return fixture(t, "lossy-alpha.webp") }},
		{"WebP lossless", func() []byte { return fixture(t, "lossless.webp") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			budget := NewBudget(1 << 30)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Make(context.Background(), bytes.NewReader(data), budget)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			alloc, acquired := int64(after.TotalAlloc-before.TotalAlloc), budget.last.Load()
			t.Logf("allocated %d bytes, acquired %d (%.0f%%)", alloc, acquired, 100*float64(alloc)/float64(acquired))
			if alloc > acquired+slack {
				t.Errorf("allocated %d bytes; acquired only %d", alloc, acquired)
			}
		})
	}
}
