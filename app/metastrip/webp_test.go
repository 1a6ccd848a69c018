package metastrip

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

func checker(x, y int) bool { return (x/3+y/2)%2 == 0 }

func TestWebPVP8LByHand(t *testing.T) {
	bits := vp8lTwoGreens(13, 7, 0x10, 0x20, 0xE0, 0x30, 255, checker)
	in := riffWebP(riffChunk("VP8L", bits))
	m, err := webp.Decode(bytes.NewReader(in))
	if err != nil {
		t.Fatalf("the hand-made VP8L does not decode: %v", err)
	}
	for y := range 7 {
		for x := range 13 {
			want := color.NRGBA{0x10, 0x20, 0x30, 255}
			if checker(x, y) {
				want.G = 0xE0
			}
			if got := color.NRGBAModel.Convert(m.At(x, y)); got != want {
				t.Fatalf("hand-made VP8L pixel (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
	if out := mustStrip(t, "image/webp", in); !bytes.Equal(out, in) {
		t.Fatal("a clean simple WebP changed")
	}
}

func TestWebPDropsExifAndXMP(t *testing.T) {
	const w, h = 21, 9
	bits := vp8lTwoGreens(w, h, 0x80, 0x11, 0x99, 0x22, 255, checker)
	exif := exifAPP1(binary.LittleEndian, 6, nil)[4+6:] // a TIFF block with GPS
	exif = append(exif, 'x')                            // odd size: a pad byte follows
	xmp := []byte(`<x:xmpmeta><rdf:Description exif:GPSLatitude="51,30.4345N" xmp:CreatorTool="SecretEditor"/></x:xmpmeta>`)
	icc := bytes.Repeat([]byte("profile!"), 9)
	in := riffWebP(
		riffChunk("VP8X", vp8x(0x20|0x08|0x04, w, h)), // ICC, EXIF, XMP
		riffChunk("ICCP", icc),
		riffChunk("EXIF", exif),
		riffChunk("VP8L", bits),
		riffChunk("XMP ", xmp),
		riffChunk("SECR", []byte("unknown chunk with a serial number")),
	)
	in = append(in, "after the RIFF chunk"...)
	secrets := []string{"SecretCam", "SN-0042-SECRET", "GPSLatitude", "SecretEditor", "serial number", "after the RIFF"}
	for _, s := range secrets {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("test input lacks %q", s)
		}
	}

	out := mustStrip(t, "image/webp", in)

	for _, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output still holds %q", s)
		}
	}
	if len(out) != len(in)-len("after the RIFF chunk") {
		t.Errorf("output is %d bytes, want the RIFF chunk's %d", len(out), len(in)-len("after the RIFF chunk"))
	}
	cs := webpChunks(t, out)
	var names []string
	for _, c := range cs {
		names = append(names, c.FourCC)
	}
	if got, want := strings.Join(names, ","), "VP8X,ICCP,JUNK,VP8L,JUNK,JUNK"; got != want {
		t.Fatalf("chunks %s, want %s", got, want)
	}
	if cs[0].Data[0] != 0x20 {
		t.Errorf("VP8X flags %#02x, want only ICC (0x20)", cs[0].Data[0])
	}
	if !bytes.Equal(cs[1].Data, icc) || !bytes.Equal(cs[3].Data, bits) {
		t.Errorf("ICCP or VP8L changed")
	}
	for _, i := range []int{2, 4, 5} {
		if len(cs[i].Data) == 0 || bytes.Count(cs[i].Data, []byte{0}) != len(cs[i].Data) {
			t.Errorf("chunk %d is not blank", i)
		}
	}
	if len(cs[2].Data) != len(exif) {
		t.Errorf("blanked EXIF chunk has %d bytes, want %d", len(cs[2].Data), len(exif))
	}
	c := decodeConfigOK(t, webp.DecodeConfig, out)
	if c.Width != w || c.Height != h {
		t.Errorf("config %dx%d", c.Width, c.Height)
	}
	samePixels(t, webpDecode, in, out)
}

// Real lossy files: a simple VP8 one and an extended one with ALPH.
func TestWebPLossyFixtures(t *testing.T) {
	for _, name := range []string{"blue-purple-pink.lossy.webp", "yellow_rose.lossy-with-alpha.webp"} {
		t.Run(name, func(t *testing.T) {
			orig := readFixture(t, name)
			if out := mustStrip(t, "image/webp", orig); !bytes.Equal(out, orig) {
				t.Fatal("a clean file changed")
			}
			cs := webpChunks(t, orig)
			var chunks [][]byte
			if cs[0].FourCC != "VP8X" {
				// Make it extended so that it may carry metadata.
				c, err := webp.DecodeConfig(bytes.NewReader(orig))
				if err != nil {
					t.Fatal(err)
				}
				chunks = append(chunks, riffChunk("VP8X", vp8x(0, c.Width, c.Height)))
			}
			for _, c := range cs {
				if c.FourCC == "VP8X" {
					c.Data = slices.Clone(c.Data)
					c.Data[0] |= 0x08 | 0x04
				}
				chunks = append(chunks, riffChunk(c.FourCC, c.Data))
			}
			chunks = append(chunks, riffChunk("EXIF", exifAPP1(binary.BigEndian, 3, nil)[10:]), riffChunk("XMP ", []byte("<x:xmpmeta>SecretEditor</x:xmpmeta>")))
			in := riffWebP(chunks...)
			out := mustStrip(t, "image/webp", in)
			if bytes.Contains(out, []byte("SecretCam")) || bytes.Contains(out, []byte("SecretEditor")) {
				t.Error("metadata left in the output")
			}
			if len(out) != len(in) {
				t.Errorf("size changed from %d to %d", len(in), len(out))
			}
			samePixels(t, webpDecode, in, out)
			samePixels(t, webpDecode, orig, out)
		})
	}
}

func TestWebPAnimationFrames(t *testing.T) {
	frame := func(extra ...[]byte) []byte {
		hdr := []byte{0, 0, 0, 0, 0, 0, 3, 0, 0, 3, 0, 0, 100, 0, 0, 0} // at 0,0; 4×4; 100 ms
		return riffChunk("ANMF", slices.Concat(hdr, riffChunk("VP8L", vp8lTwoGreens(4, 4, 1, 2, 3, 4, 255, checker)), slices.Concat(extra...)))
	}
	in := riffWebP(
		riffChunk("VP8X", vp8x(0x02|0x08, 4, 4)),
		riffChunk("ANIM", []byte{0, 0, 0, 0, 0, 0}),
		frame(),
		frame(riffChunk("XMP ", []byte("frame-level secret"))),
		riffChunk("EXIF", []byte("II*\x00SecretCam")),
	)
	out := mustStrip(t, "image/webp", in)
	if bytes.Contains(out, []byte("secret")) || bytes.Contains(out, []byte("Secret")) {
		t.Error("metadata left in the output")
	}
	cs := webpChunks(t, out)
	var names []string
	for _, c := range cs {
		names = append(names, c.FourCC)
		if c.FourCC == "ANMF" {
			for _, sub := range riffList(t, c.Data[16:]) {
				names = append(names, "/"+sub.FourCC)
			}
		}
	}
	if got, want := strings.Join(names, ","), "VP8X,ANIM,ANMF,/VP8L,ANMF,/VP8L,/JUNK,JUNK"; got != want {
		t.Errorf("chunks %s, want %s", got, want)
	}
	if cs[0].Data[0] != 0x02 {
		t.Errorf("VP8X flags %#02x, want animation only", cs[0].Data[0])
	}
	// A VP8X or ANMF inside a frame is not allowed there, and blanked.
	in = riffWebP(riffChunk("VP8X", vp8x(0x02, 4, 4)), frame(riffChunk("ANMF", make([]byte, 16))))
	out = mustStrip(t, "image/webp", in)
	if bytes.Count(out, []byte("ANMF")) != 1 {
		t.Error("nested ANMF kept")
	}
}

func TestWebPMalformed(t *testing.T) {
	vp8l := riffChunk("VP8L", vp8lTwoGreens(4, 4, 1, 2, 3, 4, 255, checker))
	good := riffWebP(riffChunk("VP8X", vp8x(0x08, 4, 4)), vp8l, riffChunk("EXIF", []byte("abc")))
	wantMalformed(t, "image/webp", good[:11])
	wantMalformed(t, "image/webp", good[:len(good)-1]) // the RIFF size promises more
	wantMalformed(t, "image/webp", good[:20])
	wantMalformed(t, "image/webp", slices.Concat([]byte("RIFX"), good[4:]))
	wantMalformed(t, "image/webp", slices.Concat(good[:8], []byte("WAVE"), good[12:]))
	wantMalformed(t, "image/webp", riffWebP(riffChunk("EXIF", []byte("ab")), vp8l)) // metadata first
	wantMalformed(t, "image/webp", riffWebP(riffChunk("VP8X", vp8x(0, 4, 4)), riffChunk("VP8X", vp8x(0, 4, 4)), vp8l))
	wantMalformed(t, "image/webp", riffWebP(riffChunk("VP8X", append(vp8x(0, 4, 4), 0, 0)), vp8l))
	wantMalformed(t, "image/webp", riffWebP(riffChunk("VP8X", vp8x(0, 4, 4)), riffChunk("ANMF", make([]byte, 15))))
	wantMalformed(t, "image/webp", riffWebP(vp8l, []byte("EXIF\xff\xff\xff\x7f"))) // chunk past the RIFF end
	wantMalformed(t, "image/webp", riffWebP(vp8l, []byte("EXI")))                  // stray bytes
	wantMalformed(t, "image/webp", riffWebP(riffChunk("VP8X", vp8x(2, 4, 4)), riffChunk("ANMF", slices.Concat(make([]byte, 16), []byte("VP8L\x09\x00\x00\x00")))))
	tiny := riffWebP(vp8l)
	binary.LittleEndian.PutUint32(tiny[4:], 3)
	wantMalformed(t, "image/webp", tiny)
}

// bitWriter writes the least significant bit first, as VP8L reads.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.n > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.n = 0, 0
	}
	return w.buf
}

