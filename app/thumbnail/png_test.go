package thumbnail

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"sync"
	"testing"
)

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngVariants are the layouts image/png encodes to: every colour type and
// the bit depths it picks, over a picture with transparent parts.
func pngVariants(w, h int) map[string]image.Image {
	src := photo(w, h, 2)
	out := map[string]image.Image{"RGB 8": src}
	nrgba := image.NewNRGBA(src.Rect)
	nrgba64 := image.NewNRGBA64(src.Rect)
	rgb16 := image.NewRGBA64(src.Rect)
	gray := image.NewGray(src.Rect)
	gray16 := image.NewGray16(src.Rect)
	for y := range h {
		for x := range w {
			c := src.RGBAAt(x, y)
			a := uint8(255 * x / w)
			nrgba.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, a})
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(c.R) * 257, uint16(c.G) * 250, uint16(c.B) * 257, uint16(y * 65535 / h)})
			rgb16.SetRGBA64(x, y, color.RGBA64{uint16(c.R) * 255, uint16(c.G) * 257, uint16(c.B) * 256, 0xffff})
			gray.SetGray(x, y, color.Gray{c.G})
			gray16.SetGray16(x, y, color.Gray16{uint16(c.R) * 251})
		}
	}
	out["RGBA 8"], out["RGBA 16"], out["RGB 16"], out["gray 8"], out["gray 16"] = nrgba, nrgba64, rgb16, gray, gray16
	for _, n := range []int{2, 4, 16, 256} { // 1, 2, 4 and 8 bits a pixel
		pal := color.Palette{}
		for i := range n {
			pal = append(pal, color.NRGBA{uint8(i * 255 / n), uint8(255 - i*200/n), uint8(i * 97), uint8(255 - 255*(i%3)/2)})
		}
		p := image.NewPaletted(src.Rect, pal)
		for y := range h {
			for x := range w {
				p.SetColorIndex(x, y, uint8((x/7+y/5)%n))
			}
		}
		out["palette with tRNS, "+strconv.Itoa(n)+" colours"] = p
	}
	return out
}

// TestPNGMatchesWholeDecode: streamed row by row, every PNG layout gives
// the preview the whole decoded image gives, cropped or not.
func TestPNGMatchesWholeDecode(t *testing.T) {
	cases := map[string][]byte{}
	for _, size := range [][2]int{{420, 300}, {600, 200}, {130, 90}} {
		for name, m := range pngVariants(size[0], size[1]) {
			cases[name+fmt.Sprintf(" %dx%d", size[0], size[1])] = encodePNG(t, m)
		}
	}
	for _, name := range []string{"gray1.png", "gray2.png", "gray4.png", "gray-trns.png", "graya16.png", "rgb16-trns.png", "interlaced.png", "interlaced16.png"} {
		cases[name] = fixture(t, name)
	}
	for name, data := range cases {
		d, ok := meanAbs(thumb(t, data, testBudget), reference(t, data))
		if !ok || d > 0.5 {
			t.Errorf("%s: the preview differs from the whole decode's by %.2f on average (same size: %v)", name, d, ok)
		}
	}
}

// TestPNGTransparencyIsWhite: transparent palette entries and a gray
// image's transparent colour key show white, not black.
func TestPNGTransparencyIsWhite(t *testing.T) {
	p := image.NewPaletted(image.Rect(0, 0, 400, 400), color.Palette{color.NRGBA{200, 0, 0, 255}, color.NRGBA{0, 0, 0, 0}})
	for i := range p.Pix {
		if i%400 >= 200 {
			p.Pix[i] = 1
		}
	}
	m := thumb(t, encodePNG(t, p), testBudget)
	if c := m.RGBAAt(40, 80); !near(c, color.RGBA{200, 0, 0, 255}, 8) {
		t.Errorf("the opaque half is %v; want red", c)
	}
	if c := m.RGBAAt(120, 80); !near(c, color.RGBA{255, 255, 255, 255}, 4) {
		t.Errorf("the transparent half is %v; want white", c)
	}
	m = thumb(t, fixture(t, "gray-trns.png"), testBudget)
	// The fixture's white rectangle (20,20)-(80,60) is its transparent key.
	if c := m.RGBAAt(25, 20); !near(c, color.RGBA{255, 255, 255, 255}, 4) {
		t.Errorf("the keyed rectangle is %v; want white", c)
	}
}

