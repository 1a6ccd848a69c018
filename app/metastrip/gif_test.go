package metastrip

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"slices"
	"strings"
	"testing"
)

func TestGIFDropsCommentsAndXMP(t *testing.T) {
	pal := color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	frames := []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 10, 6), pal), image.NewPaletted(image.Rect(0, 0, 10, 6), pal)}
	for i, f := range frames {
		for j := range f.Pix {
			f.Pix[j] = uint8((j + i) % 4)
		}
	}
	base := encodeGIF(t, &gif.GIF{Image: frames, Delay: []int{10, 20}, LoopCount: 0})
	if !bytes.Contains(base, []byte("NETSCAPE2.0")) {
		t.Fatal("encoder wrote no NETSCAPE extension")
	}
	headerEnd := 13
	if base[10]&0x80 != 0 {
		headerEnd += 3 << (base[10]&7 + 1)
	}
	comment := gifExtension(0xFE, []byte("taken at 51.5074N"), []byte("by SecretCam"))
	xmp := gifExtension(0xFF, []byte("XMP DataXMP"), []byte("<x:xmpmeta>GPSLatitude</x:xmpmeta>"))
	icc := gifExtension(0xFF, []byte("ICCRGBG1012"), bytes.Repeat([]byte{7}, 30))
	unknown := gifExtension(0x99, []byte("unknown extension label"))
	in := slices.Concat(base[:headerEnd], comment, xmp, icc, base[headerEnd:len(base)-1], unknown, comment, base[len(base)-1:], []byte("after the trailer"))

	out := mustStrip(t, "image/gif", in)

	for _, s := range []string{"51.5074N", "SecretCam", "GPSLatitude", "XMP DataXMP", "unknown extension", "after the trailer"} {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("test input lacks %q", s)
		}
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output still holds %q", s)
		}
	}
	got := strings.Join(gifBlocks(t, out), ",")
	want := "ext FF ICCRGBG1012," + strings.Join(gifBlocks(t, base), ",")
	if got != want {
		t.Errorf("blocks %s, want %s", got, want)
	}
	if !bytes.Equal(out, slices.Concat(base[:headerEnd], icc, base[headerEnd:])) {
		t.Error("output is not the clean GIF plus the ICC extension")
	}
	// Go's decoder refuses the unknown extension in the input; compare
	// with the file before the metadata went in.
	a, err := gif.DecodeAll(bytes.NewReader(base))
	if err != nil {
		t.Fatal(err)
	}
	b, err := gif.DecodeAll(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Image) != len(b.Image) || !slices.Equal(a.Delay, b.Delay) || a.LoopCount != b.LoopCount {
		t.Fatalf("frames, delays or loop count changed")
	}
	for i := range a.Image {
		if err := comparePixels(a.Image[i], b.Image[i]); err != nil {
			t.Errorf("frame %d: %v", i, err)
		}
	}
}

func TestGIFMalformed(t *testing.T) {
	base := encodeGIF(t, &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 3, 3), palette.WebSafe)}, Delay: []int{0}})
	wantMalformed(t, "image/gif", base[:12])
	wantMalformed(t, "image/gif", slices.Concat([]byte("GIF88a"), base[6:]))
	wantMalformed(t, "image/gif", base[:13+100]) // inside the colour table
	wantMalformed(t, "image/gif", slices.Concat(base[:len(base)-1], []byte{0x42}))
	wantMalformed(t, "image/gif", base[:len(base)-3]) // inside image data
	wantMalformed(t, "image/gif", slices.Concat(base[:len(base)-1], []byte{0x21, 0xFE, 5, 'a'}))
	// No trailer: the output ends where the input did.
	if out := mustStrip(t, "image/gif", base[:len(base)-1]); !bytes.Equal(out, base[:len(base)-1]) {
		t.Error("GIF without trailer changed")
	}
}

func gifExtension(label byte, blocks ...[]byte) []byte {
	b := []byte{0x21, label}
	for _, s := range blocks {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return append(b, 0)
}

// gifBlocks lists the top-level blocks: "image", "trailer", or "ext XX"
// with the application identifier for application extensions.
func gifBlocks(t testing.TB, b []byte) []string {
	t.Helper()
	i := 13
	if b[10]&0x80 != 0 {
		i += 3 << (b[10]&7 + 1)
	}
	subs := func() {
		for b[i] != 0 {
			i += 1 + int(b[i])
		}
		i++
	}
	var out []string
	for i < len(b) {
		switch b[i] {
		case 0x3B:
			out = append(out, "trailer")
			if i+1 != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-i-1)
			}
			return out
		case 0x2C:
			out = append(out, "image")
			flags := b[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i++ // LZW code size
			subs()
		case 0x21:
			name := fmt.Sprintf("ext %02X", b[i+1])
			if b[i+1] == 0xFF {
				name += " " + string(b[i+3:i+14])
			}
			out = append(out, name)
			i += 2
			subs()
		default:
			t.Fatalf("bad block 0x%02X at %d", b[i], i)
		}
	}
	return out
}

func encodeGIF(t testing.TB, g *gif.GIF) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGIFFramesMustFitTheCanvas: the pixel budget is checked on the canvas
// (the logical screen), so a frame that reaches outside it is malformed,
// however small the file: a 1×1 canvas with a 65535×65535 frame would have
// a decoder allocate 4 gigapixels. Frames inside the canvas, at any
// offset, pass.
func TestGIFFramesMustFitTheCanvas(t *testing.T) {
	gifWith := func(cw, ch, left, top, w, h uint16) []byte {
		le := func(v uint16) []byte { return []byte{byte(v), byte(v >> 8)} }
		return slices.Concat([]byte("GIF89a"), le(cw), le(ch), []byte{0x80, 0, 0, 0, 0, 0, 255, 255, 255},
			[]byte{0x2C}, le(left), le(top), le(w), le(h), []byte{0}, []byte{2, 1, 0x2C, 0}, []byte{0x3B})
	}
	for _, c := range []struct{ cw, ch, left, top, w, h uint16 }{
		{1, 1, 0, 0, 65535, 65535}, {100, 100, 0, 0, 101, 100}, {100, 100, 0, 0, 100, 101},
		{100, 100, 1, 0, 100, 100}, {100, 100, 0, 60, 10, 41}, {100, 100, 65535, 65535, 1, 1},
	} {
		wantMalformed(t, "image/gif", gifWith(c.cw, c.ch, c.left, c.top, c.w, c.h))
	}
	for _, c := range []struct{ cw, ch, left, top, w, h uint16 }{
		{1, 1, 0, 0, 1, 1}, {100, 100, 0, 0, 100, 100}, {100, 100, 90, 95, 10, 5},
	} {
		in := gifWith(c.cw, c.ch, c.left, c.top, c.w, c.h)
		if out := mustStrip(t, "image/gif", in); !bytes.Equal(out, in) {
			t.Errorf("a frame %dx%d at (%d,%d) on %dx%d changed", c.w, c.h, c.left, c.top, c.cw, c.ch)
		}
	}
}