// vp8lTwoGreens encodes a lossless VP8L bitstream by hand: no transforms,
// no colour cache, one group of prefix codes, all "simple" codes. Green
// has two one-bit codes (g0 < g1), red, blue and alpha have one symbol
// each (zero bits per pixel). Pixel (x, y) is g1 where pick(x, y) is true.
func vp8lTwoGreens(w, h int, r, g0, g1, b, a uint8, pick func(x, y int) bool) []byte {
	bw := &bitWriter{}
	bw.bits(0x2f, 8)
	bw.bits(uint64(w-1), 14)
	bw.bits(uint64(h-1), 14)
	bw.bits(map[bool]uint64{true: 1}[a != 255], 1) // alpha hint
	bw.bits(0, 3)                                  // version
	bw.bits(0, 1)                                  // no transform
	bw.bits(0, 1)                                  // no colour cache
	bw.bits(0, 1)                                  // no meta prefix codes
	one := func(sym uint8) {
		bw.bits(1, 1) // simple code
		bw.bits(0, 1) // one symbol
		bw.bits(1, 1) // 8-bit symbol
		bw.bits(uint64(sym), 8)
	}
	bw.bits(1, 1) // green: simple code with two symbols
	bw.bits(1, 1)
	bw.bits(1, 1)
	bw.bits(uint64(g0), 8)
	bw.bits(uint64(g1), 8)
	one(r)
	one(b)
	one(a)
	bw.bits(1, 1) // distance: one 1-bit symbol, 0
	bw.bits(0, 1)
	bw.bits(0, 1)
	bw.bits(0, 1)
	for y := range h {
		for x := range w {
			if pick(x, y) {
				bw.bits(1, 1)
			} else {
				bw.bits(0, 1)
			}
		}
	}
	return bw.bytes()
}

