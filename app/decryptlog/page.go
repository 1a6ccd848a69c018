package decryptlog

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// Page is a page of a record as clients and the verifier read it (JSON):
// the signed head and the entries from it down, newest first. Hashes are
// hex, the signature and key base64, times milliseconds since 1970.
type Page struct {
	PublicKey string      `json:"public_key"` // the app's; a verifier should pin it rather than trust the page
	Head      HeadJSON    `json:"head"`
	Entries   []EntryJSON `json:"entries"`
}

type HeadJSON struct {
	UserID    string `json:"user_id"`
	Seq       int64  `json:"seq"`
	Hash      string `json:"hash"`
	At        int64  `json:"at"`
	Signature string `json:"signature"`
}

type EntryJSON struct {
	Seq       int64             `json:"seq"`
	At        int64             `json:"at"`
	MessageID string            `json:"message_id"`
	By        AskerJSON         `json:"by"`
	Purpose   string            `json:"purpose"`
	Context   map[string]string `json:"context"`
	Prev      string            `json:"prev"`
	Hash      string            `json:"hash"`
}

type AskerJSON struct {
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Session  string `json:"session"`
	Device   string `json:"device"`
	Job      string `json:"job"`
}

// NewPage is the page of head and entries, with the app's key.
func NewPage(pub ed25519.PublicKey, head imageapp.DecryptHead, entries []imageapp.DecryptEntry) Page {
	p := Page{
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		Head: HeadJSON{UserID: head.UserID, Seq: head.Seq, Hash: hex.EncodeToString(head.Hash),
			At: head.At.UnixMilli(), Signature: base64.StdEncoding.EncodeToString(head.Signature)},
		Entries: make([]EntryJSON, len(entries)),
	}
	for i, e := range entries {
		ctx := e.Context
		if ctx == nil {
			ctx = map[string]string{}
		}
		p.Entries[i] = EntryJSON{Seq: e.Seq, At: e.At.UnixMilli(), MessageID: e.MessageID, Purpose: string(e.Purpose),
			By:      AskerJSON{UserID: e.By.UserID, Username: e.By.Username, Session: e.By.Session, Device: e.By.Device, Job: e.By.Job},
			Context: ctx, Prev: hex.EncodeToString(e.Prev), Hash: hex.EncodeToString(e.Hash)}
	}
	return p
}

// Decode turns a page back into the head and entries Verify takes.
func (p Page) Decode() (imageapp.DecryptHead, []imageapp.DecryptEntry, error) {
	var err error
	field := func(what string, decode func(string) ([]byte, error), s string) []byte {
		b, e := decode(s)
		if e != nil && err == nil {
			err = fmt.Errorf("decryptlog: %s: %w", what, e)
		}
		return b
	}
	head := imageapp.DecryptHead{UserID: p.Head.UserID, Seq: p.Head.Seq, At: time.UnixMilli(p.Head.At).UTC(),
		Hash:      field("head hash", hex.DecodeString, p.Head.Hash),
		Signature: field("head signature", base64.StdEncoding.DecodeString, p.Head.Signature)}
	entries := make([]imageapp.DecryptEntry, len(p.Entries))
	for i, e := range p.Entries {
		entries[i] = imageapp.DecryptEntry{Seq: e.Seq, At: time.UnixMilli(e.At).UTC(), MessageID: e.MessageID,
			By:      imageapp.Asker{UserID: e.By.UserID, Username: e.By.Username, Session: e.By.Session, Device: e.By.Device, Job: e.By.Job},
			Purpose: imageapp.DecryptPurpose(e.Purpose), Context: e.Context,
			Prev: field(fmt.Sprintf("entry %d prev", e.Seq), hex.DecodeString, e.Prev),
			Hash: field(fmt.Sprintf("entry %d hash", e.Seq), hex.DecodeString, e.Hash)}
	}
	return head, entries, err
}

// Key decodes the page's public key.
func (p Page) Key() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(p.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("decryptlog: the page's public key is not an Ed25519 key")
	}
	return b, nil
}
