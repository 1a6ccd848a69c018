package imageapptest

import (
	"bytes"
	_ "embed" // the committed test images
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
)

// NoisePNG is a real, opaque w×h PNG of random pixels (seeded), so it does
// not compress: about 3·w·h bytes.
func NoisePNG(w, h int, seed uint64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15))
	for i := 0; i < len(img.Pix); i += 4 {
		v := rng.Uint32()
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(v), byte(v>>8), byte(v>>16), 0xff
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory NRGBA into a buffer cannot fail
	}
	return buf.Bytes()
}

// NoisePNGOfSize is a square NoisePNG of about target bytes.
func NoisePNGOfSize(target int, seed uint64) []byte {
	side := max(1, int(math.Sqrt(float64(target)/3)))
	return NoisePNG(side, side, seed)
}

// PNGHeader is a PNG signature and header claiming w×h pixels, with no
// pixels: what a decompression bomb looks like to DecodeConfig.
func PNGHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, chunk...)
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
	return out
}

// JPEGWithOrientation encodes img as a JPEG that says, in an EXIF APP1
// segment, how to turn it upright (orientation 1–8, as cameras write it:
// a phone held upright stores its landscape sensor image with 6).
func JPEGWithOrientation(img image.Image, orientation int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // an in-memory image always encodes
	}
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF, first IFD at 8
		0, 1, // one entry: Orientation, SHORT, count 1
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orientation), 0, 0,
		0, 0, 0, 0} // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xff, 0xe1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	jpg := buf.Bytes()
	return append(append(append([]byte{}, jpg[:2]...), app1...), jpg[2:]...)
}

//go:embed testdata/photo16mp-progressive.jpg
var progressiveJPEG []byte

// ProgressiveJPEG is a 16 MP progressive JPEG photo (testdata/README.md says
// how it was made): what a camera app may write, and the costliest JPEG to
// decode whole. The caller gets its own copy.
func ProgressiveJPEG() []byte { return bytes.Clone(progressiveJPEG) }
