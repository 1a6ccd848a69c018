package metastrip

import (
	"bytes"
	"encoding/binary"
	"image/jpeg"
	"slices"
	"testing"
)

func TestJPEGKeepsOrientationDropsGPS(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			img := testImage(48, 32)
			base := encodeJPEG(t, img)
			thumb := encodeJPEG(t, testImage(8, 8))
			exif := exifAPP1(bo, 6, thumb)
			xmp := segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><rdf:Description exif:GPSLatitude=\"51,30.4345N\"/></x:xmpmeta>"))
			iptc := segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x5a\x00\x0aSecretvill"))
			com := segment(0xFE, []byte("shot at 10 Downing Street"))
			jfif := segment(0xE0, append([]byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x01"), 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0)) // 2×1 thumbnail
			icc := segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte("icc!"), 40)...))
			mpf := segment(0xE2, []byte("MPF\x00II*\x00secondary-image-index"))
			app5 := segment(0xE5, []byte("vendor maker notes"))
			trailer := []byte("\x00\x00\x00\x18ftypmp42 MotionPhoto video with its own GPS")

			in := insertAfterSOI(base, jfif, exif, xmp, icc, mpf, iptc, app5, com)
			in = append(in, trailer...)

			secrets := [][]byte{
				binary.BigEndian.AppendUint32(nil, 2607), // parts of the GPS rationals, in either order
				[]byte("SecretCam"), []byte("Model X"), []byte("SN-0042-SECRET"), []byte("2024:05:17"),
				[]byte("GPSLatitude"), []byte("Secretvill"), []byte("Downing"), []byte("maker notes"),
				[]byte("MotionPhoto"), []byte("secondary-image"), {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0},
				thumb[:40],
			}
			if bo == binary.LittleEndian {
				secrets[0] = binary.LittleEndian.AppendUint32(nil, 2607)
			}
			for _, s := range secrets {
				if !bytes.Contains(in, s) {
					t.Fatalf("test input lacks %q", s)
				}
			}

			out := mustStrip(t, "image/jpeg", in)

			for _, s := range secrets {
				if bytes.Contains(out, s) {
					t.Errorf("output still holds %q", s)
				}
			}
			segs := jpegSegments(t, out)
			var markers []byte
			for _, s := range segs {
				markers = append(markers, s.Marker)
			}
			// SOI, JFIF, the new EXIF, ICC, then the encoder's own segments.
			baseSegs := jpegSegments(t, base)
			want := []byte{0xD8, 0xE0, 0xE1, 0xE2}
			for _, s := range baseSegs[1:] {
				want = append(want, s.Marker)
			}
			if !bytes.Equal(markers, want) {
				t.Fatalf("markers % X, want % X", markers, want)
			}
			if !bytes.Equal(segs[1].Data, []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00")) {
				t.Errorf("JFIF segment % X: want its density kept and no thumbnail", segs[1].Data)
			}
			ex := parseExif(t, segs[2].Data)
			if ex.count != 1 || ex.nextIFD != 0 {
				t.Errorf("EXIF has %d IFD0 entries and next IFD %d, want 1 and 0", ex.count, ex.nextIFD)
			}
			if v, ok := ex.ifd0[0x0112]; !ok || ex.order.Uint16(v) != 6 {
				t.Errorf("orientation = % X, want 6", v)
			}
			if _, ok := ex.ifd0[0x8825]; ok {
				t.Errorf("GPS IFD pointer kept")
			}
			if len(segs[2].Data) != 6+8+2+12+4 {
				t.Errorf("EXIF payload is %d bytes, want 32", len(segs[2].Data))
			}
			if !bytes.Equal(segs[3].Data, icc[4:]) {
				t.Errorf("ICC profile changed")
			}
			for i, s := range baseSegs[1:] {
				if !bytes.Equal(segs[4+i].Data, s.Data) {
					t.Errorf("segment %02X changed", s.Marker)
				}
			}
			c := decodeConfigOK(t, jpeg.DecodeConfig, out)
			if c.Width != 48 || c.Height != 32 {
				t.Errorf("config %dx%d", c.Width, c.Height)
			}
			samePixels(t, jpeg.Decode, in, out)
		})
	}
}

