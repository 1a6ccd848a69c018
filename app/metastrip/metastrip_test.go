package metastrip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/webp"
)

func TestStripRejectsOtherTypes(t *testing.T) {
	for _, ct := range []string{"", "image/svg+xml", "image/tiff", "text/plain", "image/jpeg2000"} {
		if _, err := Strip(ct, strings.NewReader("x")); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Strip(%q): err = %v, want ErrUnsupported", ct, err)
		}
	}
	for _, ct := range []string{"image/jpeg", "IMAGE/PNG", " image/webp ", "image/gif; charset=binary"} {
		if _, err := Strip(ct, strings.NewReader("x")); err != nil {
			t.Errorf("Strip(%q): %v", ct, err)
		}
	}
}

func TestContentMustMatchType(t *testing.T) {
	j := encodeJPEG(t, testImage(8, 8))
	p := encodePNG(t, testImage(8, 8))
	wantMalformed(t, "image/png", j)
	wantMalformed(t, "image/jpeg", p)
	wantMalformed(t, "image/webp", p)
	wantMalformed(t, "image/gif", j)
	for _, ct := range []string{"image/jpeg", "image/png", "image/webp", "image/gif"} {
		wantMalformed(t, ct, nil)
	}
}

// errAfter yields data, then fails with err instead of io.EOF.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

// The service tells a too-large upload (413) or a vanished client from a
// damaged image (422) by the error, so the source's errors must come
// through unchanged and never as ErrMalformed.
func TestSourceErrorsPassThrough(t *testing.T) {
	cause := errors.New("http: request body too large")
	for ct, in := range oneOfEach(t) {
		for _, cut := range []int{1, 5, 13, 20, len(in) / 2, len(in) - 3} {
			r, _ := Strip(ct, &errAfter{data: in[:cut], err: cause})
			_, err := io.ReadAll(r)
			if err != cause {
				t.Errorf("%s cut at %d: err = %v, want the source's error", ct, cut, err)
			}
		}
	}
}

// What follows the image is read and discarded, so that a size cap on the
// source still covers the whole upload and its error still comes through.
func TestReadsSourceToTheEnd(t *testing.T) {
	cause := errors.New("http: request body too large")
	trailer := bytes.Repeat([]byte("trailing data "), 10000)
	for ct, in := range oneOfEach(t) {
		src := bytes.NewReader(slices.Concat(in, trailer))
		r, _ := Strip(ct, src)
		out, err := io.ReadAll(r)
		if err != nil || src.Len() != 0 {
			t.Errorf("%s: err %v, %d bytes left unread", ct, err, src.Len())
		}
		if bytes.Contains(out, []byte("trailing")) {
			t.Errorf("%s: trailer kept", ct)
		}
		r, _ = Strip(ct, &errAfter{data: slices.Concat(in, trailer), err: cause})
		if _, err := io.ReadAll(r); err != cause {
			t.Errorf("%s: err = %v in the trailer, want the source's error", ct, err)
		}
	}
}

func oneOfEach(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"image/jpeg": insertAfterSOI(encodeJPEG(t, testImage(64, 64)), exifAPP1(binary.BigEndian, 6, nil)),
		"image/png":  encodePNG(t, testImage(64, 64)),
		"image/webp": riffWebP(riffChunk("VP8L", vp8lTwoGreens(64, 64, 1, 2, 3, 4, 255, func(x, y int) bool { return x > y })), riffChunk("EXIF", make([]byte, 300))),
		"image/gif":  encodeGIF(t, &gif.GIF{Image: []*image.Paletted{image.NewPaletted(image.Rect(0, 0, 64, 64), palette.Plan9)}, Delay: []int{0}}),
	}
}

// ---- JPEG ----

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

// ---- PNG ----

func TestPNGDropsTextAndExif(t *testing.T) {
	img := testImage(20, 12)
	base := encodePNG(t, img)
	tiff := exifAPP1(binary.BigEndian, 6, nil)[4+6:]
	in := insertPNGChunks(t, base, "IDAT",
		pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F}),
		pngChunk("tEXt", []byte("Comment\x00taken at 51.5074N 0.1278W")),
		pngChunk("zTXt", []byte("Author\x00\x00x\x9c\x0b\x4e\x4d\x2e\x4a\x2d\x51\x00\x00\x0c\x80\x03\x3c")),
		pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta exif:GPSLongitude=\"0,7.659W\"/>")),
		pngChunk("eXIf", tiff),
		pngChunk("tIME", []byte{0x07, 0xE8, 5, 17, 9, 41, 0}),
		pngChunk("prVt", []byte("private ancillary chunk: device id 1234")),
		pngChunk("pHYs", []byte{0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1}),
		pngChunk("sRGB", []byte{0}),
		pngChunk("iCCP", []byte("sRGB\x00\x00x\x9c\x03\x00\x00\x00\x00\x01")),
	)
	in = insertPNGChunks(t, in, "IEND", pngChunk("tEXt", []byte("Software\x00SecretEditor 2.0")))
	in = append(in, "data after IEND"...)
	secrets := []string{"51.5074N", "GPSLongitude", "SecretCam", "SecretEditor", "device id", "after IEND", "tIME", "x\x9c\x0b\x4e"}
	for _, s := range secrets {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("test input lacks %q", s)
		}
	}

	out := mustStrip(t, "image/png", in)

	for _, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output still holds %q", s)
		}
	}
	var types []string
	for _, c := range pngChunks(t, out) {
		types = append(types, c.Type)
		if c.Type == "eXIf" {
			ex := parseExif(t, c.Data)
			if ex.count != 1 || ex.nextIFD != 0 || ex.order.Uint16(ex.ifd0[0x0112]) != 6 || len(c.Data) != 26 {
				t.Errorf("eXIf is not the orientation alone: % X", c.Data)
			}
		}
	}
	if got, want := strings.Join(types, " "), "IHDR gAMA eXIf pHYs sRGB iCCP IDAT IEND"; got != want {
		t.Errorf("chunks %q, want %q", got, want)
	}
	samePixels(t, png.Decode, in, out)
	c := decodeConfigOK(t, png.DecodeConfig, out)
	if c.Width != 20 || c.Height != 12 {
		t.Errorf("config %dx%d", c.Width, c.Height)
	}
	if got := mustStrip(t, "image/png", base); !bytes.Equal(got, base) {
		t.Errorf("a clean PNG changed")
	}
}

