package metastrip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"golang.org/x/image/webp"
)

// ---- running the stripper ----

// strip runs the stripper over in, reading in large blocks.
func strip(ct string, in []byte) ([]byte, error) {
	r, err := Strip(ct, bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// oneByteReads reads the stripped output one byte at a time.
type oneByteReads struct{ r io.Reader }

func (o oneByteReads) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// mustStrip strips in under several read patterns, checks they agree, and
// returns the output.
func mustStrip(t testing.TB, ct string, in []byte) []byte {
	t.Helper()
	out, err := strip(ct, in)
	if err != nil {
		t.Fatalf("Strip(%s): %v", ct, err)
	}
	patterns := map[string]func() (io.Reader, error){
		"input one byte at a time": func() (io.Reader, error) {
			return Strip(ct, iotest.OneByteReader(bytes.NewReader(in)))
		},
		"input in halves": func() (io.Reader, error) {
			return Strip(ct, iotest.HalfReader(bytes.NewReader(in)))
		},
		"output one byte at a time": func() (io.Reader, error) {
			r, err := Strip(ct, bytes.NewReader(in))
			return oneByteReads{r}, err
		},
		"input with data and EOF together": func() (io.Reader, error) {
			return Strip(ct, iotest.DataErrReader(bytes.NewReader(in)))
		},
	}
	for name, mk := range patterns {
		r, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, out) {
			t.Fatalf("%s: output differs from the block-read output", name)
		}
	}
	again, err := strip(ct, out)
	if err != nil {
		t.Fatalf("stripping the output again: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("stripping is not idempotent")
	}
	return out
}

func wantMalformed(t *testing.T, ct string, in []byte) {
	t.Helper()
	_, err := strip(ct, in)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

// ---- images ----

// testImage is a small picture with detail in every channel.
func testImage(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) * 7), 255})
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type decodeFunc func(io.Reader) (image.Image, error)

// samePixels decodes both and compares every pixel.
func samePixels(t testing.TB, decode decodeFunc, in, out []byte) {
	t.Helper()
	a, err := decode(bytes.NewReader(in))
	if err != nil {
		t.Fatalf("decoding the input: %v", err)
	}
	b, err := decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("decoding the output: %v", err)
	}
	if err := comparePixels(a, b); err != nil {
		t.Fatal(err)
	}
}

func comparePixels(a, b image.Image) error {
	if a.Bounds() != b.Bounds() {
		return fmt.Errorf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return fmt.Errorf("image type %T, want %T", b, a)
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return fmt.Errorf("pixel (%d,%d) is %v, want %v", x, y, b.At(x, y), a.At(x, y))
			}
		}
	}
	return nil
}

func decodeConfigOK(t testing.TB, decode func(io.Reader) (image.Config, error), out []byte) image.Config {
	t.Helper()
	c, err := decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("DecodeConfig of the output: %v", err)
	}
	return c
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ---- JPEG ----

// jpegSeg is one marker segment; for SOS, Data holds header and scan data.
type jpegSeg struct {
	Marker byte
	Data   []byte
}

// jpegSegments splits a JPEG into segments (test helper: trusts its input
// to be what the stripper produced or a well-formed file).
func jpegSegments(t testing.TB, b []byte) []jpegSeg {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatalf("no SOI")
	}
	segs := []jpegSeg{{Marker: 0xD8}}
	i := 2
	for i < len(b) {
		if b[i] != 0xFF || i+1 >= len(b) {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		if m == 0xD9 {
			segs = append(segs, jpegSeg{Marker: m})
			if i+2 != len(b) {
				t.Fatalf("%d bytes after EOI", len(b)-i-2)
			}
			return segs
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		end := i + 2 + n
		if m == 0xDA {
			for end < len(b)-1 && !(b[end] == 0xFF && b[end+1] != 0 && (b[end+1] < 0xD0 || b[end+1] > 0xD7)) {
				end++
			}
		}
		segs = append(segs, jpegSeg{Marker: m, Data: b[i+4 : end]})
		i = end
	}
	t.Fatalf("no EOI")
	return nil
}

// insertAfterSOI puts raw segments right after the SOI marker.
func insertAfterSOI(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

// segment builds a marker segment.
func segment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
}

// tiffEntry is one IFD entry before layout.
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte // the value, already in the file's byte order
	ifd      *tiffIFD
}

