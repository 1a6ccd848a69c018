package metastrip

import (
	"bytes"
	"encoding/binary"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// Large inputs (about 10 MiB each) with metadata in them, built once. The
// bulk is random bytes laid out as each format's image data (stuffed and
// with restart markers for JPEG, CRC'd IDAT chunks for PNG, sub-blocks for
// GIF): the stripper reads structure, not pixels, and encoding 10 MiB
// images takes too long under the race detector. Decodable images are
// checked in the other tests.
var big = sync.OnceValue(func() map[string][]byte {
	const size = 10 << 20
	rng := rand.NewChaCha8([32]byte{1})
	random := func(n int) []byte {
		b := make([]byte, n)
		rng.Read(b)
		return b
	}

	// JPEG: a real header and a scan of random entropy-coded data.
	var jb bytes.Buffer
	jpeg.Encode(&jb, testImage(64, 64), nil)
	small := jb.Bytes()
	sos := bytes.Index(small, []byte{0xFF, 0xDA})
	sosLen := int(small[sos+2])<<8 | int(small[sos+3])
	scan := make([]byte, 0, size+size/128)
	for i, c := range random(size) {
		scan = append(scan, c)
		if c == 0xFF {
			scan = append(scan, 0)
		}
		if i%4096 == 4095 {
			scan = append(scan, 0xFF, 0xD0+byte(i/4096%8))
		}
	}
	j := slices.Concat(small[:sos+2+sosLen], scan, []byte{0xFF, 0xD9})
	bigExif := exifAPP1(binary.LittleEndian, 6, bytes.Repeat([]byte{0x5A}, 60000))
	icc := segment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), make([]byte, 60000)...))
	j = insertAfterSOI(j, bigExif, icc, segment(0xFE, make([]byte, 65000)))

	// PNG: IDAT chunks of 64 KiB, text and EXIF before them.
	var pb bytes.Buffer
	png.Encode(&pb, testImage(4, 4))
	p := pb.Bytes()
	var idats []byte
	for range size / (64 << 10) {
		idats = append(idats, pngChunk("IDAT", random(64<<10))...)
	}
	i := bytes.Index(p, []byte("IDAT")) - 4
	p = slices.Concat(p[:i], pngChunk("tEXt", make([]byte, 200000)), pngChunk("eXIf", exifAPP1(binary.BigEndian, 3, nil)[10:]), idats, p[len(p)-12:])

	// WebP: extended, with a 10 MiB VP8L chunk, 1 MiB of EXIF and some XMP.
	w := riffWebP(riffChunk("VP8X", vp8x(0x2C, 9000, 9000)), riffChunk("ICCP", make([]byte, 3000)), riffChunk("VP8L", random(size)),
		riffChunk("EXIF", make([]byte, 1<<20)), riffChunk("XMP ", make([]byte, 100000)))

	// GIF: one frame with a local colour table, data in 255-byte sub-blocks.
	g := []byte("GIF89a\x00\x10\x00\x10\x00\x00\x00")
	g = append(g, gifExtension(0xFF, []byte("NETSCAPE2.0"), []byte{1, 0, 0})...)
	g = append(g, gifExtension(0xFE, bytes.Repeat([]byte{'c'}, 255), bytes.Repeat([]byte{'c'}, 255))...)
	g = append(g, 0x2C, 0, 0, 0, 0, 0, 0x10, 0, 0x10, 0x87)
	g = append(g, random(3*256)...)
	g = append(g, 8)
	data := random(size)
	for len(data) > 0 {
		n := min(len(data), 255)
		g = append(g, byte(n))
		g = append(g, data[:n]...)
		data = data[n:]
	}
	g = append(g, 0, 0x3B)

	return map[string][]byte{"image/jpeg": j, "image/png": p, "image/webp": w, "image/gif": g}
})

// discard is a writer without ReadFrom, so io.CopyBuffer uses its buffer as
// the service's copy into the encrypting writer does.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// plain hides bytes.Reader's WriteTo from io.CopyBuffer.
type plain struct{ io.Reader }

// The stripper's own memory must not grow with the image: a 10 MiB image
// costs it the same few dozen KiB as a tiny one.
func TestMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 40 MiB of test images")
	}
	const limit = 256 << 10
	buf := make([]byte, 32<<10)
	for ct, in := range big() {
		if len(in) < 9<<20 {
			t.Fatalf("%s input is only %d bytes", ct, len(in))
		}
		var n int64
		run := func() {
			r, err := Strip(ct, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if n, err = io.CopyBuffer(discard{}, r, buf); err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
		}
		run() // warm up
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		run()
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		allocs := testing.AllocsPerRun(3, run)
		t.Logf("%s: %.1f MiB in, %d out; %d bytes in %.0f allocations", ct, float64(len(in))/(1<<20), n, allocated, allocs)
		if allocated > limit {
			t.Errorf("%s: stripping %d bytes allocated %d bytes, want under %d", ct, len(in), allocated, limit)
		}
		if n >= int64(len(in)) && ct != "image/webp" {
			t.Errorf("%s: nothing removed", ct)
		}
	}
}

func BenchmarkStrip(b *testing.B) {
	inputs := big()
	buf := make([]byte, 32<<10)
	for _, ct := range []string{"image/jpeg", "image/png", "image/webp", "image/gif"} {
		in := inputs[ct]
		b.Run(ct[len("image/"):]+"/io.Copy", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				io.CopyBuffer(discard{}, plain{bytes.NewReader(in)}, buf)
			}
		})
		b.Run(ct[len("image/"):]+"/Strip", func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				r, _ := Strip(ct, bytes.NewReader(in))
				if _, err := io.CopyBuffer(discard{}, r, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
