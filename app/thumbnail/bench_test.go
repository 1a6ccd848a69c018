package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"math/rand/v2"
	"sync"
	"testing"
)

// benchInputs are what people send, by cost: a 12-megapixel photo
// (baseline, and progressive when ImageMagick can make one, else a
// smaller progressive fixture), a photo as messengers resize it, a phone
// screenshot, a PNG of noise, and
// the 16-bit PNG bomb.
var benchInputs = sync.OnceValue(func() []struct {
	name string
	data []byte
} {
	var b testing.B // for the helpers' Fatal; they do not fail on these inputs
	photoJPEG := encodeJPEG(&b, photo(4000, 3000, 11), 85)
	ins := []struct {
		name string
		data []byte
	}{
		{"photo-12MP-baseline.jpg", photoJPEG},
		{"photo-800x600.jpg", encodeJPEG(&b, photo(800, 600, 12), 85)}, // as messengers resize photos; decoded whole
		{"screenshot-1170x2532.png", encodePNG(&b, screenshot(1170, 2532))},
		{"noise-2000x1500.png", encodePNG(&b, noise(2000, 1500))},
		{"bomb-16bit-4000x4000.png", bomb()},
	}
	prog := struct {
		name string
		data []byte
	}{"photo-12MP-progressive.jpg", progressive(photoJPEG)}
	if prog.data == nil { // no ImageMagick: the committed, smaller one
		prog.name, prog.data = "ycck-progressive-1280x1280.jpg", fixture(&b, "ycck-progressive.jpg")
	}
	return append(ins[:2], append([]struct {
		name string
		data []byte
	}{prog}, ins[2:]...)...)
})

// progressive is ImageMagick's progressive twin of a JPEG, or nil.
func progressive(data []byte) []byte {
	out, _ := convert(data, "-interlace", "Plane")
	return out
}

// screenshot is flat colours and hard-edged marks, like a chat app's.
func screenshot(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(3, 4))
	for y := range h {
		for x := range w {
			c := color.RGBA{250, 250, 252, 255}
			if y < 200 {
				c = color.RGBA{30, 90, 200, 255} // a title bar
			} else if band := (y - 200) / 180; band%2 == 0 && x > 60 && x < w*2/3 {
				c = color.RGBA{225, 235, 250, 255} // a message bubble
			}
			m.SetRGBA(x, y, c)
		}
	}
	for range 20000 { // text: short dark strokes
		x, y := 80+rng.IntN(w*2/3-120), 220+rng.IntN(h-260)
		for i := range 14 {
			m.SetRGBA(x+i%2, y+i, color.RGBA{20, 20, 30, 255})
		}
	}
	return m
}

func noise(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.Uint32())
		if i%4 == 3 {
			m.Pix[i] = 255
		}
	}
	return m
}

// BenchmarkMake times Make on each input; BenchmarkMakeFullDecode, the
// baseline for the ratio, times the old path (image.Decode of the whole
// image) on the same inputs.
func BenchmarkMake(b *testing.B) {
	budget := NewBudget(1 << 30)
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, err := Make(context.Background(), bytes.NewReader(in.data), budget); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMakeFullDecode(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.data)))
			for b.Loop() {
				if _, err := oldMake(bytes.NewReader(in.data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
