package metastrip

import (
	"encoding/binary"
)

func (r *Reader) webpStart() error {
	b, err := r.need(12, "the RIFF header")
	if err != nil {
		return err
	}
	if string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return malformed("webp: not a RIFF WEBP file")
	}
	size := binary.LittleEndian.Uint32(b[4:])
	if size < 4 {
		return malformed("webp: RIFF size %d", size)
	}
	r.webpLeft = int64(size) - 4
	r.webpFirst = true
	r.emit(b)
	r.src.Discard(12)
	r.state = stWebPChunk
	return nil
}

type fourCC [4]byte

var (
	fccVP8  = fourCC{'V', 'P', '8', ' '}
	fccVP8L = fourCC{'V', 'P', '8', 'L'}
	fccVP8X = fourCC{'V', 'P', '8', 'X'}
	fccALPH = fourCC{'A', 'L', 'P', 'H'}
	fccANIM = fourCC{'A', 'N', 'I', 'M'}
	fccANMF = fourCC{'A', 'N', 'M', 'F'}
	fccICCP = fourCC{'I', 'C', 'C', 'P'}
)

const (
	vp8xXMP  = 1 << 2
	vp8xEXIF = 1 << 3
)

func (r *Reader) webpChunk() error {
	inFrame := r.state == stWebPFrame
	left := &r.webpLeft
	if inFrame {
		left = &r.frameLeft
	}
	if *left == 0 {
		if inFrame {
			r.state = stWebPChunk
		} else {
			r.state = stDrain // what follows the RIFF chunk is dropped
		}
		return nil
	}
	if *left < 8 {
		return malformed("webp: %d stray bytes at the end of a chunk list", *left)
	}
	b, err := r.need(8, "a chunk header")
	if err != nil {
		return err
	}
	size := int64(binary.LittleEndian.Uint32(b[4:]))
	padded := size + size&1
	if padded > *left-8 {
		return malformed("webp: chunk %q of %d bytes overruns its parent", b[:4], size)
	}
	*left -= 8 + padded
	fcc := fourCC(b[:4])

	if r.webpFirst {
		r.webpFirst = false
		if fcc != fccVP8 && fcc != fccVP8L && fcc != fccVP8X {
			return malformed("webp: first chunk is %q", b[:4])
		}
	}
	keep := false
	switch fcc {
	case fccVP8, fccVP8L, fccALPH:
		keep = true
	case fccVP8X, fccANIM, fccANMF, fccICCP:
		keep = !inFrame
	}
	if !keep {
		r.emit([]byte("JUNK"), b[4:8])
		r.src.Discard(8)
		r.do(actBlank, padded)
		return nil
	}
	switch fcc {
	case fccVP8X:
		if r.webpVP8X {
			return malformed("webp: second VP8X chunk")
		}
		r.webpVP8X = true
		if size != 10 {
			return malformed("webp: VP8X chunk of %d bytes", size)
		}
		x, err := r.need(18, "the VP8X chunk")
		if err != nil {
			return err
		}
		r.emit(x)
		r.out[8] &^= vp8xEXIF | vp8xXMP
		r.src.Discard(18)
		return nil
	case fccANMF:
		if size < 16 {
			return malformed("webp: ANMF chunk of %d bytes", size)
		}
		x, err := r.need(24, "an ANMF chunk")
		if err != nil {
			return err
		}
		r.emit(x)
		r.src.Discard(24)
		r.frameLeft = padded - 16
		r.state = stWebPFrame
		return nil
	}
	r.emit(b)
	r.src.Discard(8)
	r.do(actCopy, padded)
	return nil
}