type tiffIFD struct {
	entries []tiffEntry
	next    *tiffIFD
}

// tiffWriter lays out IFDs and their out-of-line values.
type tiffWriter struct {
	bo  binary.ByteOrder
	buf []byte
}

func (w *tiffWriter) u16(v uint16) []byte { b := make([]byte, 2); w.bo.PutUint16(b, v); return b }
func (w *tiffWriter) u32(v uint32) []byte { b := make([]byte, 4); w.bo.PutUint32(b, v); return b }

func (w *tiffWriter) ascii(tag uint16, s string) tiffEntry {
	return tiffEntry{tag: tag, typ: 2, count: uint32(len(s) + 1), data: append([]byte(s), 0)}
}

func (w *tiffWriter) short(tag, v uint16) tiffEntry {
	return tiffEntry{tag: tag, typ: 3, count: 1, data: w.u16(v)}
}

func (w *tiffWriter) rationals(tag uint16, v ...uint32) tiffEntry {
	var d []byte
	for _, x := range v {
		d = append(d, w.u32(x)...)
	}
	return tiffEntry{tag: tag, typ: 5, count: uint32(len(v) / 2), data: d}
}

func (w *tiffWriter) pointer(tag uint16, ifd *tiffIFD) tiffEntry {
	return tiffEntry{tag: tag, typ: 4, count: 1, ifd: ifd}
}

// write appends ifd at the end of buf and returns its offset.
func (w *tiffWriter) write(ifd *tiffIFD) uint32 {
	off := uint32(len(w.buf))
	size := 2 + 12*len(ifd.entries) + 4
	w.buf = append(w.buf, make([]byte, size)...)
	w.bo.PutUint16(w.buf[off:], uint16(len(ifd.entries)))
	for i, e := range ifd.entries {
		p := off + 2 + uint32(12*i)
		w.bo.PutUint16(w.buf[p:], e.tag)
		w.bo.PutUint16(w.buf[p+2:], e.typ)
		w.bo.PutUint32(w.buf[p+4:], e.count)
		switch {
		case e.ifd != nil:
			sub := w.write(e.ifd)
			w.bo.PutUint32(w.buf[p+8:], sub)
		case len(e.data) <= 4:
			copy(w.buf[p+8:p+12], e.data)
		default:
			w.bo.PutUint32(w.buf[p+8:], uint32(len(w.buf)))
			w.buf = append(w.buf, e.data...)
			if len(w.buf)%2 == 1 {
				w.buf = append(w.buf, 0)
			}
		}
	}
	if ifd.next != nil {
		next := w.write(ifd.next)
		w.bo.PutUint32(w.buf[off+2+uint32(12*len(ifd.entries)):], next)
	}
	return off
}

// GPS values chosen to be easy to find in the bytes.
var (
	gpsLatitude  = []uint32{51, 1, 30, 1, 2607, 100} // 51° 30' 26.07"
	gpsLongitude = []uint32{0, 1, 7, 1, 3954, 100}   // 0° 7' 39.54"
)

