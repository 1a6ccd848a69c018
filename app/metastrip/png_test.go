package metastrip

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image/png"
	"slices"
	"strings"
	"testing"
)

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
