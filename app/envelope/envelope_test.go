package envelope_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"imageapp/app/envelope"
)

var ctx = envelope.Context{App: "imageapp", MessageID: "m1", SenderID: "alice", RecipientID: "bob"}

func key() []byte {
	k := make([]byte, envelope.KeySize)
	rand.Read(k)
	return k
}

func seal(t testing.TB, dek, plain []byte, c envelope.Context) []byte {
	var buf bytes.Buffer
	w, err := envelope.NewWriter(&buf, dek, c, envelope.PurposeImage)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(dek, ct []byte, c envelope.Context) ([]byte, error) {
	r, err := envelope.NewReader(bytes.NewReader(ct), dek, c, envelope.PurposeImage)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestRoundTripAndBinding(t *testing.T) {
	dek := key()
	plain := make([]byte, 3*envelope.SegmentSize+123)
	rand.Read(plain)
	ct := seal(t, dek, plain, ctx)
	if got, err := open(dek, ct, ctx); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip failed: %v", err)
	}
	others := map[string]envelope.Context{
		"other message":   {App: ctx.App, MessageID: "m2", SenderID: ctx.SenderID, RecipientID: ctx.RecipientID},
		"other sender":    {App: ctx.App, MessageID: ctx.MessageID, SenderID: "carol", RecipientID: ctx.RecipientID},
		"other recipient": {App: ctx.App, MessageID: ctx.MessageID, SenderID: ctx.SenderID, RecipientID: "carol"},
		"other app":       {App: "other", MessageID: ctx.MessageID, SenderID: ctx.SenderID, RecipientID: ctx.RecipientID},
	}
	for name, c := range others {
		if _, err := open(dek, ct, c); !errors.Is(err, envelope.ErrAuthentication) {
			t.Errorf("%s: opened with err %v, want ErrAuthentication", name, err)
		}
	}
	if _, err := open(key(), ct, ctx); !errors.Is(err, envelope.ErrAuthentication) {
		t.Errorf("wrong key: err %v", err)
	}
	if _, err := open(dek, ct[:len(ct)-1], ctx); !errors.Is(err, envelope.ErrAuthentication) {
		t.Errorf("truncated: err %v", err)
	}
	if _, err := open(dek, ct[:len(ct)-envelope.SegmentSize/2], ctx); !errors.Is(err, envelope.ErrAuthentication) {
		t.Errorf("cut at a segment boundary region: err %v", err)
	}
	for _, i := range []int{0, 30, len(ct) / 2, len(ct) - 1} {
		bad := bytes.Clone(ct)
		bad[i] ^= 1
		if _, err := open(dek, bad, ctx); !errors.Is(err, envelope.ErrAuthentication) {
			t.Errorf("byte %d flipped: err %v", i, err)
		}
	}
}

func TestCanonicalContextIsUnambiguous(t *testing.T) {
	a := envelope.Canonical(map[string]string{"a": "b=c", "d": ""})
	b := envelope.Canonical(map[string]string{"a": "b", "c=d": ""})
	if bytes.Equal(a, b) {
		t.Fatal("two different contexts encode alike")
	}
}

// FuzzReader feeds hostile ciphertext to the reader: it must fail cleanly,
// never panic, and release only whole segments that authenticated.
func FuzzReader(f *testing.F) {
	dek := bytes.Repeat([]byte{7}, envelope.KeySize)
	f.Add(seal(f, dek, []byte("hello"), ctx))
	f.Add(seal(f, dek, bytes.Repeat([]byte("x"), envelope.SegmentSize+5), ctx))
	f.Add([]byte{})
	const tag, header = 16, 40 // AES-GCM tag; Tink header: length byte, 32-byte salt, 7-byte nonce prefix
	firstPlain, plain := envelope.SegmentSize-header-tag, envelope.SegmentSize-tag
	f.Fuzz(func(t *testing.T, ct []byte) {
		got, err := open(dek, ct, ctx)
		if err == nil {
			return
		}
		if n := len(got); n != 0 && (n < firstPlain || (n-firstPlain)%plain != 0) {
			t.Fatalf("released %d bytes before the error: not a run of whole authenticated segments", n)
		}
	})
}

// TestSourceErrorsAreNotTampering: a dropped connection or a disk error while
// reading the ciphertext is that error, not "the message was altered"; the
// bytes before it are still only authenticated ones.
func TestSourceErrorsAreNotTampering(t *testing.T) {
	dek := key()
	plain := make([]byte, 3*envelope.SegmentSize)
	rand.Read(plain)
	ct := seal(t, dek, plain, ctx)
	dropped := errors.New("connection reset by peer")
	for _, at := range []int{10, envelope.SegmentSize / 2, 2*envelope.SegmentSize + 100} {
		src := io.MultiReader(bytes.NewReader(ct[:at]), iotest.ErrReader(dropped))
		var got []byte
		r, err := envelope.NewReader(src, dek, ctx, envelope.PurposeImage)
		if err == nil {
			got, err = io.ReadAll(r)
		}
		if !errors.Is(err, dropped) || errors.Is(err, envelope.ErrAuthentication) {
			t.Errorf("source failing after %d bytes: err %v; want the source's error, not ErrAuthentication", at, err)
		}
		if !bytes.HasPrefix(plain, got) {
			t.Errorf("source failing after %d bytes: the bytes read before are not the plaintext's start", at)
		}
	}
}
