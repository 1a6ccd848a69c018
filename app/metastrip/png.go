package metastrip

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

const pngSignature = "\x89PNG\r\n\x1a\n"

var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true,
	"sBIT": true, "pHYs": true, "bKGD": true, "cICP": true, "mDCV": true,
	"cLLI": true, "acTL": true, "fcTL": true, "fdAT": true,
}

func (r *Reader) pngStart() error {
	b, err := r.need(8, "the signature")
	if err != nil {
		return err
	}
	if string(b) != pngSignature {
		return malformed("png: bad signature")
	}
	r.emit(b)
	r.src.Discard(8)
	r.state = stPNGChunk
	return nil
}

func (r *Reader) pngChunk() error {
	b, err := r.src.Peek(8)
	if err == io.EOF && len(b) == 0 && r.pngIHDR {
		r.state = stDone // ends between chunks: the output ends there too
		return nil
	}
	if err != nil {
		return r.truncated(err, "a chunk header")
	}
	length := binary.BigEndian.Uint32(b)
	typ := b[4:8]
	if length > 1<<31-1 {
		return malformed("png: chunk length %d", length)
	}
	for _, c := range typ {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return malformed("png: bad chunk type %q", typ)
		}
	}
	if !r.pngIHDR {
		if string(typ) != "IHDR" {
			return malformed("png: first chunk is %q, not IHDR", typ)
		}
		r.pngIHDR = true
	}
	switch {
	case pngKeep[string(typ)]:
		r.last = string(typ) == "IEND"
		if r.last && length != 0 {
			return malformed("png: IEND has %d bytes", length)
		}
		r.emit(b)
		r.crc = crc32.Update(0, crc32.IEEETable, typ)
		r.crcOn = true
		r.src.Discard(8)
		r.do(actCopy, int64(length))
		r.state = stPNGCRC
	case string(typ) == "eXIf" && !r.sawExif:
		// Replaced by an eXIf chunk with the orientation alone, if any.
		r.sawExif = true
		r.src.Discard(8)
		ex := exifScan{r: r, left: int(length)}
		orient, err := ex.orientation()
		if err != nil {
			return err
		}
		if orient != 0 {
			tiff := minimalTIFF(orient)
			r.emit([]byte{0, 0, 0, 26, 'e', 'X', 'I', 'f'}, tiff[:], []byte{0, 0, 0, 0})
			binary.BigEndian.PutUint32(r.out[34:], crc32.ChecksumIEEE(r.out[4:34]))
		}
		r.do(actSkip, int64(ex.left)+4) // the rest and the CRC
	case typ[0]&0x20 == 0:
		return malformed("png: unknown critical chunk %q", typ)
	default:
		r.src.Discard(8)
		r.do(actSkip, int64(length)+4)
	}
	return nil
}

func (r *Reader) pngCRC() error {
	r.crcOn = false
	b, err := r.need(4, "a chunk CRC")
	if err != nil {
		return err
	}
	if binary.BigEndian.Uint32(b) != r.crc {
		return malformed("png: chunk CRC mismatch")
	}
	r.emit(b)
	r.src.Discard(4)
	r.state = stPNGChunk
	if r.last {
		r.state = stDrain // what follows IEND is dropped
	}
	return nil
}