func TestPNGOrientation(t *testing.T) {
	base := encodePNG(t, testImage(4, 4))
	for _, tc := range []struct {
		orient uint16
		bo     binary.ByteOrder
		want   bool
	}{{6, binary.LittleEndian, true}, {8, binary.BigEndian, true}, {1, binary.BigEndian, false}, {0, binary.LittleEndian, false}, {11, binary.BigEndian, false}} {
		tiff := exifAPP1(tc.bo, tc.orient, nil)[10:]
		// A second eXIf (not allowed by the spec) is dropped whatever it says.
		in := insertPNGChunks(t, base, "IDAT", pngChunk("eXIf", tiff), pngChunk("eXIf", minimalTIFFBytes(3)))
		out := mustStrip(t, "image/png", in)
		want := base
		if tc.want {
			want = insertPNGChunks(t, base, "IDAT", pngChunk("eXIf", minimalTIFFBytes(int(tc.orient))))
		}
		if !bytes.Equal(out, want) {
			t.Errorf("orientation %d: output is not the image with the orientation alone", tc.orient)
		}
	}
}

func minimalTIFFBytes(o int) []byte { b := minimalTIFF(o); return b[:] }

func TestPNGKeepsAnimationChunks(t *testing.T) {
	base := encodePNG(t, testImage(4, 4))
	actl := pngChunk("acTL", []byte{0, 0, 0, 2, 0, 0, 0, 0})
	fctl := pngChunk("fcTL", make([]byte, 26))
	idat := pngChunks(t, base)[1].Data
	fdat := pngChunk("fdAT", append([]byte{0, 0, 0, 2}, idat...))
	in := insertPNGChunks(t, base, "IDAT", actl, fctl)
	in = insertPNGChunks(t, in, "IEND", fctl, fdat)
	if out := mustStrip(t, "image/png", in); !bytes.Equal(out, in) {
		t.Fatal("APNG chunks changed")
	}
}

func TestPNGMalformed(t *testing.T) {
	base := encodePNG(t, testImage(8, 8))
	wantMalformed(t, "image/png", base[:5])
	wantMalformed(t, "image/png", base[:8])   // signature only
	wantMalformed(t, "image/png", base[:20])  // ends in IHDR
	wantMalformed(t, "image/png", base[:8+8]) // ends before IHDR's data
	wantMalformed(t, "image/png", insertPNGChunks(t, base, "IDAT", pngChunk("vpAg", nil)[:10]))
	wantMalformed(t, "image/png", insertPNGChunks(t, base, "IDAT", pngChunk("CgBI", []byte{1, 2, 3, 4}))) // unknown critical
	wantMalformed(t, "image/png", insertPNGChunks(t, base, "IDAT", pngChunk("t3Xt", nil)))                // not letters
	wantMalformed(t, "image/png", slices.Concat(base[:8], pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F}), base[8:]))
	huge := pngChunk("tEXt", nil)
	binary.BigEndian.PutUint32(huge, 0x80000000)
	wantMalformed(t, "image/png", insertPNGChunks(t, base, "IDAT", huge))
	iend := pngChunk("IEND", []byte{1})
	wantMalformed(t, "image/png", slices.Concat(base[:len(base)-12], iend))

	badCRC := slices.Clone(base)
	badCRC[len(badCRC)-13]++ // the last byte of IDAT
	wantMalformed(t, "image/png", badCRC)

	// A dropped chunk's CRC is not checked: it is gone either way.
	text := pngChunk("tEXt", []byte("a\x00b"))
	text[len(text)-1]++
	out := mustStrip(t, "image/png", insertPNGChunks(t, base, "IDAT", text))
	if !bytes.Equal(out, base) {
		t.Error("dropping a chunk with a bad CRC changed the rest")
	}

	// Ending between chunks after IHDR ends the output there.
	iendAt := len(base) - 12
	if out := mustStrip(t, "image/png", base[:iendAt]); !bytes.Equal(out, base[:iendAt]) {
		t.Error("PNG without IEND: output differs")
	}
}

// ---- WebP ----

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

// ---- GIF ----

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