func TestJPEGOrientation(t *testing.T) {
	base := encodeJPEG(t, testImage(16, 16))
	orientOf := func(out []byte) int {
		for _, s := range jpegSegments(t, out) {
			if s.Marker == 0xE1 {
				ex := parseExif(t, s.Data)
				return int(ex.order.Uint16(ex.ifd0[0x0112]))
			}
		}
		return 0
	}
	for o := uint16(0); o <= 9; o++ {
		out := mustStrip(t, "image/jpeg", insertAfterSOI(base, exifAPP1(binary.LittleEndian, o, nil)))
		want := int(o)
		if o < 2 || o > 8 {
			want = 0 // 1 is the default; 0 and 9 are not orientations
		}
		if got := orientOf(out); got != want {
			t.Errorf("orientation %d came out as %d", o, got)
		}
	}
	// Only the first EXIF segment counts; later ones are dropped.
	out := mustStrip(t, "image/jpeg", insertAfterSOI(base, exifAPP1(binary.BigEndian, 8, nil), exifAPP1(binary.BigEndian, 3, nil)))
	if got := orientOf(out); got != 8 {
		t.Errorf("two EXIF segments: orientation %d, want 8", got)
	}
	if n := bytes.Count(out, []byte("Exif\x00\x00")); n != 1 {
		t.Errorf("%d EXIF segments, want 1", n)
	}
	// EXIF that lies about its offsets loses its orientation, not the image.
	bad := exifAPP1(binary.BigEndian, 6, nil)
	binary.BigEndian.PutUint32(bad[4+6+4:], 60000) // IFD0 past the segment
	out = mustStrip(t, "image/jpeg", insertAfterSOI(base, bad))
	if got := orientOf(out); got != 0 {
		t.Errorf("bad IFD0 offset: orientation %d, want none", got)
	}
	bad = exifAPP1(binary.BigEndian, 6, nil)
	bad[4+6] = 'X' // byte order neither II nor MM
	out = mustStrip(t, "image/jpeg", insertAfterSOI(base, bad))
	if got := orientOf(out); got != 0 {
		t.Errorf("bad byte order: orientation %d, want none", got)
	}
	// An EXIF segment cut short inside IFD0.
	short := segment(0xE1, []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03"))
	out = mustStrip(t, "image/jpeg", insertAfterSOI(base, short))
	if got := orientOf(out); got != 0 {
		t.Errorf("short IFD: orientation %d, want none", got)
	}
	samePixels(t, jpeg.Decode, base, out)
}

// The fixtures carry no metadata of their own, so stripping what the test
// adds must give back the fixture byte for byte: progressive scans with
// tables between them, restart markers, an Adobe colour transform.
func TestJPEGFixturesRoundTrip(t *testing.T) {
	for _, name := range []string{"video-001.q50.420.progressive.jpeg", "video-001.restart2.jpeg", "video-001.rgb.jpeg"} {
		t.Run(name, func(t *testing.T) {
			orig := readFixture(t, name)
			if out := mustStrip(t, "image/jpeg", orig); !bytes.Equal(out, orig) {
				t.Fatalf("a clean file changed")
			}
			in := insertAfterSOI(orig, exifAPP1(binary.LittleEndian, 1, nil), segment(0xFE, []byte("comment")))
			// Metadata between the scans too.
			if i := bytes.LastIndex(in, []byte{0xFF, 0xDA}); i > 0 && name == "video-001.q50.420.progressive.jpeg" {
				in = slices.Concat(in[:i], segment(0xEC, []byte("Ducky between scans")), in[i:])
			}
			in = append(in, "trailing"...)
			out := mustStrip(t, "image/jpeg", in)
			if !bytes.Equal(out, orig) {
				t.Fatalf("stripped file is not the original fixture")
			}
			samePixels(t, jpeg.Decode, orig, out)
		})
	}
	restart := readFixture(t, "video-001.restart2.jpeg")
	if !bytes.Contains(restart, []byte{0xFF, 0xD0}) || !bytes.Contains(restart, []byte{0xFF, 0x00}) {
		t.Fatal("restart fixture lacks RST markers or stuffed bytes")
	}
}

func TestJPEGEntropyEdgeCases(t *testing.T) {
	base := encodeJPEG(t, testImage(40, 24))
	eoi := len(base) - 2
	sos := bytes.Index(base, []byte{0xFF, 0xDA})

	t.Run("fill bytes before markers", func(t *testing.T) {
		in := slices.Concat(base[:eoi], []byte{0xFF, 0xFF, 0xFF}, base[eoi:])
		in = slices.Concat(in[:sos], []byte{0xFF, 0xFF}, in[sos:])
		out := mustStrip(t, "image/jpeg", in)
		if !bytes.Equal(out, base) {
			t.Fatal("fill bytes not removed cleanly")
		}
	})
	t.Run("extraneous bytes and stray markers between segments", func(t *testing.T) {
		in := slices.Concat(base[:sos], []byte{0x00, 0x42, 0xFF, 0x00, 0xFF, 0xD3, 0xFF, 0x01}, base[sos:])
		out := mustStrip(t, "image/jpeg", in)
		if !bytes.Equal(out, base) {
			t.Fatal("extraneous data not removed")
		}
	})
	t.Run("input ends inside the scan", func(t *testing.T) {
		for _, cut := range []int{sos + 14, sos + 15, eoi - 1, eoi} {
			in := base[:cut]
			out := mustStrip(t, "image/jpeg", in)
			if !bytes.Equal(out, in) {
				t.Fatalf("cut at %d: output differs from input", cut)
			}
		}
		// A lone 0xFF at the very end is dropped.
		in := append(slices.Clone(base[:eoi]), 0xFF)
		out := mustStrip(t, "image/jpeg", in)
		if !bytes.Equal(out, base[:eoi]) {
			t.Fatal("lone trailing 0xFF kept")
		}
	})
	t.Run("malformed", func(t *testing.T) {
		wantMalformed(t, "image/jpeg", []byte{0xFF})
		wantMalformed(t, "image/jpeg", []byte{0xFF, 0xD9})
		wantMalformed(t, "image/jpeg", base[:sos])                                           // ends between segments
		wantMalformed(t, "image/jpeg", base[:sos+3])                                         // ends in a length
		wantMalformed(t, "image/jpeg", base[:sos+8])                                         // ends in the SOS header
		wantMalformed(t, "image/jpeg", insertAfterSOI(base, []byte{0xFF, 0xD8}))             // second SOI
		wantMalformed(t, "image/jpeg", insertAfterSOI(base, []byte{0xFF, 0x42, 0, 2}))       // reserved marker
		wantMalformed(t, "image/jpeg", insertAfterSOI(base, []byte{0xFF, 0xE1, 0x00, 1}))    // length below 2
		wantMalformed(t, "image/jpeg", insertAfterSOI(base, []byte{0xFF, 0xE1, 0xFF, 0xFF})) // runs past the end
		wantMalformed(t, "image/jpeg", insertAfterSOI(base[:eoi/2], exifAPP1(binary.BigEndian, 6, make([]byte, eoi))))
	})
}

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