// bombPNG is a w×h 16-bit RGBA PNG of one opaque red, which deflate
// shrinks a thousandfold: a small file whose whole decode is 8 bytes a
// pixel.
func bombPNG(w, h int) []byte {
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := make([]byte, 1+8*w)
	for x := range w {
		copy(row[1+8*x:], []byte{0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff})
	}
	z.Write(row)
	up := make([]byte, 1+8*w) // filter Up, no change: zeros, which deflate fastest
	up[0] = 2
	for range h - 1 {
		z.Write(up)
	}
	z.Close()
	var out bytes.Buffer
	out.WriteString(pngHeader)
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	chunk("IHDR", append(ihdr, 16, 6, 0, 0, 0))
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

var bomb = sync.OnceValue(func() []byte { return bombPNG(4000, 4000) })

// TestPNGInterlacedTooCostly: an interlaced PNG is decoded whole, so one
// larger than the budget allows is refused at once.
func TestPNGInterlacedTooCostly(t *testing.T) {
	_, err := Make(context.Background(), bytes.NewReader(fixture(t, "interlaced16.png")), NewBudget(1<<20))
	if !errors.Is(err, ErrTooCostly) {
		t.Errorf("a 300x200 16-bit interlaced PNG under 1 MiB: %v; want ErrTooCostly", err)
	}
	if _, err := Make(context.Background(), bytes.NewReader(fixture(t, "interlaced16.png")), NewBudget(2<<20)); err != nil {
		t.Errorf("under 2 MiB: %v", err)
	}
}

// withEXIf puts an eXIf chunk holding only the Orientation tag after a
// PNG's IHDR, as metastrip leaves it.
func withEXIf(p []byte, o int) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, 0, 0, 0, 0}
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	chunk = append(append(chunk, "eXIf"...), tiff...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const afterIHDR = 8 + 8 + 13 + 4
	return append(append(append([]byte{}, p[:afterIHDR]...), chunk...), p[afterIHDR:]...)
}

// TestPNGOrientation: a PNG whose eXIf turns it (Chromium and Safari
// apply it) has an upright preview, red top left and blue top right, for
// each of the eight orientations.
func TestPNGOrientation(t *testing.T) {
	const w, h = 400, 320
	for o := 1; o <= 8; o++ {
		m := thumb(t, withEXIf(encodePNG(t, storedImage(w, h, o)), o), testBudget)
		tw, th := fit(w, h)
		if m.Rect.Dx() != tw || m.Rect.Dy() != th {
			t.Errorf("orientation %d: preview is %v; want %dx%d", o, m.Rect, tw, th)
			continue
		}
		for q, want := range []color.RGBA{red, blue, grey, grey} {
			x, y := tw/4+tw/2*(q%2), th/4+th/2*(q/2)
			if c := m.RGBAAt(x, y); !near(c, want, 20) {
				t.Errorf("orientation %d: the %s is %v; want %v", o, quads[q], c, want)
			}
		}
	}
}

// TestAVIFIsCaptionOnly: an AVIF gets a caption-only preview at once,
// without its pixels being decoded (no decoder's memory can be bounded).
func TestAVIFIsCaptionOnly(t *testing.T) {
	_, err := Make(context.Background(), bytes.NewReader(fixture(t, "testimage.avif")), testBudget)
	if !errors.Is(err, ErrTooCostly) {
		t.Fatalf("Make(AVIF) = %v; want ErrTooCostly, for a caption-only preview", err)
	}
}

// TestPNGInterlacedOrientation: an interlaced PNG, decoded whole, is
// turned by its eXIf too: its preview is the unturned one, turned.
func TestPNGInterlacedOrientation(t *testing.T) {
	plain := fixture(t, "interlaced.png")
	upright := thumb(t, plain, testBudget)
	for o := 1; o <= 8; o++ {
		got := thumb(t, withEXIf(plain, o), testBudget)
		want := orient(upright, o)
		if got.Rect != want.Rect {
			t.Errorf("orientation %d: preview is %v; want %v", o, got.Rect, want.Rect)
			continue
		}
		if mean, ok := meanAbs(got, want); !ok || mean > 3 {
			t.Errorf("orientation %d: the preview differs from the turned one by %.1f on average", o, mean)
		}
	}
}