// riffChunk builds a RIFF chunk with its pad byte.
func riffChunk(fcc string, data []byte) []byte {
	b := append([]byte(fcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riffWebP(chunks ...[]byte) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	b = append(b, "WEBP"...)
	return append(b, body...)
}

// vp8x builds a VP8X payload.
func vp8x(flags byte, w, h int) []byte {
	b := []byte{flags, 0, 0, 0}
	b = append(b, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	return append(b, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
}

type riffChunkInfo struct {
	FourCC string
	Data   []byte
}

// webpChunks lists the top-level chunks and checks the RIFF size.
func webpChunks(t testing.TB, b []byte) []riffChunkInfo {
	t.Helper()
	if string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		t.Fatalf("not RIFF WEBP")
	}
	if int(binary.LittleEndian.Uint32(b[4:]))+8 != len(b) {
		t.Fatalf("RIFF size %d for %d bytes", binary.LittleEndian.Uint32(b[4:]), len(b))
	}
	return riffList(t, b[12:])
}

func riffList(t testing.TB, b []byte) []riffChunkInfo {
	var cs []riffChunkInfo
	for i := 0; i < len(b); {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		cs = append(cs, riffChunkInfo{string(b[i : i+4]), b[i+8 : i+8+n]})
		i += 8 + n + n&1
	}
	return cs
}

func webpDecode(r io.Reader) (image.Image, error) { return webp.Decode(r) }