// exifAPP1 builds an EXIF APP1 segment like a phone's: camera make and
// model, date, orientation, an Exif IFD, a GPS IFD, and IFD1 with a
// thumbnail.
func exifAPP1(bo binary.ByteOrder, orientation uint16, thumb []byte) []byte {
	w := &tiffWriter{bo: bo}
	gps := &tiffIFD{entries: []tiffEntry{
		w.ascii(0x0001, "N"),
		w.rationals(0x0002, gpsLatitude...),
		w.ascii(0x0003, "W"),
		w.rationals(0x0004, gpsLongitude...),
		w.ascii(0x001D, "2024:05:17"),
	}}
	exif := &tiffIFD{entries: []tiffEntry{
		w.ascii(0x9003, "2024:05:17 09:41:00"),
		w.ascii(0xA431, "SN-0042-SECRET"), // body serial number
	}}
	ifd1 := &tiffIFD{entries: []tiffEntry{
		{tag: 0x0201, typ: 4, count: 1, data: w.u32(0)}, // patched below
		{tag: 0x0202, typ: 4, count: 1, data: w.u32(uint32(len(thumb)))},
	}}
	ifd0 := &tiffIFD{entries: []tiffEntry{
		w.ascii(0x010F, "SecretCam"),
		w.ascii(0x0110, "Model X"),
		w.short(0x0112, orientation),
		w.ascii(0x0132, "2024:05:17 09:41:00"),
		w.pointer(0x8769, exif),
		w.pointer(0x8825, gps),
	}, next: ifd1}
	w.buf = make([]byte, 8)
	copy(w.buf, map[bool]string{true: "II", false: "MM"}[bo == binary.LittleEndian])
	bo.PutUint16(w.buf[2:], 42)
	bo.PutUint32(w.buf[4:], 8)
	w.write(ifd0)
	// The thumbnail goes at the end; point IFD1's JPEGInterchangeFormat at it.
	thumbOff := uint32(len(w.buf))
	w.buf = append(w.buf, thumb...)
	idx := bytes.Index(w.buf, append(w.u16(0x0201), w.u16(4)...))
	bo.PutUint32(w.buf[idx+8:], thumbOff)
	return segment(0xE1, append([]byte("Exif\x00\x00"), w.buf...))
}

// parsedExif is what the tests read back from an EXIF APP1 payload.
type parsedExif struct {
	order   binary.ByteOrder
	ifd0    map[uint16][]byte // tag -> the 4 value bytes
	count   int
	nextIFD uint32
}

func parseExif(t testing.TB, payload []byte) parsedExif {
	t.Helper()
	tiff := bytes.TrimPrefix(payload, []byte("Exif\x00\x00")) // JPEG has it, PNG's eXIf not
	var bo binary.ByteOrder = binary.BigEndian
	if string(tiff[:2]) == "II" {
		bo = binary.LittleEndian
	}
	off := bo.Uint32(tiff[4:])
	n := int(bo.Uint16(tiff[off:]))
	p := parsedExif{order: bo, ifd0: map[uint16][]byte{}, count: n}
	for i := range n {
		e := tiff[int(off)+2+12*i:]
		p.ifd0[bo.Uint16(e)] = e[8:12]
	}
	p.nextIFD = bo.Uint32(tiff[int(off)+2+12*n:])
	return p
}

// ---- PNG ----

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

type pngChunkInfo struct {
	Type string
	Data []byte
}

func pngChunks(t testing.TB, b []byte) []pngChunkInfo {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(pngSignature)) {
		t.Fatalf("no PNG signature")
	}
	var cs []pngChunkInfo
	for i := 8; i < len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		cs = append(cs, pngChunkInfo{string(b[i+4 : i+8]), b[i+8 : i+8+n]})
		if crc32.ChecksumIEEE(b[i+4:i+8+n]) != binary.BigEndian.Uint32(b[i+8+n:]) {
			t.Fatalf("bad CRC in output chunk %s", b[i+4:i+8])
		}
		i += 12 + n
	}
	return cs
}

// insertPNGChunks puts chunks before the chunk named before.
func insertPNGChunks(t testing.TB, p []byte, before string, chunks ...[]byte) []byte {
	t.Helper()
	i := bytes.Index(p, []byte(before)) - 4
	if i < 8 {
		t.Fatalf("no %s chunk", before)
	}
	out := append([]byte{}, p[:i]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[i:]...)
}

// ---- WebP ----

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

// ---- GIF ----

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
