// Command verifyrecord checks a page of a decrypt record offline: the JSON
// a client gets of its record (decryptlog.Page), read from a file or stdin.
// It pins the app's public key with -key (base64) when given, rather than
// trusting the key the page carries, and says which entry breaks the chain.
//
//	go run ./app/cmd/verifyrecord -key BASE64 record.json
package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"imageapp/app/decryptlog"
)

func main() {
	key := flag.String("key", "", "the app's Ed25519 public key, base64 (default: the page's own, which proves only that the page is consistent)")
	flag.Parse()
	if err := run(*key, flag.Arg(0), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "verifyrecord:", err)
		os.Exit(1)
	}
}

func run(keyB64, path string, stdin io.Reader, out io.Writer) error {
	in := stdin
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var page decryptlog.Page
	if err := json.NewDecoder(in).Decode(&page); err != nil {
		return fmt.Errorf("read the page: %w", err)
	}
	pub, err := page.Key()
	if keyB64 != "" {
		var raw []byte
		raw, err = base64.StdEncoding.DecodeString(keyB64)
		if err == nil && len(raw) != ed25519.PublicKeySize {
			err = fmt.Errorf("%d bytes; want %d", len(raw), ed25519.PublicKeySize)
		}
		pub = raw
	}
	if err != nil {
		return fmt.Errorf("the public key: %w", err)
	}
	head, entries, err := page.Decode()
	if err != nil {
		return err
	}
	if err := decryptlog.Verify(pub, head, entries); err != nil {
		return err
	}
	oldest := head.Seq
	if len(entries) > 0 {
		oldest = entries[len(entries)-1].Seq
	}
	_, err = fmt.Fprintf(out, "ok: entries %d to %d of %s's record follow from the signed head\n", oldest, head.Seq, head.UserID)
	return err
}
