package metastrip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"testing"
	"testing/iotest"

	"golang.org/x/image/webp"
)

// The fuzz targets check, for any input:
//   - no panic, no endless loop, and the only error is ErrMalformed;
//   - the output does not depend on how the input or output is chunked;
//   - the output is a fixed point: stripping it again changes nothing, so
//     nothing the stripper drops is left in it (for WebP, every chunk off
//     the allow-list is a zero-filled JUNK chunk);
//   - the output is never larger than the input plus a minimal EXIF;
//   - when Go's decoder accepts the input, it accepts the output and
//     decodes the same pixels.
//
// The seed corpora live in testdata/fuzz/FuzzStrip*; f.Add adds the images
// the unit tests build.

// maxFuzzPixels keeps the decode check cheap on inputs claiming huge sizes.
const maxFuzzPixels = 1 << 16

func fuzzStrip(t *testing.T, ct string, in []byte, decode func(io.Reader) (image.Image, error), config func(io.Reader) (image.Config, error)) {
	out, err := strip(ct, in)
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("error is not ErrMalformed: %v", err)
		}
		return
	}
	if len(out) > len(in)+36 {
		t.Fatalf("output of %d bytes for %d bytes of input", len(out), len(in))
	}
	r, _ := Strip(ct, iotest.OneByteReader(bytes.NewReader(in)))
	small, err := io.ReadAll(oneByteReads{r})
	if err != nil || !bytes.Equal(small, out) {
		t.Fatalf("one-byte reads give a different result (err %v)", err)
	}
	again, err := strip(ct, out)
	if err != nil {
		t.Fatalf("stripping the output: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("the output is not a fixed point")
	}

	c, err := config(bytes.NewReader(in))
	if err != nil || c.Width*c.Height > maxFuzzPixels {
		return
	}
	a, err := decode(bytes.NewReader(in))
	if err != nil {
		return
	}
	b, err := decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the input decodes, the output does not: %v", err)
	}
	if err := comparePixels(a, b); err != nil {
		t.Fatal(err)
	}
}

func FuzzStripJPEG(f *testing.F) {
	base := encodeJPEG(f, testImage(16, 8))
	f.Add(base)
	f.Add(insertAfterSOI(base, exifAPP1(binary.LittleEndian, 6, nil), segment(0xFE, []byte("c"))))
	f.Add(insertAfterSOI(base, exifAPP1(binary.BigEndian, 8, encodeJPEG(f, testImage(2, 2)))))
	f.Add(insertAfterSOI(base, segment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x01abc"))))
	f.Add(insertAfterSOI(base, segment(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01"))))
	f.Add(insertAfterSOI(base, segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01xyz"))))
	for _, name := range []string{"video-001.q50.420.progressive.jpeg", "video-001.restart2.jpeg"} {
		b := readFixture(f, name)
		f.Add(b[:min(len(b), 1200)])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzStrip(t, "image/jpeg", in, jpeg.Decode, jpeg.DecodeConfig)
	})
}

func FuzzStripPNG(f *testing.F) {
	base := encodePNG(f, testImage(6, 4))
	f.Add(base)
	f.Add(insertPNGChunks(f, base, "IDAT", pngChunk("tEXt", []byte("k\x00v")), pngChunk("eXIf", []byte("MM\x00*")), pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F})))
	f.Add(insertPNGChunks(f, base, "IEND", pngChunk("acTL", make([]byte, 8)), pngChunk("fdAT", []byte{0, 0, 0, 1})))
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzStrip(t, "image/png", in, png.Decode, png.DecodeConfig)
	})
}

func FuzzStripWebP(f *testing.F) {
	bits := vp8lTwoGreens(5, 3, 1, 2, 3, 4, 255, checker)
	f.Add(riffWebP(riffChunk("VP8L", bits)))
	f.Add(riffWebP(riffChunk("VP8X", vp8x(0x2C, 5, 3)), riffChunk("ICCP", []byte("icc")), riffChunk("VP8L", bits), riffChunk("EXIF", []byte("MM\x00*")), riffChunk("XMP ", []byte("<x/>"))))
	frame := riffChunk("ANMF", slices.Concat(make([]byte, 16), riffChunk("VP8L", bits), riffChunk("XMP ", []byte("a"))))
	f.Add(riffWebP(riffChunk("VP8X", vp8x(0x02, 5, 3)), riffChunk("ANIM", make([]byte, 6)), frame))
	f.Add(readFixture(f, "blue-purple-pink.lossy.webp"))
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzStrip(t, "image/webp", in, webp.Decode, webp.DecodeConfig)
	})
}

// FuzzStripAVIF: there is no pure-Go AVIF decoder to compare pixels with,
// so the output must be the input with bytes zeroed and boxes renamed
// "free": nothing added, nothing moved.
func FuzzStripAVIF(f *testing.F) {
	f.Add(readFixture(f, "testimage.avif"))
	f.Add(avifWith(f, false))
	f.Add(avifWith(f, true))
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzStrip(t, "image/avif", in, noDecode, noDecodeConfig)
		out, err := strip("image/avif", in)
		if err != nil {
			return
		}
		if len(out) != len(in) {
			t.Fatalf("output of %d bytes for %d bytes of input", len(out), len(in))
		}
		for i := range out {
			if out[i] != in[i] && out[i] != 0 && !bytes.Contains([]byte("free"), out[i:i+1]) {
				t.Fatalf("byte %d changed from %#x to %#x", i, in[i], out[i])
			}
		}
	})
}

func noDecode(io.Reader) (image.Image, error) { return nil, errors.New("no AVIF decoder") }
func noDecodeConfig(io.Reader) (image.Config, error) {
	return image.Config{}, errors.New("no AVIF decoder")
}

func FuzzStripGIF(f *testing.F) {
	base := encodeGIF(f, &gif.GIF{
		Image:     []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 4, 3), palette.Plan9[:16]), image.NewPaletted(image.Rect(0, 0, 4, 3), palette.Plan9[:16])},
		Delay:     []int{1, 2},
		LoopCount: 3,
	})
	f.Add(base)
	f.Add(slices.Concat(base[:13], gifExtension(0xFE, []byte("hi")), gifExtension(0xFF, []byte("XMP DataXMP"), []byte("x")), base[13:]))
	gifAll := func(r io.Reader) (image.Image, error) {
		g, err := gif.DecodeAll(r)
		if err != nil {
			return nil, err
		}
		// All frames side by side, so that every frame is compared.
		w, h := 0, 0
		for _, m := range g.Image {
			w += m.Bounds().Dx()
			h = max(h, m.Bounds().Dy())
		}
		if w*h > maxFuzzPixels {
			return nil, errors.New("too big to compare")
		}
		all := image.NewRGBA(image.Rect(0, 0, w, h))
		x := 0
		for _, m := range g.Image {
			b := m.Bounds()
			for yy := b.Min.Y; yy < b.Max.Y; yy++ {
				for xx := b.Min.X; xx < b.Max.X; xx++ {
					all.Set(x+xx-b.Min.X, yy-b.Min.Y, m.At(xx, yy))
				}
			}
			x += b.Dx()
		}
		return all, nil
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzStrip(t, "image/gif", in, gifAll, gif.DecodeConfig)
	})
}
